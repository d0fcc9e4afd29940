package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RequestKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One request the scanner sent to a venue, reported to {@link ScanListener}s when it completes:
 * enough to draw it as a bar on a timeline, time it, or count its failure.
 *
 * @param venue      the venue
 * @param cycle      the venue's pass it belongs to (from 1; discovery counts in the pass it
 *                   starts)
 * @param kind       what was asked
 * @param instrument the instrument, or null for instrument discovery and bulk tickers
 * @param priority   whether it was a priority request
 * @param attempt    1 for the first attempt, 2 for the first retry, …
 * @param weight     the rate-limit weight it spent
 * @param start      when it was sent, on the scanner's clock
 * @param roundTrip  how long until it completed or failed
 * @param failure    its failure class, or null when it succeeded
 */
public record RequestEvent(String venue, long cycle, RequestKind kind,
    @Nullable Instrument instrument, boolean priority, int attempt, int weight, Instant start,
    Duration roundTrip, @Nullable ErrorClass failure) {

  /** Checks the required parts. */
  public RequestEvent {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(roundTrip, "roundTrip");
  }

  /** True when the request returned valid data. */
  public boolean succeeded() {
    return failure == null;
  }

  /** The failure class, if the request failed. */
  public Optional<ErrorClass> failureClass() {
    return Optional.ofNullable(failure);
  }
}
