package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.bench.RefreshHarness.Approach;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefreshHarnessTest {

  private final VenueModel okx =
      new VenueModel("okx", RateLimitSpec.of(40, Duration.ofSeconds(2)), 4, "test");
  private final RefreshHarness harness = new RefreshHarness(List.of(okx));

  @Test
  void measuresTheSchedulersGapsAgainstTheFloorWithoutA429() {
    RefreshHarness.Result r = harness.run(Approach.SCANFLUX, List.of(okx), 100, false).get(0);
    assertThat(r.throttled()).isZero();
    assertThat(r.floor()).isCloseTo(99 / 19.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(r.priorityMax()).isLessThanOrEqualTo(1.0 + 0.08);
    assertThat(r.tailMax()).isPositive().isLessThanOrEqualTo(1.15 * r.floor());
    assertThat(r.budgetUsed()).isBetween(0.9, 1.0);
    assertThat(r.priorityAge()).isBetween(0.2, 0.6);
  }

  @Test
  void theLeakyBucketHasNoPriority() {
    RefreshHarness.Result r =
        harness.run(Approach.LEAKY_BUCKET, List.of(okx), 100, false).get(0);
    assertThat(r.priorityMedian()).isGreaterThan(4.5); // once per pass of 100 books at 20/s
  }
}
