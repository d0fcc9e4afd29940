package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ResyncCause;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A change in a venue's push stream, or a message it had to reject, as {@link ScanListener}s see
 * it. The same counts appear per cycle in {@link VenueReport#stream()}.
 *
 * @param venue      the venue
 * @param type       what happened
 * @param instrument the instrument, for {@link Type#RESYNC}; otherwise null
 * @param cause      why, for {@link Type#RESYNC}; otherwise null
 * @param detail     what was seen, for the log
 * @param at         when, on the scanner's clock
 */
public record StreamTransition(String venue, Type type, @Nullable Instrument instrument,
    @Nullable ResyncCause cause, String detail, Instant at) {

  /** What happened. */
  public enum Type {
    /** A connection opened and subscribed its channels; streamed data replaces polling. */
    CONNECTED,
    /** The connection failed, dropped or went idle; REST polling takes over until it is back. */
    DISCONNECTED,
    /** An instrument lost sync and is rebuilt; it is polled until its stream delivers again. */
    RESYNC,
    /** A message was unreadable or invalid and was dropped; counted as bad data. */
    REJECTED
  }

  /** Checks the parts: an instrument and cause for a resync, and only then. */
  public StreamTransition {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(at, "at");
    if ((type == Type.RESYNC) != (instrument != null && cause != null)) {
      throw new IllegalArgumentException(
          "a RESYNC, and only a RESYNC, has an instrument and a cause: " + type);
    }
  }

  /** The instrument of a resync. */
  public Optional<Instrument> instrumentOpt() {
    return Optional.ofNullable(instrument);
  }
}
