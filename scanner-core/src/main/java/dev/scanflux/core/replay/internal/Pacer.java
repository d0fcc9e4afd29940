package dev.scanflux.core.replay.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Re-times a stream to the scheduler's clock: each item is emitted when the clock, measured from
 * the subscription, has advanced as far as the item's recorded time is past the recorded origin.
 *
 * <p>Targets are absolute (origin plus offset), so delays never accumulate drift, and an item
 * that is already due is emitted at once without a timer; only a positive gap costs one.
 */
public final class Pacer {

  private Pacer() {}

  /**
   * @param source   items in recorded-time order
   * @param time     an item's recorded time
   * @param origin   the recorded time that maps to the subscription instant, taken from the
   *                 first item
   * @param scheduler the clock and timer
   * @param prefetch items read ahead of the clock
   */
  public static <T> Flux<T> pace(Flux<T> source, Function<? super T, Instant> time,
      Function<? super T, Instant> origin, Scheduler scheduler, int prefetch) {
    return Flux.defer(() -> {
      Clock clock = new Clock(scheduler, scheduler.now(TimeUnit.NANOSECONDS));
      return source.concatMap(item -> clock.at(item, time, origin), prefetch);
    });
  }

  /** Per-subscription state; the mapper of concatMap runs serially, so no synchronisation. */
  private static final class Clock {
    private final Scheduler scheduler;
    private final long startNanos;
    private @Nullable Instant recordedOrigin;

    Clock(Scheduler scheduler, long startNanos) {
      this.scheduler = scheduler;
      this.startNanos = startNanos;
    }

    <T> Mono<T> at(T item, Function<? super T, Instant> time,
        Function<? super T, Instant> origin) {
      Instant from = recordedOrigin;
      if (from == null) {
        from = origin.apply(item);
        recordedOrigin = from;
      }
      long elapsed = scheduler.now(TimeUnit.NANOSECONDS) - startNanos;
      Duration delay = Duration.between(from, time.apply(item)).minusNanos(elapsed);
      if (delay.isNegative() || delay.isZero()) {
        return Mono.just(item);
      }
      return Mono.delay(delay, scheduler).thenReturn(item);
    }
  }
}
