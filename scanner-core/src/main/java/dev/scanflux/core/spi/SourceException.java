package dev.scanflux.core.spi;

import org.jspecify.annotations.Nullable;

/**
 * A failed request to a venue, in one of four classes that decide what the engine does next.
 *
 * <p>Sources signal these through their {@code Mono}s. Anything else a source emits is
 * classified by the engine: timeouts and I/O errors as {@link ErrorClass#TRANSIENT}, invalid
 * snapshots as {@link ErrorClass#BAD_DATA}, the rest as {@link ErrorClass#PERMANENT}.
 */
public abstract sealed class SourceException extends RuntimeException
    permits ThrottledException, TransientSourceException, BadDataException,
    PermanentSourceException {

  private static final long serialVersionUID = 1L;

  private final String venue;

  SourceException(String venue, String message, @Nullable Throwable cause) {
    super(venue + ": " + message, cause);
    this.venue = venue;
  }

  /** The venue that failed. */
  public String venue() {
    return venue;
  }

  /** The class of this failure. */
  public abstract ErrorClass errorClass();
}
