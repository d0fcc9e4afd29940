package dev.scanflux.core.alert.internal;

import dev.scanflux.core.alert.DeliveryConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A bounded queue of messages to one destination, delivered one at a time, in order, with
 * retries and backoff on the scheduler.
 *
 * <p>{@link #offer} never blocks: when the queue is full the oldest message is dropped and
 * counted. A message is sent with {@code send}; a {@link DeliveryFailure} says whether to retry
 * (other errors count as transient, described by class name only). Waits (backoff, a
 * destination's retry-after, the spacing between messages) are scheduler timers. Thread-safe:
 * every state change holds this object's lock; sending happens outside it.
 *
 * @param <T> the message type
 */
public final class Outbox<T> {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  private final String name;
  private final DeliveryConfig config;
  private final Scheduler scheduler;
  private final Function<T, Mono<Void>> send;
  private final UnaryOperator<String> redact;
  private final ArrayDeque<T> queue = new ArrayDeque<>();
  private final Sinks.Empty<Void> idle = Sinks.empty();
  private @Nullable T current;
  private int attempt;
  private @Nullable Disposable inFlight;
  private long nextStartNanos = Long.MIN_VALUE;
  private boolean closing;
  private long delivered;
  private long retries;
  private long failed;
  private long rejected;
  private long dropped;
  private long abandoned;
  private String lastError = "";

  /**
   * @param name      the destination as reports show it, never a secret
   * @param config    bound, retries, backoff, spacing
   * @param scheduler the timers' scheduler
   * @param send      one attempt to deliver a message
   * @param redact    cleans any text of secrets before it is stored or logged
   */
  public Outbox(String name, DeliveryConfig config, Scheduler scheduler,
      Function<T, Mono<Void>> send, UnaryOperator<String> redact) {
    this.name = Objects.requireNonNull(name, "name");
    this.config = Objects.requireNonNull(config, "config");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.send = Objects.requireNonNull(send, "send");
    this.redact = Objects.requireNonNull(redact, "redact");
  }

  /** Queues a message; drops the oldest if full, or the message if closed. Never blocks. */
  public synchronized void offer(T message) {
    if (closing) {
      abandoned++;
      return;
    }
    if (queue.size() >= config.outbox()) {
      queue.pollFirst();
      dropped++;
      if (dropped == 1 || Long.bitCount(dropped) == 1) {
        LOG.warn("{}: outbox full ({} messages), dropped the oldest ({} dropped so far)", name,
            config.outbox(), dropped);
      }
    }
    queue.addLast(message);
    drain();
  }

  /** Counts so far: delivered, retries, failed, rejected, dropped, abandoned, pending. */
  public synchronized long[] counts() {
    return new long[] {delivered, retries, failed, rejected, dropped, abandoned,
        queue.size() + (current == null ? 0 : 1)};
  }

  /** The last failure, cleaned of secrets; empty if none. */
  public synchronized String lastError() {
    return lastError;
  }

  /**
   * Stops accepting messages and completes when the queue is empty, or after {@code timeout}
   * with what is left counted as abandoned.
   */
  public Mono<Void> close(Duration timeout) {
    synchronized (this) {
      closing = true;
      if (current == null && queue.isEmpty()) {
        idle.tryEmitEmpty();
      }
    }
    return idle.asMono().timeout(timeout, scheduler).onErrorResume(e -> {
      abandon();
      return Mono.empty();
    });
  }

  private synchronized void abandon() {
    Disposable d = inFlight;
    if (d != null) {
      d.dispose();
    }
    long left = queue.size() + (current == null ? 0 : 1);
    abandoned += left;
    queue.clear();
    current = null;
    if (left > 0) {
      LOG.warn("{}: {} messages undelivered at shutdown", name, left);
    }
    idle.tryEmitEmpty();
  }

  /** Starts the next message if none is in progress. Holds the lock. */
  private void drain() {
    if (current != null) {
      return;
    }
    T next = queue.pollFirst();
    if (next == null) {
      if (closing) {
        idle.tryEmitEmpty();
      }
      return;
    }
    current = next;
    attempt = 0;
    long wait = nextStartNanos == Long.MIN_VALUE ? 0
        : nextStartNanos - scheduler.now(TimeUnit.NANOSECONDS);
    if (wait > 0) {
      inFlight = scheduler.schedule(() -> attempt(next), wait, TimeUnit.NANOSECONDS);
    } else {
      attempt(next);
    }
  }

  private void attempt(T message) {
    Mono<Void> mono;
    synchronized (this) {
      if (current != message) {
        return; // abandoned meanwhile
      }
      attempt++;
      nextStartNanos = scheduler.now(TimeUnit.NANOSECONDS) + config.spacing().toNanos();
      try {
        mono = Objects.requireNonNull(send.apply(message), "send returned null");
      } catch (RuntimeException e) {
        mono = Mono.error(e);
      }
    }
    // a safety net over the transport's own timeout, on the scheduler
    Disposable d = mono.timeout(config.requestTimeout().plusSeconds(1), scheduler)
        .subscribe(null, e -> failed(message, e), () -> succeeded(message));
    synchronized (this) {
      if (current == message && !d.isDisposed()) {
        inFlight = d;
      }
    }
  }

  private synchronized void succeeded(T message) {
    if (current != message) {
      return;
    }
    delivered++;
    finish();
  }

  private synchronized void failed(T message, Throwable e) {
    if (current != message) {
      return;
    }
    DeliveryFailure f = e instanceof DeliveryFailure df ? df
        : DeliveryFailure.transientFailure(e.getClass().getSimpleName());
    lastError = redact.apply(Objects.requireNonNullElse(f.getMessage(), "failure"));
    if (f.retryable() && attempt < config.maxAttempts()) {
      retries++;
      Duration wait = config.backoff(attempt);
      Duration asked = f.retryAfter();
      if (asked != null && asked.compareTo(wait) > 0) {
        wait = asked;
      }
      LOG.debug("{}: attempt {} failed ({}), retrying in {}", name, attempt, lastError, wait);
      inFlight = scheduler.schedule(() -> attempt(message), wait.toNanos(),
          TimeUnit.NANOSECONDS);
      return;
    }
    if (f.retryable()) {
      failed++;
      LOG.warn("{}: gave up after {} attempts: {}", name, attempt, lastError);
    } else {
      rejected++;
      LOG.warn("{}: rejected, not retried: {}", name, lastError);
    }
    finish();
  }

  private void finish() {
    current = null;
    inFlight = null;
    drain();
  }

  @Override
  public String toString() {
    return "Outbox{" + name + '}';
  }
}
