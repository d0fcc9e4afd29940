package dev.scanflux.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One venue completed a pass: every item of its universe (each book, each ticker or its bulk
 * tickers) was refreshed, or tried and given up, since its previous pass ended. Streamed items
 * the stream kept live count as refreshed.
 *
 * @param venue     the venue
 * @param pass      the pass number on this venue, from 1
 * @param startedAt when the pass began (the previous pass's end), on the scanner's clock
 * @param duration  how long the pass took
 * @param items     the items of the universe during the pass
 * @param gaveUp    items that had no data in the pass, their last attempt failed
 */
public record PassEvent(String venue, long pass, Instant startedAt, Duration duration, int items,
    int gaveUp) {

  /** Checks the required parts. */
  public PassEvent {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(duration, "duration");
  }
}
