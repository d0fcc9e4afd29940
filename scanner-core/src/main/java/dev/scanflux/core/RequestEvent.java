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
 * One request the scanner sent to a venue, reported to {@link ScanListener}s when it ends: enough
 * to draw it as a bar on a timeline, time it, or count its failure.
 *
 * <p>A request ends in one of three ways: it succeeded ({@link #succeeded()}), it failed
 * ({@link #failure()} names the class), or the scanner cancelled it before its answer was read
 * ({@link #cancelled()}): the scanner closed, or the stream whose snapshot it fetched lost its
 * connection. A cancelled request was sent, or may have been: the venue may count it, so its
 * weight stays charged to the budget and it is counted apart ({@link VenueReport#cancelled()}),
 * neither a success nor a failure. A request the scanner gave up on after its timeout is a
 * {@link ErrorClass#TRANSIENT} failure, not a cancelled one.
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
 * @param roundTrip  how long until it completed, failed or was cancelled
 * @param failure    its failure class, or null when it succeeded or was cancelled
 * @param cancelled  true when the scanner cancelled it before it ended (then {@code failure} is
 *                   null)
 */
public record RequestEvent(String venue, long cycle, RequestKind kind,
    @Nullable Instrument instrument, boolean priority, int attempt, int weight, Instant start,
    Duration roundTrip, @Nullable ErrorClass failure, boolean cancelled) {

  /**
   * Checks the required parts.
   *
   * @throws IllegalArgumentException if it both failed and was cancelled
   */
  public RequestEvent {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(roundTrip, "roundTrip");
    if (cancelled && failure != null) {
      throw new IllegalArgumentException("a cancelled request has no failure class but had "
          + failure);
    }
  }

  /**
   * A request that completed (succeeded, or failed with {@code failure}): not cancelled.
   * The constructor of the event before cancellations were reported.
   */
  public RequestEvent(String venue, long cycle, RequestKind kind, @Nullable Instrument instrument,
      boolean priority, int attempt, int weight, Instant start, Duration roundTrip,
      @Nullable ErrorClass failure) {
    this(venue, cycle, kind, instrument, priority, attempt, weight, start, roundTrip, failure,
        false);
  }

  /** True when the request returned valid data: neither failed nor cancelled. */
  public boolean succeeded() {
    return failure == null && !cancelled;
  }

  /** The failure class, if the request failed. */
  public Optional<ErrorClass> failureClass() {
    return Optional.ofNullable(failure);
  }
}
