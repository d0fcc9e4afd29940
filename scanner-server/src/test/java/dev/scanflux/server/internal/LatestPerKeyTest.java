package dev.scanflux.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class LatestPerKeyTest {

  @Test
  void aSubscriberWithoutDemandGetsTheLatestValuePerKeyInFirstArrivalOrder() {
    TestPublisher<String> source = TestPublisher.create();
    AtomicInteger conflated = new AtomicInteger();
    StepVerifier.create(LatestPerKey.apply(source.flux(), s -> s.charAt(0),
            conflated::incrementAndGet), 0)
        .then(() -> source.assertMinRequested(Long.MAX_VALUE)) // the source is never held up
        .then(() -> source.next("a1", "b1", "a2", "c1", "a3", "b2"))
        .expectNoEvent(java.time.Duration.ZERO)
        .thenRequest(2)
        .expectNext("a3", "b2")
        .thenRequest(5)
        .expectNext("c1")
        .then(() -> source.next("a4"))
        .expectNext("a4")
        .then(source::complete)
        .verifyComplete();
    assertThat(conflated).hasValue(3);
  }

  @Test
  void completionAndErrorsWaitForThePendingValues() {
    TestPublisher<String> source = TestPublisher.create();
    StepVerifier.create(LatestPerKey.apply(source.flux(), s -> s.charAt(0), () -> { }), 0)
        .then(() -> source.next("a1", "b1"))
        .then(() -> source.error(new IllegalStateException("boom")))
        .thenRequest(1)
        .expectNext("a1")
        .thenRequest(1)
        .expectNext("b1")
        .verifyErrorMessage("boom");
  }

  @Test
  void cancellingCancelsTheSource() {
    TestPublisher<String> source = TestPublisher.create();
    StepVerifier.create(LatestPerKey.apply(source.flux(), s -> s, () -> { }), 1)
        .then(() -> source.next("x"))
        .expectNext("x")
        .thenCancel()
        .verify();
    source.assertCancelled();
  }
}
