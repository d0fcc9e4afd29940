package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.bench.ScanCycleHarness.Approach;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScanCycleHarnessTest {

  private final VenueModel okx =
      new VenueModel("okx", RateLimitSpec.of(40, Duration.ofSeconds(2)), 4, "test");
  private final ScanCycleHarness harness = new ScanCycleHarness(List.of(okx), 1);

  @Test
  void scanfluxRunsAtTheLimitWithoutA429AndFetchesThePriorityFirst() {
    ScanCycleHarness.Result r = harness.run(Approach.SCANFLUX, List.of(okx), 100);
    assertThat(r.throttled()).isZero();
    assertThat(r.lost()).isZero();
    // a pass also refreshes BTC every second (1 of OKX's 20 books a second) and paces for the
    // round trip (3 % of a 2 s window): the pass is the floor plus those
    assertThat(r.ratio()).isBetween(1.0, 1.10);
    assertThat(r.priorityWaitColdMs()).isZero();
    assertThat(r.firstPriorityColdMs()).isBetween(40.0, 80.0);
  }

  @Test
  void theUnboundedGatherIsRefusedAndTheFifoThrottleReachesThePriorityHalfWay() {
    ScanCycleHarness.Result gather = harness.run(Approach.UNBOUNDED, List.of(okx), 100);
    assertThat(gather.throttled()).isEqualTo(gather.lost()).isGreaterThan(0);
    ScanCycleHarness.Result fifo = harness.run(Approach.FIFO, List.of(okx), 100);
    assertThat(fifo.priorityWaitColdMs()).isEqualTo(50 * 50.0); // 50th of 100, 50 ms apart
  }
}
