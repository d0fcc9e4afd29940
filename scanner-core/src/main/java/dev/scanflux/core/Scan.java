package dev.scanflux.core;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One completed scan: cut each time every venue has completed a pass over its universe since the
 * previous scan, it holds the latest valid snapshot per venue, instrument and kind received since
 * then, in arrival order, and the report of that period. Strategies are functions of a stream of
 * these.
 *
 * <p>Fast venues may refresh an instrument several times between two scans, and a stream may
 * update a book ten times a second: a scan keeps the latest of each, and {@link
 * Scanner#snapshots()} carries every one of them.
 *
 * <p>Immutable.
 */
public final class Scan {

  private final long cycle;
  private final Instant completedAt;
  private final List<MarketSnapshot> snapshots;
  private final ScanReport report;

  /**
   * @param completedAt when the cycle completed, on the scanner's clock
   * @param snapshots   the cycle's snapshots in arrival order (copied)
   * @param report      the cycle's report; its cycle number is this scan's
   */
  public Scan(Instant completedAt, List<? extends MarketSnapshot> snapshots, ScanReport report) {
    this.completedAt = Objects.requireNonNull(completedAt, "completedAt");
    this.snapshots = List.copyOf(snapshots);
    this.report = Objects.requireNonNull(report, "report");
    this.cycle = report.cycle();
  }

  /** The scan number, from 1. */
  public long cycle() {
    return cycle;
  }

  /** When the cycle started. */
  public Instant startedAt() {
    return report.startedAt();
  }

  /** When the cycle completed. */
  public Instant completedAt() {
    return completedAt;
  }

  /** Every snapshot of the cycle, in arrival order. */
  public List<MarketSnapshot> snapshots() {
    return snapshots;
  }

  /** The cycle's order books, in arrival order. */
  public List<BookSnapshot> books() {
    return snapshots.stream().filter(BookSnapshot.class::isInstance)
        .map(BookSnapshot.class::cast).toList();
  }

  /** The cycle's tickers, in arrival order. */
  public List<TickerSnapshot> tickers() {
    return snapshots.stream().filter(TickerSnapshot.class::isInstance)
        .map(TickerSnapshot.class::cast).toList();
  }

  /** The last book this cycle received for a venue and instrument. */
  public Optional<BookSnapshot> book(String venue, Instrument instrument) {
    return last(BookSnapshot.class, venue, instrument);
  }

  /** The last ticker this cycle received for a venue and instrument. */
  public Optional<TickerSnapshot> ticker(String venue, Instrument instrument) {
    return last(TickerSnapshot.class, venue, instrument);
  }

  /** The cycle's report. */
  public ScanReport report() {
    return report;
  }

  @Override
  public String toString() {
    return "Scan{cycle " + cycle + ", " + snapshots.size() + " snapshots, completed "
        + completedAt + '}';
  }

  private <T extends MarketSnapshot> Optional<T> last(Class<T> type, String venue,
      Instrument instrument) {
    for (int i = snapshots.size() - 1; i >= 0; i--) {
      MarketSnapshot s = snapshots.get(i);
      if (type.isInstance(s) && s.venue().equals(venue) && s.instrument().equals(instrument)) {
        return Optional.of(type.cast(s));
      }
    }
    return Optional.empty();
  }
}
