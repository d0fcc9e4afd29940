package dev.scanflux.core.internal;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import reactor.core.scheduler.Scheduler;

/**
 * The scanner's one clock, read from its {@link Scheduler}: monotonic nanoseconds for durations
 * and timers, and wall-clock {@link Instant}s with nanosecond resolution for timestamps.
 *
 * <p>Reactor's real schedulers answer {@code now(NANOSECONDS)} from {@link System#nanoTime()}
 * (arbitrary origin) but {@code now(MILLISECONDS)} from the wall clock, so instants are the
 * monotonic reading plus the offset between the two, taken once. A virtual-time scheduler answers
 * both from one counter; the offset is then zero and instants are exactly virtual time.
 */
public final class EngineClock {

  private static final long SAME_CLOCK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Scheduler scheduler;
  private final long epochOffsetNanos;

  /** Reads the scheduler's two clocks once to align them. */
  public EngineClock(Scheduler scheduler) {
    this.scheduler = scheduler;
    long nanos = scheduler.now(TimeUnit.NANOSECONDS);
    long wall = TimeUnit.MILLISECONDS.toNanos(scheduler.now(TimeUnit.MILLISECONDS));
    this.epochOffsetNanos = Math.abs(wall - nanos) < SAME_CLOCK_NANOS ? 0 : wall - nanos;
  }

  /** Monotonic nanoseconds, for measuring durations and setting timers. */
  public long nanos() {
    return scheduler.now(TimeUnit.NANOSECONDS);
  }

  /** The instant of a {@link #nanos()} reading. */
  public Instant instant(long nanos) {
    return Instant.ofEpochSecond(0, epochOffsetNanos + nanos);
  }

  /** Now, as an instant. */
  public Instant instant() {
    return instant(nanos());
  }
}
