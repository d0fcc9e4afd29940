package dev.scanflux.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class VenueGateTest {

  private final VirtualTimeScheduler vts = VirtualTimeScheduler.create();

  @AfterEach
  void tearDown() {
    vts.dispose();
  }

  private VenueGate gate(String limit, int concurrency) {
    return new VenueGate(RateLimitSpec.parse(limit), concurrency, vts);
  }

  /** A request that holds its permit for {@code hold}, recording when it was admitted. */
  private Mono<Long> request(VenueGate gate, int weight, boolean priority, Duration hold) {
    return gate.acquire(weight, priority).flatMap(permit -> {
      long admitted = vts.now(TimeUnit.NANOSECONDS);
      return Mono.delay(hold, vts).thenReturn(admitted).doFinally(s -> permit.release());
    });
  }

  @Test
  void aPriorityRequestIsNotStarvedBehindAThousandOrdinaryOnes() {
    VenueGate gate = gate("10/1s", 100);
    List<Long> ordinary = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 1000; i++) {
      request(gate, 1, false, Duration.ofMillis(10)).subscribe(ordinary::add);
    }
    vts.advanceTimeBy(Duration.ofSeconds(5));
    int doneBefore = ordinary.size();
    assertThat(doneBefore).isBetween(40, 60);

    long askedAt = vts.now(TimeUnit.NANOSECONDS);
    StepVerifier.withVirtualTime(() -> request(gate, 1, true, Duration.ofMillis(10)),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofSeconds(2))
        .assertNext(admitted -> assertThat(admitted - askedAt)
            .as("admitted at the next free slot, not after 950 queued requests")
            .isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1)))
        .verifyComplete();
  }

  @Test
  void aPriorityReserveLetsPriorityGoAtOnceWhenOrdinaryTrafficFilledTheWindow() {
    VenueGate gate = new VenueGate(RateLimitSpec.parse("10/1s"), 100, 2, vts);
    List<Long> ordinary = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      request(gate, 1, false, Duration.ofMillis(10)).subscribe(ordinary::add);
    }
    vts.advanceTimeBy(Duration.ofMillis(500));
    assertThat(ordinary).as("ordinary requests use the budget less the reserve").hasSize(8);

    List<Long> priority = new CopyOnWriteArrayList<>();
    request(gate, 1, true, Duration.ofMillis(10)).subscribe(priority::add);
    request(gate, 1, true, Duration.ofMillis(10)).subscribe(priority::add);
    request(gate, 1, true, Duration.ofMillis(10)).subscribe(priority::add);
    vts.advanceTimeBy(Duration.ofMillis(10)); // each holds its permit 10 ms, then reports
    assertThat(priority).as("two go at once on the reserve, the third waits")
        .containsExactly(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void weightInAnySlidingWindowNeverExceedsTheBudget() {
    VenueGate gate = gate("100/10s", 50);
    List<long[]> grants = new CopyOnWriteArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 500; i++) {
      int weight = 1 + random.nextInt(10);
      Duration hold = Duration.ofMillis(10 + random.nextInt(300));
      request(gate, weight, random.nextInt(5) == 0, hold)
          .subscribe(at -> grants.add(new long[] {at, weight}));
    }
    vts.advanceTimeBy(Duration.ofMinutes(10));

    assertThat(grants).hasSize(500);
    long window = TimeUnit.SECONDS.toNanos(10);
    for (long[] g : grants) {
      long inWindow = grants.stream().filter(o -> o[0] >= g[0] && o[0] < g[0] + window)
          .mapToLong(o -> o[1]).sum();
      assertThat(inWindow).isLessThanOrEqualTo(100);
    }
    assertThat(gate.weightGranted()).isEqualTo(grants.stream().mapToLong(g -> g[1]).sum());
  }

  @Test
  void weightStaysCountedUntilOneWindowAfterTheRequestCompletes() {
    VenueGate gate = gate("2/1s", 10);
    List<Long> admitted = new CopyOnWriteArrayList<>();
    request(gate, 2, false, Duration.ofMillis(500)).subscribe(admitted::add);
    request(gate, 1, false, Duration.ZERO).subscribe(admitted::add);

    vts.advanceTimeBy(Duration.ofMillis(1499));
    assertThat(admitted).containsExactly(0L);
    vts.advanceTimeBy(Duration.ofMillis(1));
    assertThat(admitted).containsExactly(0L, TimeUnit.MILLISECONDS.toNanos(1500));
  }

  @Test
  void concurrencyBoundsRequestsInFlight() {
    VenueGate gate = gate("1000/1s", 3);
    for (int i = 0; i < 20; i++) {
      request(gate, 1, false, Duration.ofMillis(100)).subscribe();
    }
    assertThat(gate.inFlight()).isEqualTo(3);
    vts.advanceTimeBy(Duration.ofSeconds(5));
    assertThat(gate.inFlight()).isZero();
    assertThat(gate.peakInFlight()).isEqualTo(3);
  }

  @Test
  void pauseHoldsEveryRequestUntilItEnds() {
    VenueGate gate = gate("1000/1s", 10);
    gate.pause(Duration.ofSeconds(3));
    List<Long> admitted = new ArrayList<>();
    request(gate, 1, true, Duration.ZERO).subscribe(admitted::add);
    vts.advanceTimeBy(Duration.ofMillis(2999));
    assertThat(admitted).isEmpty();
    vts.advanceTimeBy(Duration.ofMillis(1));
    assertThat(admitted).containsExactly(TimeUnit.SECONDS.toNanos(3));
  }

  @Test
  void cancellingAWaitingRequestFreesItsPlace() {
    VenueGate gate = gate("1/1s", 10);
    List<Long> admitted = new ArrayList<>();
    request(gate, 1, false, Duration.ZERO).subscribe(admitted::add);
    Disposable cancelled = request(gate, 1, false, Duration.ZERO).subscribe(admitted::add);
    request(gate, 1, false, Duration.ZERO).subscribe(admitted::add);
    cancelled.dispose();
    vts.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(admitted).containsExactly(0L, TimeUnit.SECONDS.toNanos(1));
  }

  @Test
  void aRequestHeavierThanTheBudgetFailsAtOnce() {
    StepVerifier.create(gate("5/1s", 1).acquire(6, false))
        .expectErrorMessage("weight must be in [1, 5] but was 6")
        .verify();
  }

  @Test
  void closeFailsWaitingRequestsAndCancelsTheTimer() {
    VenueGate gate = gate("1/1s", 10);
    request(gate, 1, false, Duration.ZERO).subscribe();
    List<Throwable> errors = new ArrayList<>();
    request(gate, 1, false, Duration.ZERO).subscribe(x -> { }, errors::add);
    long scheduled = vts.getScheduledTaskCount();
    gate.close();
    vts.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(errors).singleElement().extracting(Throwable::getMessage)
        .isEqualTo("venue gate is closed");
    assertThat(vts.getScheduledTaskCount()).isEqualTo(scheduled);
  }
}
