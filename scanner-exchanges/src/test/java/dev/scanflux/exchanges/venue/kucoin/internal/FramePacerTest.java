package dev.scanflux.exchanges.venue.kucoin.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@link FramePacer} in virtual time: frames go out in order, at once while the window has
 * room, never more than its limit in any window, first subscriptions and later ones alike.
 */
class FramePacerTest {

  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  /** Each frame sent, as "text@millis". */
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final List<Disposable> running = new ArrayList<>();

  @AfterEach
  void stop() {
    running.forEach(Disposable::dispose);
    time.dispose();
  }

  private FramePacer pacer(int perWindow, Duration window) {
    FramePacer p = new FramePacer(perWindow, window, time);
    running.add(p.run(text -> Mono.fromRunnable(() -> sent.add(text + "@"
        + time.now(TimeUnit.MILLISECONDS)))).subscribe());
    return p;
  }

  private static List<String> frames(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(k -> prefix + k).toList();
  }

  @Test
  void aHundredAndFiftyFramesGoOutNinetyAtOnceThenTheRestWhenTheWindowHasRoom() {
    FramePacer pacer = pacer(90, Duration.ofSeconds(10));
    List<Integer> onSent = new CopyOnWriteArrayList<>();
    List<Boolean> done = new CopyOnWriteArrayList<>();
    pacer.send(frames("f", 150), onSent::add).subscribe(null, null, () -> done.add(true));

    time.advanceTimeBy(Duration.ZERO);
    assertThat(sent).hasSize(90).allSatisfy(s -> assertThat(s).endsWith("@0"));
    assertThat(done).isEmpty();
    time.advanceTimeBy(Duration.ofMillis(10_499)); // the window, and the margin
    assertThat(sent).hasSize(90);
    time.advanceTimeBy(Duration.ofMillis(1));
    assertThat(sent).hasSize(150);
    assertThat(sent.subList(90, 150)).allSatisfy(s -> assertThat(s).endsWith("@10500"));
    assertThat(sent).extracting(s -> s.substring(0, s.indexOf('@')))
        .containsExactlyElementsOf(frames("f", 150));
    assertThat(onSent).containsExactlyElementsOf(IntStream.range(0, 150).boxed().toList());
    assertThat(done).containsExactly(true);
  }

  @Test
  void laterFramesShareTheWindowWithTheFirstOnes() {
    FramePacer pacer = pacer(3, Duration.ofSeconds(10));
    pacer.send(frames("a", 2), k -> {}).subscribe();
    time.advanceTimeBy(Duration.ofSeconds(4));
    pacer.send(frames("b", 3), k -> {}).subscribe(); // one fits now, two when a0 and a1 leave
    time.advanceTimeBy(Duration.ZERO);
    assertThat(sent).containsExactly("a0@0", "a1@0", "b0@4000");
    time.advanceTimeBy(Duration.ofMillis(6_500));
    assertThat(sent).containsExactly("a0@0", "a1@0", "b0@4000", "b1@10500", "b2@10500");
    time.advanceTimeBy(Duration.ofSeconds(60));
    assertThat(sent).hasSize(5); // nothing more: nothing queued
  }

  @Test
  void aFailedSendFailsWhatWaitsOnItAndNothingIsSentOnceTheConnectionStopped() {
    FramePacer pacer = new FramePacer(5, Duration.ofSeconds(10), time);
    List<Throwable> runErrors = new CopyOnWriteArrayList<>();
    Disposable run = pacer.run(text -> Mono.error(new IllegalStateException("closed")))
        .subscribe(null, runErrors::add);
    running.add(run);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    pacer.send(frames("x", 1), k -> {}).subscribe(null, errors::add);
    time.advanceTimeBy(Duration.ZERO);
    assertThat(errors).singleElement().extracting(Throwable::getMessage).isEqualTo("closed");
    assertThat(runErrors).hasSize(1);

    errors.clear();
    pacer.send(frames("y", 1), k -> {}).subscribe(null, errors::add);
    assertThat(errors).singleElement().extracting(Throwable::getMessage).asString()
        .contains("sends no more frames");
  }

  @Test
  void framesStillQueuedWhenTheConnectionStopsFailTheirSends() {
    FramePacer pacer = new FramePacer(1, Duration.ofSeconds(10), time);
    Disposable run = pacer.run(text -> Mono.fromRunnable(() -> sent.add(text))).subscribe();
    running.add(run);
    List<String> outcomes = new CopyOnWriteArrayList<>();
    pacer.send(frames("a", 1), k -> {}).subscribe(null, e -> outcomes.add("a failed"),
        () -> outcomes.add("a sent"));
    pacer.send(frames("b", 2), k -> {}).subscribe(null, e -> outcomes.add("b: "
        + e.getMessage()), () -> outcomes.add("b sent"));
    time.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(outcomes).containsExactly("a sent"); // b waits for the window

    run.dispose(); // the connection ended
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(sent).containsExactly("a0");
    assertThat(outcomes).containsExactly("a sent", "b: the connection ended before the frames"
        + " were sent (cancel)");
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    pacer.send(frames("c", 1), k -> {}).subscribe(null, errors::add);
    assertThat(errors).singleElement().extracting(Throwable::getMessage).asString()
        .contains("sends no more frames");
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> new FramePacer(0, Duration.ofSeconds(1), time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perWindow");
    assertThatThrownBy(() -> new FramePacer(1, Duration.ZERO, time))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
  }
}
