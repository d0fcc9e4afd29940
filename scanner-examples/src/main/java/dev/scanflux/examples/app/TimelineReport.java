package dev.scanflux.examples.app;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects a scan's requests and reports and renders them as one self-contained HTML page
 * ({@code --html-report}): per venue, every request as a bar over time, one row per request in
 * flight (so the concurrency shows as the number of rows), priority requests dark, failures
 * coloured by class; under it the weight the venue counted in its sliding window against the
 * limit; cycle boundaries as vertical lines; and the cycle summaries as tables. No script and
 * nothing fetched: the file opens anywhere.
 *
 * <p>Keeps at most {@code maxEvents} requests (the newest) and says so when it dropped some.
 * Thread-safe; its callbacks only append under a short lock.
 */
final class TimelineReport implements ScanListener {

  private static final int WIDTH = 1100;
  private static final int ROW = 7;
  private static final int RATE_HEIGHT = 60;

  private final Map<String, RateLimitSpec> limits;
  private final int maxEvents;
  private final ArrayDeque<RequestEvent> events = new ArrayDeque<>();
  private final List<ScanReport> reports = new ArrayList<>();
  private long dropped;

  /**
   * @param limits    each venue's rate limit, in display order
   * @param maxEvents how many requests to keep, the newest
   */
  TimelineReport(Map<String, RateLimitSpec> limits, int maxEvents) {
    this.limits = new LinkedHashMap<>(limits);
    this.maxEvents = maxEvents;
  }

  @Override
  public synchronized void onRequest(RequestEvent event) {
    if (events.size() == maxEvents) {
      events.removeFirst();
      dropped++;
    }
    events.addLast(event);
  }

  @Override
  public synchronized void onScan(Scan scan) {
    reports.add(scan.report());
  }

