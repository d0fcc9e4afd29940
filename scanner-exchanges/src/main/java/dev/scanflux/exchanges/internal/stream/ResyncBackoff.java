package dev.scanflux.exchanges.internal.stream;

import java.time.Duration;
import java.util.Objects;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * When a stream resubscribes a book that keeps failing (a venue whose snapshot comes back wrong
 * every time must not be resubscribed in a storm): at once after the first resync, then after
 * {@link #FIRST} doubling up to {@link #MAX} while resyncs follow each other without an update
 * applied in between (the stream counts them). One per connection: the actions whose wait has
 * passed come out of {@link #due()}, which the connection merges into its inputs so that they
 * run one at a time with its messages. Waits are timed on the given clock, so they run in
 * virtual time in tests. A wait is forgotten once over; {@link #dispose()} cancels the others.
 * Thread-safe.
 */
public final class ResyncBackoff implements Disposable {

  /** The wait before the second resubscription of a book in a row; it doubles after that. */
  public static final Duration FIRST = Duration.ofSeconds(1);
  /** The longest wait. */
  public static final Duration MAX = Duration.ofSeconds(30);

  private final Scheduler clock;
  private final Sinks.Many<Runnable> due = Sinks.many().unicast().onBackpressureBuffer();
  private final Disposable.Composite timers = Disposables.composite();

  /** @param clock the scheduler the waits are timed on, the venue's settings' clock */
  public ResyncBackoff(Scheduler clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The wait after {@code failures} resyncs in a row: zero for none, then 1 s, 2 s, ... 30 s. */
  public static Duration after(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    long millis = FIRST.toMillis() << Math.min(failures - 1, 20);
    return millis >= MAX.toMillis() ? MAX : Duration.ofMillis(millis);
  }

  /**
   * Runs {@code resubscribe} at once if {@code failures} is 0, else puts it on {@link #due()}
   * once {@link #after(int) after(failures)} has passed.
   *
   * @return true if it ran at once, false if it waits
   */
  public boolean resubscribe(int failures, Runnable resubscribe) {
    Duration wait = after(failures);
    if (wait.isZero()) {
      resubscribe.run();
      return true;
    }
    Disposable.Swap timer = Disposables.swap();
    timers.add(timer);
    timer.update(Mono.delay(wait, clock).subscribe(tick -> {
      timers.remove(timer); // a fired timer is not kept for the connection's life
      due.emitNext(resubscribe, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }));
    return false;
  }

  /** The waits not over yet (nor cancelled), for tests. */
  int waiting() {
    return timers.size();
  }

  /** The actions whose wait has passed, to run one at a time with the connection's inputs. */
  public Flux<Runnable> due() {
    return due.asFlux();
  }

  @Override
  public void dispose() {
    timers.dispose();
  }

  @Override
  public boolean isDisposed() {
    return timers.isDisposed();
  }
}
