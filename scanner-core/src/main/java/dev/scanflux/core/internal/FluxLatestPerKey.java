package dev.scanflux.core.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;

/**
 * {@code onBackpressureLatest} per key: requests everything from upstream and, while the
 * subscriber has no demand, keeps only the newest value of each key, in the order keys first
 * missed delivery. Memory is bounded by the number of distinct keys, never by how far the
 * subscriber lags, and a value is never delivered after a newer one of the same key.
 *
 * <p>When the subscriber keeps up, values pass straight through without touching the map.
 */
final class FluxLatestPerKey<T> extends FluxOperator<T, T> {

  private final Function<? super T, ?> key;

  FluxLatestPerKey(Flux<? extends T> source, Function<? super T, ?> key) {
    super(source);
    this.key = Objects.requireNonNull(key, "key");
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    source.subscribe(new LatestPerKeySubscriber<>(actual, key));
  }

  static final class LatestPerKeySubscriber<T> implements CoreSubscriber<T>, Subscription {

    private final CoreSubscriber<? super T> actual;
    private final Function<? super T, ?> key;
    private final Map<Object, T> pending = new LinkedHashMap<>();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicLong requested = new AtomicLong();

    /** The size of {@code pending}, readable without its lock on the fast path. */
    private volatile int pendingCount;
    private @Nullable Subscription upstream;
    private volatile boolean done;
    private volatile boolean cancelled;
    private @Nullable Throwable error;

    LatestPerKeySubscriber(CoreSubscriber<? super T> actual, Function<? super T, ?> key) {
      this.actual = actual;
      this.key = key;
    }

    @Override
    public reactor.util.context.Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(T t) {
      if (done || cancelled) {
        return;
      }
      if (requested.get() == Long.MAX_VALUE && pendingCount == 0 && wip.get() == 0) {
        // unbounded demand and nothing pending: a drain starting now would have nothing to
        // deliver, so the value can pass without the handshake
        actual.onNext(t);
        return;
      }
      if (wip.get() == 0 && wip.compareAndSet(0, 1)) {
        if (pendingCount == 0 && requested.get() > 0) {
          actual.onNext(t);
          produced(1);
        } else {
          offer(t);
        }
        if (wip.decrementAndGet() == 0) {
          return;
        }
      } else {
        offer(t);
        if (wip.getAndIncrement() != 0) {
          return;
        }
      }
      drainLoop();
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        Operators.onErrorDropped(t, actual.currentContext());
        return;
      }
      error = t;
      done = true;
      drain();
    }

    @Override
    public void onComplete() {
      done = true;
      drain();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.getAndUpdate(r -> Operators.addCap(r, n));
        drain();
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        Subscription s = upstream;
        if (s != null) {
          s.cancel();
        }
        if (wip.getAndIncrement() == 0) {
          clear();
        }
      }
    }

    private void offer(T t) {
      synchronized (pending) {
        pending.put(key.apply(t), t);
        pendingCount = pending.size();
      }
    }

    private void clear() {
      synchronized (pending) {
        pending.clear();
        pendingCount = 0;
      }
    }

    private void drain() {
      if (wip.getAndIncrement() == 0) {
        drainLoop();
      }
    }

    private void drainLoop() {
      int missed = 1;
      for (;;) {
        long r = requested.get();
        long e = 0;
        while (e != r) {
          if (cancelled) {
            clear();
            return;
          }
          T next = poll();
          if (next == null) {
            break;
          }
          actual.onNext(next);
          e++;
        }
        if (cancelled) {
          clear();
          return;
        }
        if (done && isEmpty()) {
          Throwable err = error;
          if (err != null) {
            actual.onError(err);
          } else {
            actual.onComplete();
          }
          return;
        }
        if (e != 0) {
          produced(e);
        }
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    private @Nullable T poll() {
      synchronized (pending) {
        Iterator<T> it = pending.values().iterator();
        if (!it.hasNext()) {
          return null;
        }
        T t = it.next();
        it.remove();
        pendingCount = pending.size();
        return t;
      }
    }

    private boolean isEmpty() {
      synchronized (pending) {
        return pending.isEmpty();
      }
    }

    private void produced(long n) {
      long r;
      do {
        r = requested.get();
        if (r == Long.MAX_VALUE) {
          return;
        }
      } while (!requested.compareAndSet(r, r - n));
    }
  }
}
