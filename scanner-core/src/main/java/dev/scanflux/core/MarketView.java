package dev.scanflux.core;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The latest snapshot per venue and instrument, updated the moment each one arrives.
 *
 * <p>Reads never lock and never wait: each returns what has arrived so far, possibly nothing.
 * Every snapshot's age is measured against the scanner's clock ({@link #now()}), and the
 * {@code maxAge} overloads return only data at most that old, so a strategy never acts on stale
 * data by accident. Safe to read from any thread while the scanner writes.
 */
public interface MarketView {

  /** The scanner's current time, the reference for every age. */
  Instant now();

  /** The latest book for a venue and instrument, if any arrived. */
  Optional<BookSnapshot> book(String venue, Instrument instrument);

  /** The latest ticker for a venue and instrument, if any arrived. */
  Optional<TickerSnapshot> ticker(String venue, Instrument instrument);

  /** The latest book for a venue and instrument, if one arrived at most {@code maxAge} ago. */
  default Optional<BookSnapshot> book(String venue, Instrument instrument, Duration maxAge) {
    return book(venue, instrument).filter(b -> b.ageAt(now()).compareTo(maxAge) <= 0);
  }

  /** The latest ticker, if one arrived at most {@code maxAge} ago. */
  default Optional<TickerSnapshot> ticker(String venue, Instrument instrument, Duration maxAge) {
    return ticker(venue, instrument).filter(t -> t.ageAt(now()).compareTo(maxAge) <= 0);
  }

  /** The latest book of one instrument on every venue that has one. */
  Collection<BookSnapshot> books(Instrument instrument);

  /** The latest ticker of one instrument on every venue that has one. */
  Collection<TickerSnapshot> tickers(Instrument instrument);

  /** Every latest book, all venues and instruments; a weakly consistent copy. */
  Collection<BookSnapshot> books();

  /** Every latest ticker, all venues and instruments; a weakly consistent copy. */
  Collection<TickerSnapshot> tickers();

  /** How many books and tickers the view holds. */
  int size();

  /**
   * The health of one venue's book of one instrument: its age, where it comes from (stream or
   * poll) and its state (live, resyncing, stale, failing). Empty if the venue does not scan the
   * instrument.
   */
  Optional<BookHealth> health(String venue, Instrument instrument);

  /** The health of every book a venue scans, in its universe's order (priority first). */
  List<BookHealth> health(String venue);
}
