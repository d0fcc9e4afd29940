package dev.scanflux.examples.app;

import dev.scanflux.core.PassEvent;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What the terminal shows while the app scans, and the whole run's figures for the final report.
 * Per venue: its pass and fresh books (from {@link Progress}), requests and weight per second
 * over the last second against the limit (all three in the same unit per second, the limit in
 * weight), run totals of requests, snapshots (streamed ones included) and failures, and its
 * stream; then the last scan's line and the top opportunities the strategies found.
 *
 * <p>It listens to the scanner (cheap, synchronized appends) and renders on demand:
 * {@link #frame} is a list of lines cut to the terminal's width (never wrapped), {@link #line}
 * the plain line of one scan, {@link #totals} the run's per-venue totals. Thread-safe.
 */
final class LiveView implements ScanListener {

  private static final long SECOND = 1_000_000_000L;
  /** Below this width the stream column becomes a line per streamed venue under the table. */
  static final int NARROW = 110;

  private final Map<String, RateLimitSpec> limits;
  private final @Nullable Progress progress;
  private final LongSupplier nanoTime;
  private final long startedNanos;
  private final Map<String, VenueState> venues = new LinkedHashMap<>();
  private List<String> opportunities = List.of();
  private List<String> alerts = List.of();
  private @Nullable ScanReport lastReport;

  /** Each venue's rate limit, in display order; no pass or freshness column. */
  LiveView(Map<String, RateLimitSpec> limits) {
    this(limits, null, System::nanoTime);
  }

  /**
   * @param limits   each venue's rate limit, in display order
   * @param progress each venue's pass and fresh books, or null to leave them out
   * @param nanoTime the clock rates are measured on (requests are counted when they complete)
   */
  LiveView(Map<String, RateLimitSpec> limits, @Nullable Progress progress, LongSupplier nanoTime) {
    this.limits = new LinkedHashMap<>(limits);
    this.progress = progress;
    this.nanoTime = nanoTime;
    this.startedNanos = nanoTime.getAsLong();
    limits.keySet().forEach(v -> venues.put(v, new VenueState()));
  }

  @Override
  public synchronized void onRequest(RequestEvent e) {
    VenueState v = venues.computeIfAbsent(e.venue(), k -> new VenueState());
    v.recent.addLast(new long[] {nanoTime.getAsLong(), e.weight()});
    v.requests++;
    v.weight += e.weight();
    if (e.cancelled()) {
      v.cancelled++;
    } else if (e.failure() != null) {
      v.failures.merge(e.failure(), 1L, Long::sum);
    } else {
      v.ok++;
    }
  }

  @Override
  public synchronized void onSnapshot(MarketSnapshot s) {
    venues.computeIfAbsent(s.venue(), k -> new VenueState()).snapshots++;
  }

  @Override
  public synchronized void onScan(Scan scan) {
    lastReport = scan.report();
    for (VenueReport r : scan.report().venues().values()) {
      VenueState v = venues.computeIfAbsent(r.venue(), k -> new VenueState());
      v.stream = r.stream();
      v.streamUpdates += r.stream().updates();
      v.instruments = r.instruments();
      // a scanner that reports no PassEvents (a Kafka feed) still counts its scans' passes
      v.passesInScans += r.passes();
      if (v.passesInScans > v.passes) {
        v.passes = v.passesInScans;
        v.lastPass = r.lastPass();
      }
    }
  }

  @Override
  public synchronized void onPass(PassEvent e) {
    VenueState v = venues.computeIfAbsent(e.venue(), k -> new VenueState());
    v.passes = Math.max(v.passes, e.pass());
    v.lastPass = e.duration();
  }

  @Override
  public synchronized void onStreamTransition(StreamTransition t) {
    VenueState v = venues.computeIfAbsent(t.venue(), k -> new VenueState());
    v.lastTransition = t.type().name().toLowerCase(Locale.ROOT)
        + (t.cause() == null ? "" : " " + t.cause().name().toLowerCase(Locale.ROOT));
  }

  /** Replaces the list of opportunities shown, best first. */
  synchronized void opportunities(List<String> best) {
    this.opportunities = List.copyOf(best);
  }

  /** Replaces the alert lines shown: counts, sinks, open alerts. */
  synchronized void alerts(List<String> lines) {
    this.alerts = List.copyOf(lines);
  }

  /**
   * A full frame for a terminal {@code width} columns wide: every line cut to fit, so nothing
   * wraps and the frame redraws in place.
   */
  synchronized List<String> frame(int width, Duration elapsed) {
    List<String> lines = new ArrayList<>();
    long scans = lastReport == null ? 0 : lastReport.cycle();
    lines.add(String.format(Locale.ROOT, "Scanflux  %d venues  %s  running %s   (Ctrl-C stops)",
        venues.size(), scans == 0 ? "waiting for scan 1 (a pass of every venue)"
            : "scan " + scans, Progress.clock(elapsed)));
    lines.add("");
    boolean narrow = width < NARROW; // the streams go below the table
    String columns = narrow ? "%-10s %6s %8s %6s %6s %7s %8s %9s %5s %5s"
        : "%-10s %6s %8s %6s %6s %7s %8s %9s %5s %5s  %s";
    lines.add(String.format(Locale.ROOT, columns, "venue", "passes", "fresh", "req/s", "wt/s",
        "limit/s", "requests", "snapshots", "fail", "thrtl", "stream"));
    List<String> streams = new ArrayList<>();
    long now = nanoTime.getAsLong();
    for (Map.Entry<String, VenueState> e : venues.entrySet()) {
      VenueState v = e.getValue();
      while (!v.recent.isEmpty() && v.recent.peekFirst()[0] <= now - SECOND) {
        v.recent.removeFirst();
      }
      long weight = 0;
      for (long[] r : v.recent) {
        weight += r[1];
      }
      RateLimitSpec limit = limits.get(e.getKey());
      String pass = "-";
      String fresh = "-";
      if (progress != null) {
        pass = progress.started(e.getKey()) ? Long.toString(progress.passes(e.getKey())) : "-";
        int[] f = progress.fresh(e.getKey());
        fresh = f[1] == 0 ? "listing" : f[0] + "/" + f[1];
      }
      if (narrow && !"-".equals(v.streamCell())) {
        streams.add(e.getKey() + " stream: " + v.streamCell());
      }
      lines.add(String.format(Locale.ROOT, columns,
          e.getKey(), pass, fresh, rate(v.recent.size()), rate(weight),
          limit == null ? "-" : rate(limit.ratePerSecond()), count(v.requests),
          count(v.snapshots), count(v.failed()), count(v.failures(ErrorClass.THROTTLED)),
          v.streamCell()));
    }
    lines.addAll(streams);
    List<String> failing = new ArrayList<>();
    venues.forEach((name, v) -> {
      if (v.failed() > 0) {
        failing.add(name + " " + failureClasses(v.failures));
      }
    });
    if (!failing.isEmpty()) {
      lines.add("failures: " + String.join("; ", failing));
    }
    ScanReport last = lastReport;
    if (last != null) {
      lines.add("");
      lines.add(line(last));
    }
    lines.add("");
    lines.add("Top opportunities");
    if (opportunities.isEmpty()) {
      lines.add("  none yet");
    }
    opportunities.forEach(o -> lines.add("  " + o));
    if (!alerts.isEmpty()) {
      lines.add("");
      lines.add("Alerts");
      alerts.forEach(a -> lines.add("  " + a));
    }
    return lines.stream().map(l -> fit(l, width)).toList();
  }

  /**
   * The run's totals per venue, for the final report: requests and weight with their rates over
   * the whole run, snapshots (streamed and polled), failures by class, requests cancelled
   * (shown only when some were), passes and the last one.
   */
  synchronized List<String> totals() {
    double seconds = Math.max(1e-9, (nanoTime.getAsLong() - startedNanos) / 1e9);
    List<String> lines = new ArrayList<>();
    venues.forEach((name, v) -> lines.add(String.format(Locale.ROOT,
        "%-10s %s %s (%s/s), weight %s (%s/s of %s), %s snapshots (%s/s%s), %s failed%s,"
            + "%s %s %s%s",
        name, count(v.requests), v.requests == 1 ? "request" : "requests",
        rate(v.requests / seconds), count(v.weight),
        rate(v.weight / seconds), limits.get(name) == null ? "-"
            : rate(limits.get(name).ratePerSecond()),
        count(v.snapshots), rate(v.snapshots / seconds),
        v.streamUpdates > 0 ? "; " + count(v.streamUpdates) + " stream updates" : "",
        count(v.failed()), v.failed() > 0 ? " (" + failureClasses(v.failures) + ")" : "",
        v.cancelled > 0 ? " " + count(v.cancelled) + " cancelled," : "", count(v.passes),
        v.passes == 1 ? "pass" : "passes",
        v.passes > 0 ? String.format(Locale.ROOT, ", last %.1f s", v.lastPass.toMillis() / 1000.0)
            : "")));
    return lines;
  }

  /**
   * One plain line summing up a completed scan: its period, requests, failures, cancelled
   * requests (shown only when some were), throttles, each venue's passes, and the streams'
   * part. The speedup (venues side by side against one after another)
   * is shown only where every venue was polled: a streamed venue's pass is not set by requests.
   */
  static String line(ScanReport r) {
    StringBuilder streams = new StringBuilder();
    boolean streamed = false;
    StringBuilder passes = new StringBuilder();
    for (VenueReport v : r.venues().values()) {
      passes.append(passes.length() == 0 ? "" : ", ").append(v.venue()).append(' ')
          .append(v.passes());
      StreamReport s = v.stream();
      if (s.state() != StreamReport.State.OFF) {
        streamed = true;
        streams.append(streams.length() == 0 ? "; streams: " : ", ").append(v.venue())
            .append(' ').append(streamSummary(s));
      }
    }
    String speedup = streamed || r.venues().size() < 2 ? "" : String.format(Locale.ROOT,
        " (one venue after another: %.2f s, %.1fx)", r.sequentialEstimate().toNanos() / 1e9,
        r.speedup());
    return String.format(Locale.ROOT,
        "scan %d: %d venues, %s requests in %.2f s%s, %s failed, %s%s throttled; passes: %s%s",
        r.cycle(), r.venues().size(), count(r.requests()), r.duration().toNanos() / 1e9, speedup,
        count(r.failed()), r.cancelled() == 0 ? "" : count(r.cancelled()) + " cancelled, ",
        count(r.throttles()), passes, streams);
  }

  /** e.g. {@code connected, 200 books live, 1,843 updates, 1 resync, 0 polled}. */
  static String streamSummary(StreamReport s) {
    return String.format(Locale.ROOT, "%s, %d books live, %s updates, %s resyncs, %s polled",
        s.state().name().toLowerCase(Locale.ROOT), s.liveBooks(), count(s.updates()),
        count(s.resynced()), count(s.polled()));
  }

  /** A count for people: {@code 950}, {@code 12,345}, {@code 1.2 M}, {@code 557.3 M}. */
  static String count(long n) {
    if (Math.abs(n) < 1_000_000) {
      return String.format(Locale.ROOT, "%,d", n);
    }
    if (Math.abs(n) < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f M", n / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f G", n / 1e9);
  }

  /** A rate for people: one decimal below 1,000, then a count. */
  static String rate(double perSecond) {
    return perSecond < 1000 ? String.format(Locale.ROOT, "%.1f", perSecond)
        : count(Math.round(perSecond));
  }

  /** The line cut to {@code width - 1} columns (the last column would make some terminals wrap). */
  static String fit(String line, int width) {
    int max = Math.max(10, width - 1);
    return line.length() <= max ? line : line.substring(0, max - 1) + "…";
  }

  private static String failureClasses(Map<ErrorClass, Long> failures) {
    List<String> parts = new ArrayList<>();
    failures.forEach((c, n) -> parts.add(count(n) + " " + c.name().toLowerCase(Locale.ROOT)));
    return String.join(", ", parts);
  }

  private static final class VenueState {
    final ArrayDeque<long[]> recent = new ArrayDeque<>();
    final Map<ErrorClass, Long> failures = new EnumMap<>(ErrorClass.class);
    long requests;
    long ok;
    long cancelled;
    long weight;
    long snapshots;
    long streamUpdates;
    long passes;
    long passesInScans;
    int instruments;
    Duration lastPass = Duration.ZERO;
    StreamReport stream = StreamReport.OFF;
    String lastTransition = "";

    long failures(ErrorClass c) {
      return failures.getOrDefault(c, 0L);
    }

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    String streamCell() {
      if (stream.state() == StreamReport.State.OFF) {
        return lastTransition.isEmpty() ? "-" : lastTransition;
      }
      return String.format(Locale.ROOT, "%s, %d live, %s upd%s",
          stream.state().name().toLowerCase(Locale.ROOT), stream.liveBooks(),
          count(streamUpdates), lastTransition.isEmpty() ? "" : " (last: " + lastTransition + ")");
    }
  }

  /** The venue names shown, in order; for tests. */
  synchronized List<String> venues() {
    return new ArrayList<>(venues.keySet());
  }
}
