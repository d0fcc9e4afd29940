package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

class ResyncBackoffTest {

  @Test
  void theWaitIsZeroThenDoublesFromOneSecondToThirty() {
    assertThat(List.of(0, 1, 2, 3, 5, 6, 40)).extracting(ResyncBackoff::after)
        .containsExactly(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(16), Duration.ofSeconds(30),
            Duration.ofSeconds(30));
  }

  @Test
  void theFirstResubscriptionRunsAtOnceLaterOnesComeOutOfDueAfterTheirWait() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    ResyncBackoff backoff = new ResyncBackoff(clock);
    List<String> ran = new CopyOnWriteArrayList<>();
    Disposable running = backoff.due().subscribe(Runnable::run);

    assertThat(backoff.resubscribe(0, () -> ran.add("first"))).isTrue();
    assertThat(backoff.resubscribe(2, () -> ran.add("third"))).isFalse();
    assertThat(ran).containsExactly("first");
    clock.advanceTimeBy(Duration.ofMillis(1999));
    assertThat(ran).containsExactly("first");
    clock.advanceTimeBy(Duration.ofMillis(1));
    assertThat(ran).containsExactly("first", "third");

    backoff.resubscribe(1, () -> ran.add("cancelled"));
    backoff.dispose();
    clock.advanceTimeBy(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("first", "third");
    assertThat(backoff.isDisposed()).isTrue();
    running.dispose();
  }

  @Test
  void aWaitThatIsOverIsNotKept() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    ResyncBackoff backoff = new ResyncBackoff(clock);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    Disposable running = backoff.due().subscribe(Runnable::run);
    for (int k = 1; k <= 100; k++) {
      int n = k;
      backoff.resubscribe(1 + k % 3, () -> ran.add(n));
    }
    assertThat(backoff.waiting()).isEqualTo(100);
    clock.advanceTimeBy(Duration.ofSeconds(2));
    assertThat(backoff.waiting()).isEqualTo(33); // the 4 s waits
    clock.advanceTimeBy(Duration.ofSeconds(2));
    assertThat(ran).hasSize(100);
    assertThat(backoff.waiting()).isZero();
    running.dispose();
    backoff.dispose();
    clock.dispose();
  }
}
