package dev.scanflux.core.spi;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The venue refused a request for exceeding its rate limit (HTTP 429, 418, a throttling 403, or
 * a throttle code in the body). The engine pauses the whole venue for {@link #retryAfter()} (or
 * its own default when the venue said nothing) and then retries.
 */
public final class ThrottledException extends SourceException {

  private static final long serialVersionUID = 1L;

  private final @Nullable Duration retryAfter;

  /**
   * @param venue      the venue
   * @param message    what the venue said
   * @param retryAfter how long the venue asked us to wait, or null if it did not say
   */
  public ThrottledException(String venue, String message, @Nullable Duration retryAfter) {
    super(venue, message, null);
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative but was " + retryAfter);
    }
    this.retryAfter = retryAfter;
  }

  /** How long the venue asked us to wait, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public ErrorClass errorClass() {
    return ErrorClass.THROTTLED;
  }

  @Override
  public String toString() {
    return super.toString() + (retryAfter == null ? "" : " (retry after " + retryAfter + ')');
  }
}
