package dev.scanflux.core.internal;

import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Admits one venue's requests: a weighted sliding-window rate limit, a bound on requests in
 * flight, priority before ordinary, and a venue-wide pause after a throttle.
 *
 * <p>A request is admitted when it is at the head of its queue (priority first, each queue in
 * arrival order), fewer than {@code concurrency} requests are in flight, the venue is not paused,
 * and its weight fits the budget. Its weight is reserved at admission and, because the venue may
 * count the request at any moment until the response arrives, stays counted until one window
 * after the request completes. So the weight counted inside any window of length {@code window}
 * on the venue's clock never exceeds the budget, whatever the round trip.
 *
 * <p>Waiting never blocks: a blocked queue is woken by a completion or by one timer on the
 * scheduler, set for the moment enough weight expires or the pause ends. State changes happen
 * under this object's monitor, held briefly and never while calling out; admitted requests are
 * signalled from a drain loop that any thread may run, so re-entrant completions do not recurse.
 */
final class VenueGate {

  /** The longest pause honoured: a venue asking for more is believed for a day. */
  static final Duration MAX_PAUSE = Duration.ofDays(1);

  private final Scheduler scheduler;
  private final int budget;
  private final long windowNanos;
  private final int concurrency;
  private final int priorityReserve;

  private final ArrayDeque<Waiter> priorityQueue = new ArrayDeque<>();
  private final ArrayDeque<Waiter> ordinaryQueue = new ArrayDeque<>();
  /** Weights of completed requests, as {expiry nanos, weight}, expiries ascending. */
  private final ArrayDeque<long[]> expiring = new ArrayDeque<>();
  private final AtomicInteger wip = new AtomicInteger();

  private long expiringWeight;
  private long inFlightWeight;
  private int inFlight;
  private long pausedUntil = Long.MIN_VALUE;
  private long weightGranted;
  private int peakInFlight;
  private @Nullable Disposable timer;
  private long timerAt = Long.MAX_VALUE;
  private boolean closed;
  private boolean admitting = true;

  VenueGate(RateLimitSpec limit, int concurrency, Scheduler scheduler) {
    this(limit, concurrency, 0, scheduler);
  }

  /**
   * @param priorityReserve weight of each window that only priority requests may use, so that
   *                        one can go at once even when ordinary traffic has used the rest
   */
  VenueGate(RateLimitSpec limit, int concurrency, int priorityReserve, Scheduler scheduler) {
    this.priorityReserve = priorityReserve;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.budget = limit.budget();
    this.windowNanos = limit.window().toNanos();
    this.concurrency = concurrency;
  }

  /**
   * Waits for admission without blocking.
   *
   * @param weight   the request's weight, 1 to the budget
   * @param priority whether it goes before ordinary requests
   * @return a {@code Mono} of the permit, to be released when the request completes; cancelling
   *     it before admission leaves the queue
   */
  Mono<Permit> acquire(int weight, boolean priority) {
    int usable = priority ? budget : budget - priorityReserve;
    if (weight < 1 || weight > usable) {
      return Mono.error(new IllegalArgumentException(
          "weight must be in [1, " + usable + "] but was " + weight));
    }
    return Mono.create(sink -> {
      Waiter w = new Waiter(weight, sink);
      synchronized (this) {
        if (closed) {
          sink.error(new IllegalStateException("venue gate is closed"));
          return;
        }
        (priority ? priorityQueue : ordinaryQueue).add(w);
      }
      sink.onCancel(() -> cancel(w, priority));
      drain();
    });
  }

  /**
   * Pauses the whole venue: nothing is admitted until {@code duration} from now (or a later
   * pause's end).
   */
  void pause(Duration duration) {
    Duration bounded = duration.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : duration;
    long until = now() + bounded.toNanos();
    synchronized (this) {
      pausedUntil = Math.max(pausedUntil, until);
    }
    drain();
  }

  /** Requests in flight now. */
  synchronized int inFlight() {
    return inFlight;
  }

  /** The most requests that were ever in flight at once. */
  synchronized int peakInFlight() {
    return peakInFlight;
  }

  /** Total weight admitted so far. */
  synchronized long weightGranted() {
    return weightGranted;
  }

  /** Admits nothing more; waiting requests stay queued until cancelled or {@link #close()}d. */
  synchronized void stopAdmitting() {
    admitting = false;
    cancelTimer();
  }

