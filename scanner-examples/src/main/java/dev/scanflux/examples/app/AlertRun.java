package dev.scanflux.examples.app;

import dev.scanflux.core.alert.Alert;
import dev.scanflux.core.alert.AlertStats;
import dev.scanflux.core.alert.AlertText;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.alert.SinkStats;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.examples.strategies.CrossVenueSpread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One run's alerts: the strategies' signals go to {@link Alerts} (cross-venue mismatches are
 * counted, not alerted), the live view is told what is open, and the reports read the counts.
 */
final class AlertRun {

  private static final int SHOWN = 5;

  private final Alerts alerts;
  private final Sinks.Many<Signal> signals = Sinks.many().unicast().onBackpressureBuffer();
  private final AtomicLong mismatches = new AtomicLong();
  private final Set<Instrument> mismatched = ConcurrentHashMap.newKeySet();
  private final Mono<Void> tracked;

  /**
   * @param alerts the alerts to feed
   * @param show   receives the lines the live view shows about alerts, after each event
   */
  AlertRun(Alerts alerts, Consumer<List<String>> show) {
    this.alerts = alerts;
    this.tracked = alerts.track(signals.asFlux())
        .doOnNext(e -> show.accept(lines()))
        .then()
        .cache();
    tracked.subscribe(v -> { }, e -> { });
  }

  /** Passes signals through, handing each opportunity to the alerts and counting mismatches. */
  Function<Flux<Signal>, Flux<Signal>> tap() {
    return in -> in
        .doOnNext(s -> {
          if (CrossVenueSpread.MISMATCH_KIND.equals(s.kind())) {
            mismatches.incrementAndGet();
            mismatched.addAll(s.instruments());
          } else {
            signals.tryEmitNext(s);
          }
        })
        .doFinally(signal -> signals.tryEmitComplete());
  }

  /** Closes every open alert (the signals ended) and flushes the sinks, in bounded time. */
  void finish() {
    signals.tryEmitComplete();
    tracked.block(Duration.ofSeconds(10));
    alerts.close(AlertOptions.flushTimeout()).block(AlertOptions.flushTimeout().plusSeconds(5));
  }

  /** Cross-venue spreads beyond the sanity bound, seen so far. */
  long mismatches() {
    return mismatches.get();
  }

  AlertStats stats() {
    return alerts.stats();
  }

  List<SinkStats> sinks() {
    return alerts.sinkStats();
  }

  /** e.g. {@code alerts: 12 opened, 3 updated, …; 1 cross-venue mismatch}. */
  String summary() {
    long m = mismatches.get();
    return "alerts: " + alerts.stats() + "; " + m + " cross-venue mismatch "
        + (m == 1 ? "signal" : "signals") + " on " + mismatched.size() + " instruments "
        + "(spreads beyond the sanity bound, not alerted)";
  }

  /** One line per sink, e.g. {@code telegram: 12 delivered, 0 retries, …}. */
  List<String> sinkLines() {
    return alerts.sinkStats().stream().map(SinkStats::toString).toList();
  }

  /** The live view's lines: the counts, each sink, and the longest-standing open alerts. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(summary());
    out.addAll(sinkLines());
    List<Alert> open = new ArrayList<>(alerts.snapshot().open());
    open.removeIf(Alert::suppressed);
    open.sort(Comparator.comparing(Alert::firstSeen));
    for (Alert a : open.subList(0, Math.min(SHOWN, open.size()))) {
      out.add("open " + AlertText.duration(a.lifetime()) + ": " + a.latest().description());
    }
    return out;
  }
}
