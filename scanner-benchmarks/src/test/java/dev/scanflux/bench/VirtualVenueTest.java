package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class VirtualVenueTest {

  private static final List<Instrument> UNIVERSE = ScanCycleHarness.universe(4);

  @Test
  void answersAfterTheRoundTripAndRefusesWhatExceedsTheWindowOnArrival() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    VirtualVenue venue = new VirtualVenue("v", RateLimitSpec.of(2, Duration.ofSeconds(1)), 4,
        UNIVERSE, Duration.ofMillis(60), Duration.ZERO, 1, vts);

    StepVerifier.withVirtualTime(() -> Flux.fromIterable(UNIVERSE.subList(0, 3))
            .flatMap(i -> venue.book(i, 20).map(BookSnapshot::instrument)
                .onErrorResume(ThrottledException.class, e -> Mono.just(Instrument.spot(
                    "REFUSED", "USDT")))), () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(59))
        .thenAwait(Duration.ofMillis(1))
        .expectNextCount(3)
        .verifyComplete();
    assertThat(venue.throttled()).isEqualTo(1);
    assertThat(venue.requests()).hasSize(3)
        .allSatisfy(r -> assertThat(r.arrivalNanos() - r.startNanos()).isEqualTo(30_000_000L));
    assertThat(venue.requests().stream().filter(VirtualVenue.Request::throttled)).hasSize(1);
  }

  @Test
  void theWindowSlidesOnArrivalTimes() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    VirtualVenue venue = new VirtualVenue("v", RateLimitSpec.of(1, Duration.ofSeconds(1)), 1,
        UNIVERSE, Duration.ofMillis(60), Duration.ZERO, 1, vts);
    Instrument first = UNIVERSE.get(0);
    Mono<String> request = Mono.defer(() -> venue.book(first, 20).map(book -> "ok")
        .onErrorResume(ThrottledException.class, e -> Mono.just("429")));
    List<String> outcomes = new ArrayList<>();

    Flux.concat(request, // arrives at 30 ms, answered at 60 ms
            Mono.delay(Duration.ofMillis(939), vts).then(request), // arrives 0.999 s later
            Mono.delay(Duration.ofSeconds(1), vts).then(request)) // arrives 2.059 s later
        .subscribe(outcomes::add);
    vts.advanceTimeBy(Duration.ofSeconds(5));

    assertThat(outcomes).containsExactly("ok", "429", "ok");
    assertThat(venue.throttled()).isEqualTo(1);
  }

  @Test
  void roundTripsStayWithinTheJitterAndRepeatWithTheSeed() {
    List<Long> a = roundTrips(5);
    assertThat(a).allSatisfy(rtt -> assertThat(rtt).isBetween(40_000_000L, 80_000_000L));
    assertThat(roundTrips(5)).isEqualTo(a);
  }

  private static List<Long> roundTrips(long seed) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    VirtualVenue venue = new VirtualVenue("v", RateLimitSpec.of(100, Duration.ofSeconds(1)), 4,
        UNIVERSE, Duration.ofMillis(60), Duration.ofMillis(20), seed, vts);
    Flux.fromIterable(UNIVERSE).concatMap(i -> venue.book(i, 20)).subscribe();
    vts.advanceTimeBy(Duration.ofSeconds(1));
    return venue.requests().stream().map(r -> 2 * (r.arrivalNanos() - r.startNanos())).toList();
  }
}
