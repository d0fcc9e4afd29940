package dev.scanflux.core.internal;

import dev.scanflux.core.PassEvent;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.model.MarketSnapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's listeners behind one guard: a callback that throws is counted ({@link #failures()},
 * reported in every {@code ScanReport}), logged (in full at WARN the first time, briefly at
 * DEBUG after) and never disturbs the scan.
 */
final class SafeListener implements ScanListener {

  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final List<ScanListener> listeners;
  private final AtomicBoolean reported = new AtomicBoolean();
  private final AtomicLong failures = new AtomicLong();

  SafeListener(List<ScanListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  boolean isEmpty() {
    return listeners.isEmpty();
  }

  /** Callbacks that threw so far, the first included. */
  long failures() {
    return failures.get();
  }

  @Override
  public void onRequest(RequestEvent event) {
    each(l -> l.onRequest(event));
  }

  @Override
  public void onSnapshot(MarketSnapshot snapshot) {
    each(l -> l.onSnapshot(snapshot));
  }

  @Override
  public void onStreamTransition(StreamTransition transition) {
    each(l -> l.onStreamTransition(transition));
  }

  @Override
  public void onPass(PassEvent pass) {
    each(l -> l.onPass(pass));
  }

  @Override
  public void onScan(Scan scan) {
    each(l -> l.onScan(scan));
  }

  private void each(Consumer<ScanListener> callback) {
    if (listeners.isEmpty()) {
      return;
    }
    for (ScanListener l : listeners) {
      try {
        callback.accept(l);
      } catch (RuntimeException e) {
        failed(l, e);
      }
    }
  }

  private void failed(ScanListener listener, RuntimeException e) {
    failures.incrementAndGet();
    if (reported.compareAndSet(false, true)) {
      log.warn("scan listener {} failed; the scan goes on", listener, e);
    } else {
      log.debug("scan listener {} failed again: {}", listener, e.toString());
    }
  }
}