  /** The page, as of now. */
  synchronized String render(String title, Instant generatedAt) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title)).append("</title>\n<style>")
        .append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}")
        .append("table{border-collapse:collapse;margin:8px 0 24px}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
        .append("svg{display:block;margin-bottom:8px}.legend span{display:inline-block;")
        .append("width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}")
        .append("</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n<p>Generated ")
        .append(generatedAt).append(". ").append(events.size()).append(" requests shown")
        .append(dropped > 0 ? " (the " + dropped + " oldest were dropped)" : "")
        .append(".</p>\n");
    legend(h);
    if (events.isEmpty()) {
      h.append("<p>No request was made.</p>\n");
    }
    for (String venue : venues()) {
      timeline(h, venue);
    }
    summary(h);
    h.append("</body></html>\n");
    return h.toString();
  }

  private List<String> venues() {
    List<String> names = new ArrayList<>(limits.keySet());
    for (RequestEvent e : events) {
      if (!names.contains(e.venue())) {
        names.add(e.venue());
      }
    }
    return names;
  }

  /** One venue on its own time axis, from its first request to its last answer. */
  private void timeline(StringBuilder h, String venue) {
    List<RequestEvent> mine = new ArrayList<>();
    for (RequestEvent e : events) {
      if (e.venue().equals(venue)) {
        mine.add(e);
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    mine.sort(Comparator.comparing(RequestEvent::start));
    long t0 = nanos(mine.get(0).start());
    long t1 = t0 + 1;
    for (RequestEvent e : mine) {
      t1 = Math.max(t1, nanos(e.start()) + e.roundTrip().toNanos());
    }
    List<Long> rowEnds = new ArrayList<>();
    int[] rows = new int[mine.size()];
    for (int i = 0; i < mine.size(); i++) {
      RequestEvent e = mine.get(i);
      long start = nanos(e.start());
      int row = 0;
      while (row < rowEnds.size() && rowEnds.get(row) > start) {
        row++;
      }
      if (row == rowEnds.size()) {
        rowEnds.add(0L);
      }
      rowEnds.set(row, start + e.roundTrip().toNanos());
      rows[i] = row;
    }
    RateLimitSpec limit = limits.get(venue);
    h.append("<h2>").append(esc(venue)).append("</h2>\n<p>").append(mine.size())
        .append(" requests, at most ").append(rowEnds.size()).append(" in flight")
        .append(limit == null ? "" : "; limit " + esc(limit.budget() + " weight per "
            + limit.window().toString().substring(2).toLowerCase(Locale.ROOT)))
        .append("; time axis ").append(ms(Duration.ofNanos(t1 - t0))).append(" ms wide.</p>\n");
    int height = Math.max(1, rowEnds.size()) * ROW + 4;
    double scale = (double) WIDTH / (t1 - t0);
    h.append("<svg width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"requests of ").append(esc(venue))
        .append(" over time\">");
    cycleLines(h, venue, t0, scale, height);
    for (int i = 0; i < mine.size(); i++) {
      RequestEvent e = mine.get(i);
      double x = (nanos(e.start()) - t0) * scale;
      double w = Math.max(1, e.roundTrip().toNanos() * scale);
      h.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(rows[i] * ROW + 2)
          .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(ROW - 1)
          .append("\" fill=\"").append(colour(e)).append("\"><title>")
          .append(esc(describe(e))).append("</title></rect>");
    }
    h.append("</svg>\n");
    if (limit != null) {
      rateChart(h, mine, limit, t0, scale);
    }
  }

  private void cycleLines(StringBuilder h, String venue, long t0, double scale, int height) {
    for (ScanReport r : reports) {
      double x = (nanos(r.startedAt()) - t0) * scale;
      if (x >= 0 && x <= WIDTH) {
        h.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x))
            .append("\" y1=\"0\" y2=\"").append(height)
            .append("\" stroke=\"#999\" stroke-dasharray=\"3,3\"><title>cycle ")
            .append(r.cycle()).append(" starts</title></line>");
      }
    }
  }

  /** Weight in the venue's sliding window at each request's start, against the budget. */
  private static void rateChart(StringBuilder h, List<RequestEvent> mine, RateLimitSpec limit,
      long t0, double scale) {
    long window = limit.window().toNanos();
    double yScale = (RATE_HEIGHT - 10.0) / limit.budget();
    StringBuilder points = new StringBuilder();
    int from = 0;
    long inWindow = 0;
    for (int i = 0; i < mine.size(); i++) {
      long start = nanos(mine.get(i).start());
      inWindow += mine.get(i).weight();
      while (nanos(mine.get(from).start()) <= start - window) {
        inWindow -= mine.get(from++).weight();
      }
      points.append(fmt((start - t0) * scale)).append(',')
          .append(fmt(RATE_HEIGHT - inWindow * yScale)).append(' ');
    }
    double budgetY = RATE_HEIGHT - limit.budget() * yScale;
    h.append("<svg width=\"").append(WIDTH).append("\" height=\"").append(RATE_HEIGHT)
        .append("\" role=\"img\" aria-label=\"weight in the sliding window\">")
        .append("<line x1=\"0\" x2=\"").append(WIDTH).append("\" y1=\"").append(fmt(budgetY))
        .append("\" y2=\"").append(fmt(budgetY))
        .append("\" stroke=\"#e63946\" stroke-dasharray=\"6,3\"><title>limit: ")
        .append(limit.budget()).append(" weight per window</title></line>")
        .append("<polyline fill=\"none\" stroke=\"#264653\" points=\"").append(points)
        .append("\"><title>weight sent in the last window</title></polyline></svg>\n");
  }

  private void summary(StringBuilder h) {
    if (reports.isEmpty()) {
      return;
    }
    h.append("<h2>Cycles</h2>\n<table><tr><th>cycle</th><th>duration ms</th>")
        .append("<th>sequential estimate ms</th><th>speedup</th><th>requests</th>")
        .append("<th>failed</th><th>throttled</th></tr>\n");
    for (ScanReport r : reports) {
      h.append("<tr><td>").append(r.cycle()).append("</td><td>").append(ms(r.duration()))
          .append("</td><td>").append(ms(r.sequentialEstimate())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.2f", r.speedup())).append("</td><td>")
          .append(r.requests()).append("</td><td>").append(r.failed()).append("</td><td>")
          .append(r.throttles()).append("</td></tr>\n");
    }
    h.append("</table>\n");
    ScanReport last = reports.get(reports.size() - 1);
    h.append("<h2>Venues in cycle ").append(last.cycle()).append("</h2>\n<table><tr>")
        .append("<th>venue</th><th>instruments</th><th>requests</th><th>ok</th>");
    for (ErrorClass c : ErrorClass.values()) {
      h.append("<th>").append(c.name().toLowerCase(Locale.ROOT).replace('_', ' '))
          .append("</th>");
    }
    h.append("<th>retries</th><th>gave up</th><th>duration ms</th><th>p50 ms</th>")
        .append("<th>p99 ms</th><th>utilisation</th></tr>\n");
    for (VenueReport v : last.venues().values()) {
      h.append("<tr><td>").append(esc(v.venue())).append("</td><td>").append(v.instruments())
          .append("</td><td>").append(v.requests()).append("</td><td>").append(v.successes());
      for (ErrorClass c : ErrorClass.values()) {
        h.append("</td><td>").append(v.failures(c));
      }
      h.append("</td><td>").append(v.retries()).append("</td><td>").append(v.gaveUp())
          .append("</td><td>").append(ms(v.duration())).append("</td><td>")
          .append(ms(v.latencyP50())).append("</td><td>").append(ms(v.latencyP99()))
          .append("</td><td>").append(String.format(Locale.ROOT, "%.0f%%",
              v.utilisation() * 100)).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void legend(StringBuilder h) {
    h.append("<p class=\"legend\">")
        .append("<span style=\"background:#1d3557\"></span>priority")
        .append("<span style=\"background:#8ecae6\"></span>ordinary")
        .append("<span style=\"background:#e63946\"></span>throttled")
        .append("<span style=\"background:#f4a261\"></span>transient")
        .append("<span style=\"background:#9b5de5\"></span>bad data")
        .append("<span style=\"background:#6c757d\"></span>permanent")
        .append("</p>\n");
  }

  private static String colour(RequestEvent e) {
    ErrorClass f = e.failure();
    if (f == null) {
      return e.priority() ? "#1d3557" : "#8ecae6";
    }
    return switch (f) {
      case THROTTLED -> "#e63946";
      case TRANSIENT -> "#f4a261";
      case BAD_DATA -> "#9b5de5";
      case PERMANENT -> "#6c757d";
    };
  }

  private static String describe(RequestEvent e) {
    return e.kind().name().toLowerCase(Locale.ROOT)
        + (e.instrument() == null ? "" : " " + e.instrument())
        + (e.priority() ? " (priority)" : "") + ", cycle " + e.cycle() + ", attempt "
        + e.attempt() + ", weight " + e.weight() + ", " + ms(e.roundTrip()) + " ms"
        + (e.failure() == null ? "" : ", " + e.failure());
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private static String ms(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e6);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
