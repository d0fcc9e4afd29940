package dev.scanflux.core.spi;

import org.jspecify.annotations.Nullable;

/** A failure that may pass: a timeout, a reset connection, an HTTP 5xx. Retried with exponential backoff and jitter. */
public final class TransientSourceException extends SourceException {

  private static final long serialVersionUID = 1L;

  /**
   * @param venue   the venue
   * @param message what went wrong, specifically
   * @param cause   the underlying error, if any
   */
  public TransientSourceException(String venue, String message, @Nullable Throwable cause) {
    super(venue, message, cause);
  }

  @Override
  public ErrorClass errorClass() {
    return ErrorClass.TRANSIENT;
  }
}