  /** Fails every waiting request and cancels the timer. */
  void close() {
    ArrayDeque<Waiter> failed = new ArrayDeque<>();
    synchronized (this) {
      closed = true;
      failed.addAll(priorityQueue);
      failed.addAll(ordinaryQueue);
      priorityQueue.clear();
      ordinaryQueue.clear();
      cancelTimer();
    }
    for (Waiter w : failed) {
      w.sink.error(new IllegalStateException("venue gate is closed"));
    }
  }

  private long now() {
    return scheduler.now(TimeUnit.NANOSECONDS);
  }

  private void cancel(Waiter w, boolean priority) {
    @Nullable Permit granted;
    synchronized (this) {
      if (w.state.compareAndSet(Waiter.WAITING, Waiter.CANCELLED)) {
        (priority ? priorityQueue : ordinaryQueue).remove(w);
      }
      granted = w.permit;
    }
    if (granted != null) {
      granted.release(); // cancelled as it was admitted: the permit may never reach its user
    }
    drain();
  }

  private void release(Permit p) {
    synchronized (this) {
      long now = now(); // read under the lock so expiries are appended in ascending order
      inFlight--;
      inFlightWeight -= p.weight;
      expiring.add(new long[] {now + windowNanos, p.weight});
      expiringWeight += p.weight;
    }
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Waiter w;
      while ((w = admitNext()) != null) {
        w.sink.success(w.permit);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** The next admissible waiter, now accounted for; or null, with a wake-up set if needed. */
  private synchronized @Nullable Waiter admitNext() {
    if (closed || !admitting) {
      return null;
    }
    ArrayDeque<Waiter> queue = priorityQueue.isEmpty() ? ordinaryQueue : priorityQueue;
    Waiter head = queue.peek();
    if (head == null || inFlight >= concurrency) {
      return null;
    }
    long now = now();
    while (!expiring.isEmpty() && expiring.peek()[0] <= now) {
      expiringWeight -= expiring.poll()[1];
    }
    if (now < pausedUntil) {
      wakeAt(pausedUntil, now);
      return null;
    }
    long usable = queue == priorityQueue ? budget : budget - priorityReserve;
    long excess = expiringWeight + inFlightWeight + head.weight - usable;
    if (excess > 0) {
      long freed = 0;
      for (long[] e : expiring) {
        freed += e[1];
        if (freed >= excess) {
          wakeAt(e[0], now);
          break;
        }
      }
      return null; // if completions must free the rest, a release will drain again
    }
    queue.poll();
    if (!head.state.compareAndSet(Waiter.WAITING, Waiter.GRANTED)) {
      return admitNext();
    }
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    inFlightWeight += head.weight;
    weightGranted += head.weight;
    head.permit = new Permit(this, head.weight);
    return head;
  }

  private void wakeAt(long at, long now) {
    if (timer != null && timerAt <= at) {
      return;
    }
    cancelTimer();
    timerAt = at;
    timer = scheduler.schedule(this::onTimer, Math.max(0, at - now), TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    synchronized (this) {
      timer = null;
      timerAt = Long.MAX_VALUE;
    }
    drain();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.dispose();
      timer = null;
      timerAt = Long.MAX_VALUE;
    }
  }

  /** An admitted request's reservation; release it exactly once when the request completes. */
  static final class Permit {
    private final VenueGate gate;
    private final int weight;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(VenueGate gate, int weight) {
      this.gate = gate;
      this.weight = weight;
    }

    /** The weight reserved. */
    int weight() {
      return weight;
    }

    /** Ends the request; the weight expires one window from now. Idempotent. */
    void release() {
      if (released.compareAndSet(false, true)) {
        gate.release(this);
      }
    }

    /**
     * Ends a request that was given up but may still reach the venue (a timed-out blocking
     * call): it stays counted, in flight and in the window, for {@code grace} more.
     */
    void releaseAfter(Duration grace) {
      try {
        gate.scheduler.schedule(this::release, grace.toNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        release(); // the scheduler is shutting down with the scanner
      }
    }
  }

  private static final class Waiter {
    static final int WAITING = 0;
    static final int GRANTED = 1;
    static final int CANCELLED = 2;

    final int weight;
    final MonoSink<Permit> sink;
    final AtomicInteger state = new AtomicInteger(WAITING);
    @Nullable Permit permit;

    Waiter(int weight, MonoSink<Permit> sink) {
      this.weight = weight;
      this.sink = sink;
    }
  }
}
