package dev.scanflux.server.internal;

import dev.scanflux.core.Scan;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.server.Thresholds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The server's own subscription to the scanner: the latest scan and the strongest signals of the
 * latest scan (at the default thresholds). Thread-safe.
 */
public final class Feeds implements Disposable {

  private static final Logger log = LoggerFactory.getLogger(Feeds.class);

  /** Strongest live signals kept. */
  public static final int TOP_SIGNALS = 20;

  private final AtomicReference<@Nullable Scan> latest = new AtomicReference<>();
  private final AtomicReference<List<Signal>> topSignals = new AtomicReference<>(List.of());
  private final Disposable.Composite subscriptions = Disposables.composite();

  /**
   * Subscribes to the scanner's scans.
   *
   * @param settings the server's settings
   * @param worker   where strategies run, off the scanner's threads
   */
  public Feeds(Settings settings, Scheduler worker) {
    Strategy<Signal> strategy = settings.signals() == null ? null
        : settings.signals().apply(defaults(settings));
    subscriptions.add(settings.scanner().scans()
        .doOnNext(latest::set)
        .filter(scan -> strategy != null)
        .onBackpressureLatest()
        .publishOn(worker, 1)
        .concatMap(scan -> java.util.Objects.requireNonNull(strategy).apply(Flux.just(scan))
            .collectList(), 0)
        .subscribe(all -> topSignals.set(strongest(all, TOP_SIGNALS)),
            e -> log.warn("the server's scan feed ended with an error: {}", e.toString())));
  }

  /** The thresholds at their defaults. */
  public static Thresholds defaults(Settings settings) {
    Map<String, Double> values = new LinkedHashMap<>();
    settings.thresholds().values().forEach(t -> values.put(t.name(), t.defaultValue()));
    return new Thresholds(values);
  }

  /** The strongest {@code n} signals, strongest first. */
  public static List<Signal> strongest(List<Signal> signals, int n) {
    List<Signal> sorted = new ArrayList<>(signals);
    sorted.sort(Comparator.comparingDouble((Signal s) -> Math.abs(s.strength())).reversed());
    return List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
  }

  /** The latest completed scan, if any. */
  public @Nullable Scan latest() {
    return latest.get();
  }

  /** The strongest signals of the latest scan. */
  public List<Signal> topSignals() {
    return topSignals.get();
  }

  @Override
  public void dispose() {
    subscriptions.dispose();
  }

  @Override
  public boolean isDisposed() {
    return subscriptions.isDisposed();
  }
}
