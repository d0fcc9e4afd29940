package dev.scanflux.examples.app;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.PassEvent;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Each venue's progress between scans, for the plain output and the live view: how many passes
 * it completed and how many of its books are fresh now (from the view's per-book
 * health: live on the stream, or polled within their refresh period). Thread-safe.
 */
final class Progress implements ScanListener {

  private final List<String> venues;
  private final Function<String, List<BookHealth>> health;
  private final Map<String, Long> passes = new LinkedHashMap<>();
  private final Map<String, Long> passesInScans = new LinkedHashMap<>();
  private final Map<String, Boolean> requested = new LinkedHashMap<>();
  private long scans;

  /**
   * @param venues the venues, in display order
   * @param health each venue's per-book health, e.g. {@code scanner.view()::health}
   */
  Progress(List<String> venues, Function<String, List<BookHealth>> health) {
    this.venues = List.copyOf(venues);
    this.health = health;
  }

  @Override
  public synchronized void onRequest(RequestEvent e) {
    requested.put(e.venue(), true);
  }

  @Override
  public synchronized void onPass(PassEvent e) {
    passes.merge(e.venue(), e.pass(), Math::max);
  }

  @Override
  public synchronized void onScan(Scan scan) {
    scans = Math.max(scans, scan.report().cycle());
    // a scanner that reports no PassEvents (a Kafka feed) still counts its scans' passes
    scan.report().venues().values().forEach(v -> passesInScans.merge(v.venue(), v.passes(),
        Long::sum));
  }

  /** Scans completed so far. */
  synchronized long scans() {
    return scans;
  }

  /** Passes a venue completed so far, as its {@link PassEvent}s number them (or its scans sum). */
  synchronized long passes(String venue) {
    return Math.max(passes.getOrDefault(venue, 0L), passesInScans.getOrDefault(venue, 0L));
  }

  /** Whether a venue made a request or completed a pass yet. */
  synchronized boolean started(String venue) {
    return requested.containsKey(venue) || passes.containsKey(venue)
        || passesInScans.containsKey(venue);
  }

  /** Fresh books and books in the universe of one venue; {0, 0} before its universe is known. */
  int[] fresh(String venue) {
    List<BookHealth> books = health.apply(venue);
    int live = 0;
    for (BookHealth b : books) {
      if (b.state() == BookHealth.State.LIVE) {
        live++;
      }
    }
    return new int[] {live, books.size()};
  }

  /** Whether any of a venue's books comes from its push stream now. */
  boolean streaming(String venue) {
    return health.apply(venue).stream().anyMatch(b -> b.origin() == BookHealth.Origin.STREAM);
  }

  /**
   * One plain line, e.g. {@code progress 00:00:10: binance 0 passes, 152/200 books fresh
   * (stream); kraken 0 passes, 12/200 books fresh; ... (scan 1 is cut when every venue
   * completed its first pass)}.
   */
  String line(Duration elapsed) {
    List<String> parts = new ArrayList<>();
    for (String v : venues) {
      parts.add(v + " " + cell(v));
    }
    return "progress " + clock(elapsed) + ": " + String.join("; ", parts)
        + (scans() == 0 ? " (scan 1 is cut when every venue completed its first pass)" : "");
  }

  /** e.g. {@code 2 passes, 152/200 books fresh (stream)}, or {@code listing instruments}. */
  String cell(String venue) {
    int[] f = fresh(venue);
    if (f[1] == 0) {
      return started(venue) ? "listing instruments" : "starting";
    }
    long p = passes(venue);
    return String.format(Locale.ROOT, "%d %s, %d/%d books fresh%s", p,
        p == 1 ? "pass" : "passes", f[0], f[1], streaming(venue) ? " (stream)" : "");
  }

  /** hh:mm:ss. */
  static String clock(Duration d) {
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
