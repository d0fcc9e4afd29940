package dev.scanflux.core.spi;

import org.jspecify.annotations.Nullable;

/** A request that cannot succeed as asked: an unknown symbol, a 4xx other than throttling, an unsupported call. Counted and never retried. */
public final class PermanentSourceException extends SourceException {

  private static final long serialVersionUID = 1L;

  /**
   * @param venue   the venue
   * @param message what went wrong, specifically
   * @param cause   the underlying error, if any
   */
  public PermanentSourceException(String venue, String message, @Nullable Throwable cause) {
    super(venue, message, cause);
  }

  @Override
  public ErrorClass errorClass() {
    return ErrorClass.PERMANENT;
  }
}
