package dev.scanflux.server.internal;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.server.Thresholds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The server's own subscription to the scanner: the latest scan (merged across the nodes of a
 * feed, see {@link #merge}) and the strongest signals of the latest scan (at the default
 * thresholds). Thread-safe.
 */
public final class Feeds implements Disposable {

  private static final Logger log = LoggerFactory.getLogger(Feeds.class);

  /** Strongest live signals kept. */
  public static final int TOP_SIGNALS = 20;

  private final AtomicReference<@Nullable Scan> latest = new AtomicReference<>();
  private final AtomicReference<List<Signal>> topSignals = new AtomicReference<>(List.of());
  private final Disposable.Composite subscriptions = Disposables.composite();
  private final Map<String, Scan> byVenue = new TreeMap<>(); // each venue's latest scan

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
        .map(this::merge)
        .filter(scan -> strategy != null)
        .onBackpressureLatest()
        .publishOn(worker, 1)
        .concatMap(scan -> java.util.Objects.requireNonNull(strategy).apply(Flux.just(scan))
            .collectList(), 0)
        .subscribe(all -> topSignals.set(strongest(all, TOP_SIGNALS)),
            e -> log.warn("the server's scan feed ended with an error: {}", e.toString())));
  }

  /**
   * The scan to serve after {@code scan}: the scan itself when it covers every venue seen so far
   * (a local scanner's scans always do). A scanner fed by several processes (a Kafka feed of
   * sharded nodes) delivers each node's scans, each covering that node's venues; then it is the
   * union of each venue's latest scan: its report and its snapshots, dated by the newest.
   */
  private Scan merge(Scan scan) {
    synchronized (byVenue) {
      scan.report().venues().keySet().forEach(v -> byVenue.put(v, scan));
      Scan merged = scan;
      if (!scan.report().venues().keySet().containsAll(byVenue.keySet())) {
        List<VenueReport> reports = new ArrayList<>();
        List<MarketSnapshot> snapshots = new ArrayList<>();
        Instant started = scan.report().startedAt();
        for (Map.Entry<String, Scan> e : byVenue.entrySet()) {
          Scan s = e.getValue();
          reports.add(s.report().venues().get(e.getKey()));
          s.snapshots().stream().filter(x -> x.venue().equals(e.getKey()))
              .forEach(snapshots::add);
          started = s.report().startedAt().isBefore(started) ? s.report().startedAt() : started;
        }
        merged = new Scan(scan.completedAt(), snapshots, new ScanReport(scan.cycle(), started,
            Duration.between(started, scan.completedAt()), reports));
      }
      latest.set(merged);
      return merged;
    }
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
