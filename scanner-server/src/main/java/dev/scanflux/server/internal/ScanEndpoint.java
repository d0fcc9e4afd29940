package dev.scanflux.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import dev.scanflux.core.MarketView;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code POST /api/scanner/scan}: the signals of the requested venues and the metadata of the
 * original service. Venues the running scanner covers are answered at once from its view (the
 * latest book and ticker of each instrument) with the timing of its latest completed scan; the
 * others run one one-off scan, at most {@link Settings#maxOneOff()} at a time.
 */
public final class ScanEndpoint {

  private static final Logger log = LoggerFactory.getLogger(ScanEndpoint.class);

  /** Seconds a client is told to wait when every one-off slot is taken. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private final Settings settings;
  private final Scheduler worker;
  private final Semaphore oneOffSlots;
  private final Supplier<@Nullable Scan> latest;

  public ScanEndpoint(Settings settings, Scheduler worker,
      Supplier<@Nullable Scan> latest) {
    this.settings = settings;
    this.latest = latest;
    this.worker = worker;
    this.oneOffSlots = new Semaphore(settings.maxOneOff());
  }

  /**
   * The venues a request may name: the running scanner's (asked each time: a Kafka feed learns
   * its venues as nodes announce them) and the one-off ones.
   */
  private Set<String> known() {
    Set<String> all = new LinkedHashSet<>(settings.scanner().venues());
    if (settings.oneOff() != null) {
      all.addAll(settings.oneOffVenues());
    }
    return all;
  }

  /** One-off scans running now. */
  public int oneOffRunning() {
    return settings.maxOneOff() - oneOffSlots.availablePermits();
  }

  /**
   * Answers a request body.
   *
   * @return the answer's JSON; errors with {@link BadRequest} for a refused request (400, or 429
   *     when every one-off slot is taken)
   */
  public Mono<ObjectNode> scan(String body) {
    ScanQuery q = ScanQuery.parse(body, known(), settings.thresholds());
    List<String> running = new ArrayList<>();
    List<String> oneOff = new ArrayList<>();
    for (String v : q.venues()) {
      (settings.scanner().venues().contains(v) ? running : oneOff).add(v);
    }
    if (!oneOff.isEmpty() && !oneOffSlots.tryAcquire()) {
      throw new BadRequest(429, "too_many_one_off_scans", "already running "
          + settings.maxOneOff() + " one-off scans, the most at once; retry in "
          + RETRY_AFTER_SECONDS + " s, or ask only for the running scanner's venues "
          + settings.scanner().venues());
    }
    Mono<Part> live = running.isEmpty() ? Mono.just(Part.EMPTY)
        : Mono.fromSupplier(() -> Part.running(settings.scanner().view(), latest.get(), running));
    Mono<Part> once = oneOff.isEmpty() ? Mono.just(Part.EMPTY) : oneOff(oneOff)
        .doFinally(s -> oneOffSlots.release());
    return Mono.zip(live, once).flatMap(parts -> answer(q, parts.getT1(), parts.getT2()));
  }

  private Mono<Part> oneOff(List<String> venues) {
    long started = worker.now(java.util.concurrent.TimeUnit.NANOSECONDS);
    return Mono.defer(() -> java.util.Objects.requireNonNull(settings.oneOff()).scan(venues))
        .timeout(settings.oneOffTimeout(), worker)
        .map(scan -> Part.oneOff(scan, venues))
        .onErrorResume(e -> {
          String why = e instanceof TimeoutException
              ? "the one-off scan did not finish within "
                  + Json.seconds(settings.oneOffTimeout()) + " s"
              : "the one-off scan failed: " + e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage());
          log.warn("one-off scan of {} failed: {}", venues, e.toString());
          return Mono.just(Part.failed(venues, "one_off_scan", why)
              .took(Duration.ofNanos(worker.now(java.util.concurrent.TimeUnit.NANOSECONDS) - started)));
        })
        .switchIfEmpty(Mono.fromSupplier(() -> Part.failed(venues, "one_off_scan",
            "the one-off scan ended without a completed cycle")));
  }

  private Mono<ObjectNode> answer(ScanQuery q, Part live, Part once) {
    List<MarketSnapshot> snapshots = new ArrayList<>(live.snapshots);
    snapshots.addAll(once.snapshots);
    List<VenueReport> reports = new ArrayList<>(live.reports.values());
    reports.addAll(once.reports.values());
    Duration parallel = max(live.parallel(), once.parallel());
    Instant now = settings.scanner().view().now();
    Instant completed = !live.venues.isEmpty() ? now
        : once.scan != null ? once.scan.completedAt() : now;
    Instant started = completed.minus(parallel);
    long cycle = live.scan != null ? live.scan.cycle() : once.scan != null ? once.scan.cycle() : 0;
    Scan combined = new Scan(completed, snapshots,
        new ScanReport(cycle, started, parallel, reports));
    Mono<List<Signal>> signals = settings.signals() == null || snapshots.isEmpty()
        ? Mono.just(List.of())
        : Mono.defer(() -> {
          Strategy<Signal> strategy = settings.signals().apply(q.thresholds());
          return strategy.apply(Flux.just(combined)).collectList();
        }).subscribeOn(worker);
    return signals.map(all -> render(q, live, once, combined, all));
  }

  private ObjectNode render(ScanQuery q, Part live, Part once, Scan combined,
      List<Signal> all) {
    Instant now = settings.scanner().view().now();
    ObjectNode o = Json.object();
    ArrayNode signals = o.putArray("signals");
    for (Signal s : Feeds.strongest(all, q.limit())) {
      signals.add(Json.signal(s));
    }
    ObjectNode meta = o.putObject("metadata");
    meta.put("mode", q.venues().size() == 1 ? "single" : "parallel");
    ObjectNode exchanges = meta.putObject("exchanges");
    int ok = 0;
    Duration sequential = Duration.ZERO;
    for (String v : q.venues()) {
      Part part = live.venues.contains(v) ? live : once;
      ObjectNode e = exchanges.putObject(v);
      VenueReport r = part.reports.get(v);
      Duration took = r == null ? part.took : r.duration();
      sequential = sequential.plus(took);
      e.put("source", part.source);
      e.put("duration_seconds", Json.seconds(took));
      boolean success = part.error == null && hasData(combined, v);
      ok += success ? 1 : 0;
      e.put("success", success);
      e.put("signals_found", all.stream().filter(s -> s.venues().contains(v)).count());
      if (part.scan != null) {
        e.put("cycle", part.scan.cycle());
        e.put("scan_completed_at", part.scan.completedAt().toString());
      } else if (part.error == null) {
        e.put("note", "the running scanner's first pass is not complete: the data is what "
            + "has arrived so far, and no duration is known yet");
      }
      Duration newest = null;
      Duration oldest = null;
      int count = 0;
      for (MarketSnapshot s : combined.snapshots()) {
        if (s.venue().equals(v)) {
          count++;
          Duration age = s.ageAt(now);
          newest = newest == null || age.compareTo(newest) < 0 ? age : newest;
          oldest = oldest == null || age.compareTo(oldest) > 0 ? age : oldest;
        }
      }
      e.put("snapshots", count);
      if (newest != null) {
        e.put("data_age_seconds", Json.seconds(newest));
        e.put("oldest_data_age_seconds", Json.seconds(oldest));
      }
      if (r != null) {
        e.put("requests", r.requests());
        e.set("failures", Json.failures(r.failures()));
      }
      String error = part.error != null ? part.error : success ? null : noData(r);
      if (error != null) {
        e.put("error", error);
      }
    }
    Duration parallel = combined.report().duration();
    meta.put("parallel_duration", Json.seconds(parallel));
    meta.put("sequential_duration_estimated", Json.seconds(sequential));
    meta.put("speedup", parallel.isZero() ? 1.0
        : Json.round((double) sequential.toNanos() / parallel.toNanos(), 3));
    meta.put("time_saved_seconds", Json.seconds(max(Duration.ZERO, sequential.minus(parallel))));
    meta.put("successful_scans", ok);
    meta.put("failed_scans", q.venues().size() - ok);
    meta.put("signals_total", all.size());
    meta.put("signals_returned", signals.size());
    ArrayNode fromRunning = meta.putArray("answered_from_running_scanner");
    live.venues.forEach(fromRunning::add);
    ArrayNode fromOneOff = meta.putArray("answered_by_one_off_scan");
    once.venues.forEach(fromOneOff::add);
    ObjectNode thresholds = meta.putObject("thresholds");
    q.thresholds().values().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(t -> thresholds.put(t.getKey(), t.getValue()));
    meta.put("timestamp", now.toString());
    return o;
  }

  private static boolean hasData(Scan scan, String venue) {
    for (MarketSnapshot s : scan.snapshots()) {
      if (s.venue().equals(venue)) {
        return true;
      }
    }
    return false;
  }

  private static String noData(@Nullable VenueReport r) {
    if (r == null || r.requests() == 0) {
      return "no data from this venue in the scan";
    }
    StringBuilder m = new StringBuilder("no valid data: " + r.failed() + " of " + r.requests()
        + " requests failed (");
    String sep = "";
    for (ErrorClass c : ErrorClass.values()) {
      if (r.failures(c) > 0) {
        m.append(sep).append(Json.name(c)).append(' ').append(r.failures(c));
        sep = ", ";
      }
    }
    return m.append(')').toString();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** One side of an answer: the running scanner's or the one-off scan's venues. */
  private static final class Part {
    static final Part EMPTY = new Part(null, List.of(), "none", null);

    final @Nullable Scan scan;
    final List<String> venues;
    final String source;
    final @Nullable String error;
    final List<MarketSnapshot> snapshots = new ArrayList<>();
    final Map<String, VenueReport> reports = new LinkedHashMap<>();
    Duration took = Duration.ZERO;

    private Part(@Nullable Scan scan, List<String> venues, String source,
        @Nullable String error) {
      this.scan = scan;
      this.venues = venues;
      this.source = source;
      this.error = error;
      if (scan != null) {
        for (String v : venues) {
          VenueReport r = scan.report().venues().get(v);
          if (r != null) {
            reports.put(v, r);
          }
        }
      }
    }

    /** A one-off scan's venues: its snapshots, reports and duration. */
    static Part oneOff(Scan scan, List<String> venues) {
      Part p = new Part(scan, venues, "one_off_scan", null);
      for (MarketSnapshot s : scan.snapshots()) {
        if (venues.contains(s.venue())) {
          p.snapshots.add(s);
        }
      }
      p.took = scan.report().duration();
      return p;
    }

    /**
     * The running scanner's venues, at once: the latest book and ticker of each instrument from
     * its view, and the reports of its latest completed scan (none before the first completes).
     */
    static Part running(MarketView view, @Nullable Scan latest, List<String> venues) {
      Part p = new Part(latest, venues, "running_scanner", null);
      for (MarketSnapshot s : view.books()) {
        if (venues.contains(s.venue())) {
          p.snapshots.add(s);
        }
      }
      for (MarketSnapshot s : view.tickers()) {
        if (venues.contains(s.venue())) {
          p.snapshots.add(s);
        }
      }
      for (VenueReport r : p.reports.values()) {
        p.took = max(p.took, r.duration());
      }
      return p;
    }

    static Part failed(List<String> venues, String source, String error) {
      return new Part(null, venues, source, error);
    }

    Part took(Duration d) {
      this.took = d;
      return this;
    }

    Duration parallel() {
      return venues.isEmpty() ? Duration.ZERO : took;
    }
  }
}
