package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ErrorClass;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The health of one venue's book of one instrument, as the scanner sees it now: how old it is,
 * where it came from, and whether it is being kept fresh. Where books are off, the instrument's
 * ticker stands in for the book.
 *
 * @param venue      the venue
 * @param instrument the instrument
 * @param priority   whether it is a priority instrument (refreshed at least every
 *                   {@code priorityRefresh})
 * @param origin     where its updates come from now: the venue's push stream, or polling
 * @param state      whether it is being kept fresh
 * @param age        how old the latest book is; null if none arrived yet
 * @param updatedAt  when the latest book was received, on the scanner's clock; null if none
 * @param lastError  the class of the latest failure while {@code FAILING}, otherwise null
 * @param failures   consecutive failed fetches (0 unless {@code FAILING})
 */
public record BookHealth(String venue, Instrument instrument, boolean priority, Origin origin,
    State state, @Nullable Duration age, @Nullable Instant updatedAt,
    @Nullable ErrorClass lastError, int failures) {

  /** Checks the required parts. */
  public BookHealth {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(instrument, "instrument");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(state, "state");
  }

  /** Where a book's updates come from now. */
  public enum Origin {
    /** The venue's push stream keeps it live. */
    STREAM,
    /** The scanner polls it over REST. */
    POLL,
    /**
     * Another process's scanner delivered it (a feed read from Kafka, say), which does not say
     * whether it streamed or polled it.
     */
    REMOTE
  }

  /** Whether a book is being kept fresh. */
  public enum State {
    /** Fresh: live on the stream, or polled within its expected refresh period. */
    LIVE,
    /** The stream is rebuilding it (a gap, a checksum mismatch, a lost snapshot); polled meanwhile. */
    RESYNCING,
    /**
     * No book yet, or older than twice its expected refresh period (plus one request timeout):
     * the venue is slower than its budget allows, or the book was never delivered.
     */
    STALE,
    /** Its latest fetch failed; it backs off and is tried again ({@link #lastError()}). */
    FAILING
  }
}
