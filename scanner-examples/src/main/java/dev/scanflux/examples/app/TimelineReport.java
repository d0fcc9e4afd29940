package dev.scanflux.examples.app;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.alert.AlertEvent;
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
 * Collects a run's requests, passes, stream transitions, scans and alerts and renders them as
 * one self-contained HTML page ({@code --html-report}) on one shared time axis (seconds since the
 * run's first event, labelled ticks, axis titles): per venue a lane with every request as a bar
 * (one row per request in flight, at most {@value #MAX_ROWS} rows; priority dark, failures
 * coloured by class, throttles marked above the lane), the venue's pass boundaries, a stream strip
 * (connected periods, drops, resyncs), and the weight in its sliding window against the limit;
 * scan boundaries across every lane; alerts on a lane of their own. Then the scans and the last
 * scan's venues as tables. No script and nothing fetched: the file opens anywhere.
 *
 * <p>Keeps at most {@code maxEvents} requests (the newest) and says so when it dropped some.
 * Thread-safe; its callbacks only append under a short lock.
 */
final class TimelineReport implements ScanListener {

  static final int MAX_ROWS = 8;
  private static final int LEFT = 120;
  private static final int PLOT = 1140;
  private static final int RIGHT = 20;
  private static final int ROW = 5;
  private static final int STREAM = 10;
  private static final int RATE_HEIGHT = 34;
  private static final int GAP = 18;
  private static final int AXIS = 34;

  private final Map<String, RateLimitSpec> limits;
  private final int maxEvents;
  private final ArrayDeque<RequestEvent> events = new ArrayDeque<>();
  private final List<ScanReport> reports = new ArrayList<>();
  private final List<StreamTransition> transitions = new ArrayList<>();
  private final List<AlertEvent> alerts = new ArrayList<>();
  /** When each alert event arrived, on the scanner's clock (alert times are the signals'). */
  private final List<Long> alertAt = new ArrayList<>();
  /** The scanner's clock minus System.nanoTime, as of the latest completed request. */
  private long clockOffset;
  private boolean clockKnown;
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
    clockOffset = nanos(event.start()) + event.roundTrip().toNanos() - System.nanoTime();
    clockKnown = true;
  }

  @Override
  public synchronized void onScan(Scan scan) {
    reports.add(scan.report());
  }

  @Override
  public synchronized void onStreamTransition(StreamTransition transition) {
    if (transitions.size() < maxEvents) {
      transitions.add(transition);
    }
  }

  /** An alert opened, updated or closed: marked on the alerts lane. */
  synchronized void alert(AlertEvent event) {
    if (alerts.size() < maxEvents && clockKnown) {
      alerts.add(event);
      alertAt.add(System.nanoTime() + clockOffset);
    }
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
        .append("svg{display:block;margin-bottom:8px;font:12px system-ui,sans-serif}")
        .append(".legend span{display:inline-block;")
        .append("width:12px;height:12px;margin:0 4px 0 14px;vertical-align:middle}")
        .append("</style></head><body>\n<h1>").append(esc(title)).append("</h1>\n<p>Generated ")
        .append(generatedAt).append(". ").append(events.size()).append(" requests, ")
        .append(reports.size()).append(" scans, ").append(transitions.size())
        .append(" stream events, ").append(alerts.size()).append(" alert events shown")
        .append(dropped > 0 ? " (the " + dropped + " oldest requests were dropped)" : "")
        .append(". Hover a mark for its details.</p>\n");
    legend(h);
    if (events.isEmpty() && transitions.isEmpty()) {
      h.append("<p>No request was made.</p>\n");
    } else {
      chart(h);
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

  /** Everything on one time axis: a lane per venue, then the alerts lane. */
  private void chart(StringBuilder h) {
    long t0 = Long.MAX_VALUE;
    long t1 = Long.MIN_VALUE;
    for (RequestEvent e : events) {
      t0 = Math.min(t0, nanos(e.start()));
      t1 = Math.max(t1, nanos(e.start()) + e.roundTrip().toNanos());
    }
    for (StreamTransition t : transitions) {
      t0 = Math.min(t0, nanos(t.at()));
      t1 = Math.max(t1, nanos(t.at()));
    }
    for (ScanReport r : reports) {
      t1 = Math.max(t1, nanos(r.startedAt()) + r.duration().toNanos());
    }
    for (long at : alertAt) {
      t1 = Math.max(t1, at);
    }
    t1 = Math.max(t1, t0 + 1_000_000_000L);
    Axis axis = new Axis(t0, t1);
    List<String> venues = venues();
    Map<String, List<RequestEvent>> byVenue = new LinkedHashMap<>();
    venues.forEach(v -> byVenue.put(v, new ArrayList<>()));
    for (RequestEvent e : events) {
      byVenue.get(e.venue()).add(e);
    }
    int laneHeight = MAX_ROWS * ROW + 6 + STREAM + 4 + RATE_HEIGHT;
    int alertsTop = AXIS + venues.size() * (laneHeight + GAP);
    int height = alertsTop + 24 + AXIS;
    h.append("<svg width=\"").append(LEFT + PLOT + RIGHT).append("\" height=\"").append(height)
        .append("\" role=\"img\" aria-label=\"every venue's requests on one time axis\">");
    axis.draw(h, AXIS, height - AXIS);
    h.append("<text x=\"").append(LEFT + PLOT / 2).append("\" y=\"12\" text-anchor=\"middle\"")
        .append(" font-weight=\"bold\">time since the first request (s)</text>")
        .append("<text x=\"").append(LEFT + PLOT / 2).append("\" y=\"").append(height - 2)
        .append("\" text-anchor=\"middle\" font-weight=\"bold\">time since the first request")
        .append(" (s)</text>")
        .append("<text transform=\"translate(12,").append(height / 2).append(") rotate(-90)\"")
        .append(" text-anchor=\"middle\" font-weight=\"bold\">venue: requests in flight,")
        .append(" stream, weight / limit</text>");
    int top = AXIS;
    for (String venue : venues) {
      lane(h, venue, byVenue.get(venue), axis, top);
      top += laneHeight + GAP;
    }
    alertLane(h, axis, alertsTop);
    for (ScanReport r : reports) {
      double x = axis.x(nanos(r.startedAt()) + r.duration().toNanos());
      h.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x))
          .append("\" y1=\"").append(AXIS).append("\" y2=\"").append(height - AXIS)
          .append("\" stroke=\"#2a9d8f\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\">")
          .append("<title>scan ").append(r.cycle()).append(" cut: every venue completed a pass")
          .append("</title></line>");
    }
    h.append("</svg>\n");
  }

  private void lane(StringBuilder h, String venue, List<RequestEvent> mine, Axis axis, int top) {
    mine.sort(Comparator.comparing(RequestEvent::start));
    RateLimitSpec limit = limits.get(venue);
    int rowsBottom = top + MAX_ROWS * ROW + 4;
    h.append("<rect x=\"").append(LEFT).append("\" y=\"").append(top).append("\" width=\"")
        .append(PLOT).append("\" height=\"").append(MAX_ROWS * ROW + 6 + STREAM + 4 + RATE_HEIGHT)
        .append("\" fill=\"#fafafa\" stroke=\"#ddd\"/>")
        .append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(top + 14)
        .append("\" text-anchor=\"end\" font-weight=\"bold\">").append(esc(venue))
        .append("</text><text x=\"").append(LEFT - 8).append("\" y=\"").append(top + 28)
        .append("\" text-anchor=\"end\" fill=\"#555\">").append(mine.size())
        .append(" req</text>");
    List<Long> rowEnds = new ArrayList<>();
    long pass = -1;
    StringBuilder marks = new StringBuilder();
    for (RequestEvent e : mine) {
      long start = nanos(e.start());
      int row = 0;
      while (row < rowEnds.size() && rowEnds.get(row) > start) {
        row++;
      }
      if (row == rowEnds.size()) {
        rowEnds.add(0L);
      }
      rowEnds.set(row, start + e.roundTrip().toNanos());
      int shown = Math.min(row, MAX_ROWS - 1);
      double x = axis.x(start);
      double w = Math.max(1, axis.width(e.roundTrip().toNanos()));
      h.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(top + 2 + shown * ROW)
          .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(ROW - 1)
          .append("\" fill=\"").append(colour(e)).append("\"><title>")
          .append(esc(venue + ": " + describe(e))).append("</title></rect>");
      if (e.failure() != null) { // a mark above the lane: visible however thin the bar
        marks.append("<path d=\"M").append(fmt(x - 4)).append(',').append(top - 7).append(" L")
            .append(fmt(x + 4)).append(',').append(top - 7).append(" L").append(fmt(x)).append(',')
            .append(top - 1).append(" Z\" fill=\"").append(colour(e)).append("\"><title>")
            .append(esc(venue + ": " + describe(e))).append("</title></path>");
      }
      if (e.cycle() != pass) {
        pass = e.cycle();
        h.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x))
            .append("\" y1=\"").append(top).append("\" y2=\"").append(rowsBottom)
            .append("\" stroke=\"#555\"><title>").append(esc(venue)).append(" pass ")
            .append(pass).append(" begins</title></line>");
      }
    }
    h.append(marks);
    streamStrip(h, venue, axis, rowsBottom + 2);
    if (limit != null) {
      rateChart(h, mine, limit, axis, rowsBottom + STREAM + 4);
    }
  }

  /** Connected periods as a green strip, drops as red ticks, resyncs and rejections as amber. */
  private void streamStrip(StringBuilder h, String venue, Axis axis, int y) {
    Long connectedAt = null;
    for (StreamTransition t : transitions) {
      if (!t.venue().equals(venue)) {
        continue;
      }
      long at = nanos(t.at());
      switch (t.type()) {
        case CONNECTED -> connectedAt = at;
        case DISCONNECTED -> {
          if (connectedAt != null) {
            strip(h, axis, connectedAt, at, y, venue + " stream connected");
            connectedAt = null;
          }
          tick(h, axis.x(at), y, "#e63946", venue + " stream dropped: " + t.detail());
        }
        default -> tick(h, axis.x(at), y, "#f4a261", venue + " " + t.type().name()
            .toLowerCase(Locale.ROOT) + (t.instrument() == null ? "" : " " + t.instrument())
            + (t.cause() == null ? "" : " (" + t.cause() + ")") + ": " + t.detail());
      }
    }
    if (connectedAt != null) {
      strip(h, axis, connectedAt, axis.t1, y, venue + " stream connected");
    }
    h.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + 8)
        .append("\" text-anchor=\"end\" fill=\"#555\">stream</text>");
  }

  private static void strip(StringBuilder h, Axis axis, long from, long to, int y, String title) {
    h.append("<rect x=\"").append(fmt(axis.x(from))).append("\" y=\"").append(y)
        .append("\" width=\"").append(fmt(Math.max(1, axis.x(to) - axis.x(from))))
        .append("\" height=\"").append(STREAM - 2).append("\" fill=\"#95d5b2\"><title>")
        .append(esc(title)).append("</title></rect>");
  }

  private static void tick(StringBuilder h, double x, int y, String colour, String title) {
    h.append("<rect x=\"").append(fmt(x - 1)).append("\" y=\"").append(y - 1)
        .append("\" width=\"3\" height=\"").append(STREAM).append("\" fill=\"")
        .append(colour).append("\"><title>").append(esc(title)).append("</title></rect>");
  }

  private void alertLane(StringBuilder h, Axis axis, int y) {
    h.append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(y + 12)
        .append("\" text-anchor=\"end\" font-weight=\"bold\">alerts</text>")
        .append("<rect x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"")
        .append(PLOT).append("\" height=\"16\" fill=\"#fafafa\" stroke=\"#ddd\"/>");
    for (int i = 0; i < alerts.size(); i++) {
      AlertEvent a = alerts.get(i);
      long at = alertAt.get(i);
      if (at < axis.t0 || at > axis.t1) {
        continue;
      }
      String colour = switch (a.type()) {
        case OPENED -> "#d62828";
        case CLOSED -> "#2a9d8f";
        default -> "#f4a261";
      };
      double x = axis.x(at);
      h.append("<circle cx=\"").append(fmt(x)).append("\" cy=\"").append(y + 8)
          .append("\" r=\"4\" fill=\"").append(colour).append("\"><title>")
          .append(esc("alert " + a.type().name().toLowerCase(Locale.ROOT) + ": "
              + a.alert().latest().description()))
          .append("</title></circle>");
    }
  }

  /** Weight in the venue's sliding window at each request's start, against the budget. */
  private static void rateChart(StringBuilder h, List<RequestEvent> mine, RateLimitSpec limit,
      Axis axis, int top) {
    if (mine.isEmpty()) {
      return;
    }
    long window = limit.window().toNanos();
    double yScale = (RATE_HEIGHT - 4.0) / limit.budget();
    int bottom = top + RATE_HEIGHT;
    StringBuilder points = new StringBuilder();
    int from = 0;
    long inWindow = 0;
    double lastY = bottom;
    for (int i = 0; i < mine.size(); i++) {
      long start = nanos(mine.get(i).start());
      inWindow += mine.get(i).weight();
      while (nanos(mine.get(from).start()) <= start - window) {
        inWindow -= mine.get(from++).weight();
      }
      double y = bottom - Math.min(inWindow, limit.budget() * 1.1) * yScale;
      if (i > 0) { // a step: the weight holds until the next request
        points.append(fmt(axis.x(start))).append(',').append(fmt(lastY)).append(' ');
      }
      points.append(fmt(axis.x(start))).append(',').append(fmt(y)).append(' ');
      lastY = y;
    }
    double budgetY = bottom - limit.budget() * yScale;
    h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT)
        .append("\" y1=\"").append(fmt(budgetY)).append("\" y2=\"").append(fmt(budgetY))
        .append("\" stroke=\"#e63946\" stroke-dasharray=\"6,3\"><title>limit: ")
        .append(limit.budget()).append(" weight per ")
        .append(limit.window().toString().substring(2).toLowerCase(Locale.ROOT))
        .append("</title></line>")
        .append("<polyline fill=\"none\" stroke=\"#264653\" points=\"").append(points)
        .append("\"><title>weight sent in the last window</title></polyline>")
        .append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(bottom - 4)
        .append("\" text-anchor=\"end\" fill=\"#555\">weight</text>");
  }

  /** The shared time axis: nanos on the scanner's clock to x, ticks at a round step. */
  private static final class Axis {
    final long t0;
    final long t1;
    final double scale;

    Axis(long t0, long t1) {
      this.t0 = t0;
      this.t1 = t1;
      this.scale = (double) PLOT / (t1 - t0);
    }

    double x(long nanos) {
      return LEFT + (nanos - t0) * scale;
    }

    double width(long nanos) {
      return nanos * scale;
    }

    /** Grid lines with labelled ticks above and below the lanes. */
    void draw(StringBuilder h, int top, int bottom) {
      double seconds = (t1 - t0) / 1e9;
      double step = 0.1;
      for (double s : new double[] {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
          1800, 3600, 7200, 21600, 43200, 86400}) {
        step = s;
        if (seconds / s <= 12) {
          break;
        }
      }
      for (int i = 0; i * step <= seconds + 1e-9; i++) {
        double x = x(t0 + Math.round(i * step * 1e9));
        String label = step < 1 ? String.format(Locale.ROOT, "%.1f", i * step)
            : String.format(Locale.ROOT, "%.0f", i * step);
        h.append("<line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x))
            .append("\" y1=\"").append(top - 4).append("\" y2=\"").append(bottom + 4)
            .append("\" stroke=\"#eee\"/>")
            .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(top - 8)
            .append("\" text-anchor=\"middle\" fill=\"#333\">").append(label).append("</text>")
            .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(bottom + 16)
            .append("\" text-anchor=\"middle\" fill=\"#333\">").append(label).append("</text>");
      }
    }
  }

  private void summary(StringBuilder h) {
    if (reports.isEmpty()) {
      return;
    }
    h.append("<h2>Scans</h2>\n<table><tr><th>scan</th><th>duration ms</th>")
        .append("<th>sequential estimate ms</th><th>speedup</th><th>requests</th>")
        .append("<th>failed</th><th>cancelled</th><th>throttled</th></tr>\n");
    for (ScanReport r : reports) {
      h.append("<tr><td>").append(r.cycle()).append("</td><td>").append(ms(r.duration()))
          .append("</td><td>").append(ms(r.sequentialEstimate())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.2f", r.speedup())).append("</td><td>")
          .append(r.requests()).append("</td><td>").append(r.failed()).append("</td><td>")
          .append(r.cancelled()).append("</td><td>").append(r.throttles())
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
    ScanReport last = reports.get(reports.size() - 1);
    h.append("<h2>Venues in scan ").append(last.cycle()).append("</h2>\n<table><tr>")
        .append("<th>venue</th><th>instruments</th><th>requests</th><th>ok</th>");
    for (ErrorClass c : ErrorClass.values()) {
      h.append("<th>").append(c.name().toLowerCase(Locale.ROOT).replace('_', ' '))
          .append("</th>");
    }
    h.append("<th>cancelled</th><th>retries</th><th>gave up</th><th>duration ms</th>")
        .append("<th>p50 ms</th>")
        .append("<th>p99 ms</th><th>utilisation</th></tr>\n");
    for (VenueReport v : last.venues().values()) {
      h.append("<tr><td>").append(esc(v.venue())).append("</td><td>").append(v.instruments())
          .append("</td><td>").append(v.requests()).append("</td><td>").append(v.successes());
      for (ErrorClass c : ErrorClass.values()) {
        h.append("</td><td>").append(v.failures(c));
      }
      h.append("</td><td>").append(v.cancelled()).append("</td><td>").append(v.retries())
          .append("</td><td>").append(v.gaveUp())
          .append("</td><td>").append(ms(v.duration())).append("</td><td>")
          .append(ms(v.latencyP50())).append("</td><td>").append(ms(v.latencyP99()))
          .append("</td><td>").append(String.format(Locale.ROOT, "%.0f%%",
              v.utilisation() * 100)).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void legend(StringBuilder h) {
    h.append("<p class=\"legend\">requests:")
        .append("<span style=\"background:#1d3557\"></span>priority")
        .append("<span style=\"background:#8ecae6\"></span>ordinary")
        .append("<span style=\"background:#e63946\"></span>throttled")
        .append("<span style=\"background:#f4a261\"></span>transient")
        .append("<span style=\"background:#9b5de5\"></span>bad data")
        .append("<span style=\"background:#6c757d\"></span>permanent")
        .append(" (failures also marked above the lane)")
        .append("<span style=\"background:#d6ccc2\"></span>cancelled by the scanner<br>lines:")
        .append("<span style=\"background:#555\"></span>a venue's pass begins")
        .append("<span style=\"background:#2a9d8f\"></span>scan cut (every venue passed)")
        .append("<span style=\"background:#e63946\"></span>rate limit<br>stream:")
        .append("<span style=\"background:#95d5b2\"></span>connected")
        .append("<span style=\"background:#e63946\"></span>dropped")
        .append("<span style=\"background:#f4a261\"></span>resync / rejected; alerts:")
        .append("<span style=\"background:#d62828;border-radius:6px\"></span>opened")
        .append("<span style=\"background:#f4a261;border-radius:6px\"></span>updated")
        .append("<span style=\"background:#2a9d8f;border-radius:6px\"></span>closed")
        .append("</p>\n");
  }

  private static String colour(RequestEvent e) {
    ErrorClass f = e.failure();
    if (e.cancelled()) {
      return "#d6ccc2";
    }
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
        + (e.priority() ? " (priority)" : "") + ", pass " + e.cycle() + ", attempt "
        + e.attempt() + ", weight " + e.weight() + ", " + ms(e.roundTrip()) + " ms"
        + (e.failure() == null ? "" : ", " + e.failure()) + (e.cancelled() ? ", cancelled" : "");
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
