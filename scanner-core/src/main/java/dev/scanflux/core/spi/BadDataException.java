package dev.scanflux.core.spi;

import org.jspecify.annotations.Nullable;

/** The venue answered, but with data that cannot be used: malformed JSON, a crossed book, an unknown instrument. Counted and never retried; the data never reaches a strategy. */
public final class BadDataException extends SourceException {

  private static final long serialVersionUID = 1L;

  /**
   * @param venue   the venue
   * @param message what went wrong, specifically
   * @param cause   the underlying error, if any
   */
  public BadDataException(String venue, String message, @Nullable Throwable cause) {
    super(venue, message, cause);
  }

  @Override
  public ErrorClass errorClass() {
    return ErrorClass.BAD_DATA;
  }
}
