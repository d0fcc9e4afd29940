package dev.scanflux.kafka.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Per subscriber, takes everything from a hot source and, while the subscriber has no demand,
 * keeps only the newest value of each key, in the order keys first waited: memory is bounded by
 * the number of keys, and a value is never delivered after a newer one of its key. The feed's
 * {@code snapshots()} uses it so that a slow strategy process sees what an in-process one would.
 */
public final class LatestPerKey {

  private LatestPerKey() {}

  /** The source, each subscriber getting the latest value per key it has not yet taken. */
  public static <T> Flux<T> of(Flux<T> source, Function<? super T, ?> key) {
    return Flux.create(sink -> {
      Drain<T> drain = new Drain<>(sink, key);
      Disposable upstream = source.subscribe(drain::offer, drain::fail, drain::complete);
      sink.onRequest(n -> drain.drain());
      sink.onDispose(upstream);
    });
  }

  private static final class Drain<T> {
    private final FluxSink<T> sink;
    private final Function<? super T, ?> key;
    private final Map<Object, T> pending = new LinkedHashMap<>();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean done;
    private volatile @Nullable Throwable error;

    Drain(FluxSink<T> sink, Function<? super T, ?> key) {
      this.sink = sink;
      this.key = key;
    }

    void offer(T value) {
      synchronized (pending) {
        pending.put(key.apply(value), value); // a newer value takes its key's place in line
      }
      drain();
    }

    void fail(Throwable e) {
      error = e;
      done = true;
      drain();
    }

    void complete() {
      done = true;
      drain();
    }

    void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      do {
        while (sink.requestedFromDownstream() > 0 && !sink.isCancelled()) {
          T next;
          synchronized (pending) {
            Iterator<T> it = pending.values().iterator();
            if (!it.hasNext()) {
              break;
            }
            next = it.next();
            it.remove();
          }
          sink.next(next);
        }
        boolean empty;
        synchronized (pending) {
          empty = pending.isEmpty();
        }
        if (done && empty) {
          Throwable e = error;
          if (e != null) {
            sink.error(e);
          } else {
            sink.complete();
          }
          return;
        }
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }
  }
}
