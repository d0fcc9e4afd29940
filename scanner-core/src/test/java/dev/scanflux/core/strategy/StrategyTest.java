package dev.scanflux.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class StrategyTest {

  private static final Instant T = Instant.parse("2025-01-31T12:00:00Z");

  @Test
  void appliesWithTransform() {
    Strategy<Long> cycles = scans -> scans.map(Scan::cycle);

    StepVerifier.create(Flux.just(scan(1), scan(2)).transform(cycles))
        .expectNext(1L, 2L)
        .verifyComplete();
  }

  @Test
  void mergeRunsEveryStrategyOverOneSubscription() {
    AtomicInteger subscriptions = new AtomicInteger();
    Flux<Scan> scans = Flux.just(scan(1), scan(2))
        .doOnSubscribe(s -> subscriptions.incrementAndGet());
    Strategy<String> a = s -> s.map(scan -> "a" + scan.cycle());
    Strategy<String> b = s -> s.filter(scan -> scan.cycle() == 2).map(scan -> "b");

    StepVerifier.create(scans.transform(Strategy.merge(a, b)))
        .expectNext("a1", "a2", "b")
        .verifyComplete();
    assertThat(subscriptions).hasValue(1);
  }

  @Test
  void mergeNeedsAStrategy() {
    assertThatThrownBy(Strategy::merge).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("strategies");
  }

  private static Scan scan(long cycle) {
    return new Scan(T.plusSeconds(cycle), List.of(),
        new ScanReport(cycle, T.plusSeconds(cycle - 1), Duration.ofSeconds(1), List.of()));
  }
}
