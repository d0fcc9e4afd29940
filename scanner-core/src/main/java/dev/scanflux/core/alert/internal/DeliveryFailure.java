package dev.scanflux.core.alert.internal;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Why one delivery attempt failed, already cleaned of secrets: transient (retry), throttled
 * (retry after the time asked), or rejected (never retry). Carries no stack trace and no cause,
 * so nothing unredacted travels with it.
 */
public final class DeliveryFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final transient @Nullable Duration retryAfter;

  private DeliveryFailure(String message, boolean retryable, @Nullable Duration retryAfter) {
    super(message, null, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** A failure worth retrying after the backoff. */
  public static DeliveryFailure transientFailure(String message) {
    return new DeliveryFailure(message, true, null);
  }

  /** A throttle: retry after {@code retryAfter} (or the backoff, if longer). */
  public static DeliveryFailure throttled(String message, @Nullable Duration retryAfter) {
    return new DeliveryFailure(message, true, retryAfter);
  }

  /** The destination refused the message for good: never retry. */
  public static DeliveryFailure rejected(String message) {
    return new DeliveryFailure(message, false, null);
  }

  /** Whether a retry may succeed. */
  public boolean retryable() {
    return retryable;
  }

  /** The wait the destination asked for, if any. */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
