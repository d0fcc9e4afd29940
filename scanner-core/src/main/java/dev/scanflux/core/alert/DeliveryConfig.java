package dev.scanflux.core.alert;

import java.time.Duration;
import java.util.Objects;

/**
 * How a network sink delivers: its outbox bound, its retries, its request timeout, and the
 * least time between two messages to one destination.
 *
 * <pre>{@code
 * DeliveryConfig delivery = DeliveryConfig.custom()
 *     .outbox(500)                               // queued messages per destination
 *     .maxAttempts(6)                            // first try and 5 retries
 *     .backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))
 *     .build();
 * }</pre>
 *
 * <p>A transient failure (an I/O error, a timeout, HTTP 5xx, 408) is retried after
 * {@code minBackoff}, doubling up to {@code maxBackoff}; a throttle (HTTP 429) after the time
 * the destination asks for, if longer. Waits are timers on the sink's scheduler, never a
 * blocked thread. Immutable and thread-safe.
 */
public final class DeliveryConfig {

  /** Default {@link Builder#outbox(int)}: 1,000 messages. */
  public static final int DEFAULT_OUTBOX = 1_000;
  /** Default {@link Builder#maxAttempts(int)}: 5. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  /** Default minimum backoff: 1 second. */
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofSeconds(1);
  /** Default maximum backoff: 1 minute. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(1);
  /** Default {@link Builder#requestTimeout(Duration)}: 10 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default {@link Builder#spacing(Duration)}: 0, as fast as the destination answers. */
  public static final Duration DEFAULT_SPACING = Duration.ZERO;

  private static final Duration MAX = Duration.ofHours(1);
  private static final DeliveryConfig DEFAULTS = custom().build();

  private final int outbox;
  private final int maxAttempts;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration requestTimeout;
  private final Duration spacing;

  private DeliveryConfig(Builder b) {
    this.outbox = b.outbox;
    this.maxAttempts = b.maxAttempts;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.requestTimeout = b.requestTimeout;
    this.spacing = b.spacing;
  }

  /** The defaults: see each {@code DEFAULT_…} constant. */
  public static DeliveryConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** The most messages queued per destination. */
  public int outbox() {
    return outbox;
  }

  /** Attempts per message, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The wait before the first retry. */
  public Duration minBackoff() {
    return minBackoff;
  }

  /** The longest wait between retries (a destination's own retry-after may be longer). */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** How long one request may take. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The least time between the starts of two messages to one destination. */
  public Duration spacing() {
    return spacing;
  }

  /**
   * The wait before retry {@code retry} (1 for the first): {@code minBackoff * 2^(retry-1)},
   * at most {@code maxBackoff}.
   */
  public Duration backoff(int retry) {
    Duration d = minBackoff;
    for (int i = 1; i < retry && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  @Override
  public String toString() {
    return "DeliveryConfig{outbox " + outbox + ", max attempts " + maxAttempts + ", backoff "
        + minBackoff + ".." + maxBackoff + ", request timeout " + requestTimeout + ", spacing "
        + spacing + '}';
  }

  /** Builds a {@link DeliveryConfig}; not thread-safe. */
  public static final class Builder {
    private int outbox = DEFAULT_OUTBOX;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration minBackoff = DEFAULT_MIN_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration spacing = DEFAULT_SPACING;

    private Builder() {}

    /**
     * The most messages queued per destination; when full, the oldest is dropped and counted.
     * Default {@link #DEFAULT_OUTBOX}.
     *
     * @param outbox 1 to 1,000,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder outbox(int outbox) {
      if (outbox < 1 || outbox > 1_000_000) {
        throw new IllegalArgumentException("outbox must be in [1, 1000000] but was " + outbox);
      }
      this.outbox = outbox;
      return this;
    }

    /**
     * Attempts per message, the first included; 1 means no retry. Default
     * {@link #DEFAULT_MAX_ATTEMPTS}.
     *
     * @param maxAttempts 1 to 100
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException(
            "maxAttempts must be in [1, 100] but was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * The backoff between retries: {@code min} first, doubling up to {@code max}. Default
     * {@link #DEFAULT_MIN_BACKOFF} to {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @param min more than 0, at most 1 hour
     * @param max at least {@code min}, at most 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder backoff(Duration min, Duration max) {
      Duration lo = check("minBackoff", min, false);
      Duration hi = check("maxBackoff", max, false);
      if (hi.compareTo(lo) < 0) {
        throw new IllegalArgumentException("maxBackoff must be at least minBackoff " + lo
            + " but was " + hi);
      }
      this.minBackoff = lo;
      this.maxBackoff = hi;
      return this;
    }

    /**
     * How long one request may take before it counts as a transient failure. Default
     * {@link #DEFAULT_REQUEST_TIMEOUT}.
     *
     * @param requestTimeout more than 0, at most 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = check("requestTimeout", requestTimeout, false);
      return this;
    }

    /**
     * The least time between the starts of two messages to one destination, e.g. 1 s for one
     * Telegram chat. Default {@link #DEFAULT_SPACING}.
     *
     * @param spacing 0 to 1 hour
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder spacing(Duration spacing) {
      this.spacing = check("spacing", spacing, true);
      return this;
    }

    /** Builds the immutable configuration. */
    public DeliveryConfig build() {
      return new DeliveryConfig(this);
    }

    private static Duration check(String name, Duration d, boolean zeroAllowed) {
      return Arguments.duration(name, d, zeroAllowed, MAX);
    }
  }
}
