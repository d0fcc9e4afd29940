package dev.scanflux.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class FluxLatestPerKeyTest {

  private static Flux<String> latestPerKey(Flux<String> source) {
    return new FluxLatestPerKey<>(source, s -> s.charAt(0));
  }

  @Test
  void passesValuesThroughWhenTheSubscriberKeepsUp() {
    StepVerifier.create(latestPerKey(Flux.just("a1", "a2", "b1", "a3")))
        .expectNext("a1", "a2", "b1", "a3")
        .verifyComplete();
  }

  @Test
  void keepsOnlyTheNewestValuePerKeyWhileTheSubscriberHasNoDemand() {
    TestPublisher<String> source = TestPublisher.create();
    StepVerifier.create(latestPerKey(source.flux()), 0)
        .then(() -> source.next("a1", "b1", "a2", "c1", "b2", "a3"))
        .expectNoEvent(java.time.Duration.ZERO)
        .thenRequest(2)
        .expectNext("a3", "b2")
        .then(() -> source.next("c2"))
        .thenRequest(5)
        .expectNext("c2")
        .then(source::complete)
        .verifyComplete();
    source.assertMaxRequested(Long.MAX_VALUE);
  }

  @Test
  void deliversPendingValuesBeforeCompletionOrError() {
    TestPublisher<String> source = TestPublisher.create();
    StepVerifier.create(latestPerKey(source.flux()), 0)
        .then(() -> source.next("a1", "b1").error(new IllegalStateException("boom")))
        .thenRequest(10)
        .expectNext("a1", "b1")
        .verifyErrorMessage("boom");
  }

  @Test
  void memoryIsBoundedByTheNumberOfKeys() {
    TestPublisher<String> source = TestPublisher.create();
    List<String> received = new ArrayList<>();
    StepVerifier.create(latestPerKey(source.flux()), 0)
        .then(() -> {
          for (int i = 0; i < 100_000; i++) {
            source.next((char) ('a' + i % 3) + Integer.toString(i));
          }
        })
        .thenRequest(Long.MAX_VALUE)
        .recordWith(() -> received)
        .expectNextCount(3)
        .thenCancel()
        .verify();
    assertThat(received).containsExactly("a99999", "b99997", "c99998");
  }

  @Test
  void misbehavingSourceAfterCancelIsIgnored() {
    TestPublisher<String> source =
        TestPublisher.createNoncompliant(TestPublisher.Violation.CLEANUP_ON_TERMINATE);
    StepVerifier.create(latestPerKey(source.flux()))
        .then(() -> source.next("a1"))
        .expectNext("a1")
        .thenCancel()
        .verify();
    source.next("a2");
    source.assertCancelled();
  }
}
