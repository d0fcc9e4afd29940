package dev.scanflux.server.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Backpressure for one slow subscriber of a hot source: the source is consumed at once, whatever
 * the subscriber's demand, and what the subscriber has not yet asked for is held as the latest
 * value per key. A key's older pending value is replaced in place (it keeps its turn), so memory
 * is bounded by the number of keys and every key still gets its turn in order.
 *
 * <p>Each replaced value is counted through {@code onConflated}. Errors and completion of the
 * source are delivered after the pending values.
 */
public final class LatestPerKey {

  private LatestPerKey() {}

  /**
   * @param source      a hot source
   * @param key         the key of a value; values with equal keys replace each other
   * @param onConflated called once for each value replaced before it was delivered
   * @return the conflated flux, one subscription to {@code source} per subscriber
   */
  public static <T, K> Flux<T> apply(Flux<T> source, Function<? super T, ? extends K> key,
      Runnable onConflated) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(onConflated, "onConflated");
    return Flux.create(sink -> {
      Drain<T, K> drain = new Drain<>(sink, key, onConflated);
      sink.onRequest(n -> drain.drain());
      Disposable upstream = source.subscribe(drain::offer, drain::error, drain::complete);
      sink.onDispose(upstream);
    }, FluxSink.OverflowStrategy.ERROR);
  }

  private static final class Drain<T, K> {
    private final FluxSink<T> sink;
    private final Function<? super T, ? extends K> key;
    private final Runnable onConflated;
    private final Map<K, T> pending = new LinkedHashMap<>();
    private final AtomicInteger wip = new AtomicInteger();
    private boolean done;
    private @Nullable Throwable error;

    Drain(FluxSink<T> sink, Function<? super T, ? extends K> key, Runnable onConflated) {
      this.sink = sink;
      this.key = key;
      this.onConflated = onConflated;
    }

    void offer(T value) {
      K k = key.apply(value);
      boolean replaced;
      synchronized (this) {
        replaced = pending.replace(k, value) != null;
        if (!replaced) {
          pending.put(k, value);
        }
      }
      if (replaced) {
        onConflated.run();
      }
      drain();
    }

    void error(Throwable e) {
      synchronized (this) {
        error = e;
        done = true;
      }
      drain();
    }

    void complete() {
      synchronized (this) {
        done = true;
      }
      drain();
    }

    void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        while (!sink.isCancelled()) {
          @Nullable T next = null;
          boolean finished;
          @Nullable Throwable failure;
          synchronized (this) {
            if (!pending.isEmpty() && sink.requestedFromDownstream() > 0) {
              Iterator<T> it = pending.values().iterator();
              next = it.next();
              it.remove();
            }
            finished = done && pending.isEmpty();
            failure = error;
          }
          if (next != null) {
            sink.next(next);
            continue;
          }
          if (finished) {
            if (failure != null) {
              sink.error(failure);
            } else {
              sink.complete();
            }
          }
          break;
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }
  }
}
