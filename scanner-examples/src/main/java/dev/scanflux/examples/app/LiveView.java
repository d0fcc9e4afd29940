package dev.scanflux.examples.app;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the terminal shows while the app scans: per venue, a progress bar for the current cycle,
 * requests per second against the limit, and failures by class; then the last cycle's summary
 * and the top opportunities the strategies found.
 *
 * <p>It listens to the scanner (cheap, synchronized appends) and renders a frame on demand:
 * {@link #frame} for a terminal that is redrawn in place, {@link #line} for piped output, one
 * line per completed cycle. Thread-safe.
 */
final class LiveView implements ScanListener {

  private static final int BAR = 24;

  private final Map<String, RateLimitSpec> limits;
  private final Map<String, VenueState> venues = new LinkedHashMap<>();
  private List<String> opportunities = List.of();
  private List<String> alerts = List.of();
  private @Nullable ScanReport lastReport;
  private long cycle;

  /** Each venue's rate limit, in display order. */
  LiveView(Map<String, RateLimitSpec> limits) {
    this.limits = new LinkedHashMap<>(limits);
    limits.keySet().forEach(v -> venues.put(v, new VenueState()));
  }

  @Override
  public synchronized void onRequest(RequestEvent e) {
    VenueState v = venues.computeIfAbsent(e.venue(), k -> new VenueState());
    if (e.cycle() != v.cycle) {
      v.cycle = e.cycle();
      v.done = 0;
    }
    v.done++;
    long end = nanos(e.start()) + e.roundTrip().toNanos();
    v.recent.addLast(new long[] {end, e.weight()});
    if (e.failure() != null) {
      v.failures.merge(e.failure(), 1L, Long::sum);
    } else {
      v.ok++;
    }
    cycle = Math.max(cycle, e.cycle());
  }

  @Override
  public synchronized void onScan(Scan scan) {
    lastReport = scan.report();
    for (VenueReport r : scan.report().venues().values()) {
      VenueState v = venues.computeIfAbsent(r.venue(), k -> new VenueState());
      v.planned = r.requests();
      v.stream = r.stream();
    }
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

  /** A full frame for a terminal, as of {@code now} on the scanner's clock. */
  synchronized String frame(Instant now, Duration elapsed) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Scanflux  cycle %d  %d venues  running %s%n%n",
        cycle, venues.size(), clock(elapsed)));
    b.append(String.format(Locale.ROOT, "%-12s %-32s %9s %9s %9s %6s %6s %6s %6s  %s%n", "venue",
        "current cycle", "req/s", "limit/s", "ok", "thrott", "trans", "bad", "perm", "stream"));
    long nowNanos = nanos(now);
    for (Map.Entry<String, VenueState> e : venues.entrySet()) {
      VenueState v = e.getValue();
      while (!v.recent.isEmpty() && v.recent.peekFirst()[0] <= nowNanos - 1_000_000_000L) {
        v.recent.removeFirst();
      }
      RateLimitSpec limit = limits.get(e.getKey());
      b.append(String.format(Locale.ROOT, "%-12s %-32s %9.1f %9s %9d %6d %6d %6d %6d  %s%n",
          e.getKey(), bar(v.done, v.planned), (double) v.recent.size(),
          limit == null ? "-" : String.format(Locale.ROOT, "%.1f", limit.ratePerSecond()),
          v.ok, v.failures(ErrorClass.THROTTLED), v.failures(ErrorClass.TRANSIENT),
          v.failures(ErrorClass.BAD_DATA), v.failures(ErrorClass.PERMANENT), v.streamCell()));
    }
    ScanReport last = lastReport;
    if (last != null) {
      b.append(System.lineSeparator()).append(line(last)).append(System.lineSeparator());
    }
    b.append(System.lineSeparator()).append("Top opportunities").append(System.lineSeparator());
    if (opportunities.isEmpty()) {
      b.append("  none yet").append(System.lineSeparator());
    }
    for (String o : opportunities) {
      b.append("  ").append(o).append(System.lineSeparator());
    }
    if (!alerts.isEmpty()) {
      b.append(System.lineSeparator()).append("Alerts").append(System.lineSeparator());
      for (String a : alerts) {
        b.append("  ").append(a).append(System.lineSeparator());
      }
    }
    return b.toString();
  }

  /** One plain line summing up a completed cycle, with its streams' part if any. */
  static String line(ScanReport r) {
    StringBuilder streams = new StringBuilder();
    for (VenueReport v : r.venues().values()) {
      StreamReport s = v.stream();
      if (s.state() != StreamReport.State.OFF) {
        streams.append(streams.length() == 0 ? "; streams: " : ", ").append(v.venue())
            .append(' ').append(streamSummary(s));
      }
    }
    return String.format(Locale.ROOT,
        "cycle %d: %d venues, %d requests in %.2f s (sequential estimate %.2f s, speedup %.2fx),"
            + " %d failed, %d throttled%s",
        r.cycle(), r.venues().size(), r.requests(), r.duration().toNanos() / 1e9,
        r.sequentialEstimate().toNanos() / 1e9, r.speedup(), r.failed(), r.throttles(), streams);
  }

  /** e.g. {@code connected, 200 books live, 1843 updates, 1 resync, 0 polled}. */
  static String streamSummary(StreamReport s) {
    return String.format(Locale.ROOT, "%s, %d books live, %d updates, %d resyncs, %d polled",
        s.state().name().toLowerCase(Locale.ROOT), s.liveBooks(), s.updates(), s.resynced(),
        s.polled());
  }

  private static String bar(long done, long planned) {
    if (planned <= 0) {
      return String.format(Locale.ROOT, "%d requests", done);
    }
    long shown = Math.min(done, planned);
    int filled = (int) (BAR * shown / planned);
    return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] "
        + String.format(Locale.ROOT, "%3d%%", 100 * shown / planned);
  }

  private static String clock(Duration d) {
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static final class VenueState {
    final ArrayDeque<long[]> recent = new ArrayDeque<>();
    final Map<ErrorClass, Long> failures = new EnumMap<>(ErrorClass.class);
    long cycle;
    long done;
    long planned;
    long ok;
    StreamReport stream = StreamReport.OFF;
    String lastTransition = "";

    long failures(ErrorClass c) {
      return failures.getOrDefault(c, 0L);
    }

    String streamCell() {
      if (stream.state() == StreamReport.State.OFF) {
        return lastTransition.isEmpty() ? "-" : lastTransition;
      }
      return String.format(Locale.ROOT, "%s, %d books live, %d upd%s",
          stream.state().name().toLowerCase(Locale.ROOT), stream.liveBooks(), stream.updates(),
          lastTransition.isEmpty() ? "" : " (last: " + lastTransition + ")");
    }
  }

  /** The venue names shown, in order; for tests. */
  synchronized List<String> venues() {
    return new ArrayList<>(venues.keySet());
  }
}
