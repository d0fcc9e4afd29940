package dev.scanflux.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How a venue retries failed requests: transient failures with exponential backoff and jitter;
 * throttled ones after the venue's pause; bad data and permanent failures never.
 *
 * <p>Defaults ({@link #ofDefaults()}): 3 retries, first backoff 200 ms, doubling up to 5 s, jitter
 * 0.5 (each backoff is drawn from its nominal value ±50 %), and a 1 s pause after a throttle
 * that did not say how long to wait. Immutable; build with {@link #custom()}.
 *
 * @param maxRetries       retries after the first attempt, 0 to 100
 * @param firstBackoff     the backoff before the first retry, 0 to 1 h
 * @param maxBackoff       the largest backoff, at least {@code firstBackoff}, at most 1 h
 * @param jitter           the random spread of each backoff as a fraction, 0 to 1
 * @param throttlePause    how long a venue pauses after a throttle with no {@code Retry-After},
 *                         1 ms to 1 h
 */
public record RetryPolicy(int maxRetries, Duration firstBackoff, Duration maxBackoff,
    double jitter, Duration throttlePause) {

  private static final Duration HOUR = Duration.ofHours(1);

  /**
   * @throws IllegalArgumentException naming the argument and its range
   */
  public RetryPolicy {
    Checks.range("maxRetries", maxRetries, 0, 100);
    Checks.range("firstBackoff", firstBackoff, Duration.ZERO, HOUR);
    Checks.range("maxBackoff", maxBackoff, firstBackoff, HOUR);
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1] but was " + jitter);
    }
    Checks.range("throttlePause", throttlePause, Duration.ofMillis(1), HOUR);
  }

  /** The defaults: 3 retries, 200 ms doubling to 5 s, jitter 0.5, 1 s throttle pause. */
  public static RetryPolicy ofDefaults() {
    return custom().build();
  }

  /** No retries at all. */
  public static RetryPolicy none() {
    return custom().maxRetries(0).build();
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** Builds a {@link RetryPolicy}; {@link #build()} validates. */
  public static final class Builder {
    private int maxRetries = 3;
    private Duration firstBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private double jitter = 0.5;
    private Duration throttlePause = Duration.ofSeconds(1);

    private Builder() {}

    /** Retries after the first attempt (default 3). */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /** First and largest backoff (defaults 200 ms and 5 s). */
    public Builder backoff(Duration first, Duration max) {
      this.firstBackoff = Objects.requireNonNull(first, "firstBackoff");
      this.maxBackoff = Objects.requireNonNull(max, "maxBackoff");
      return this;
    }

    /** Random spread of each backoff, 0 to 1 (default 0.5). */
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    /** Pause after a throttle that gave no {@code Retry-After} (default 1 s). */
    public Builder throttlePause(Duration pause) {
      this.throttlePause = Objects.requireNonNull(pause, "throttlePause");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the argument and its allowed range
     */
    public RetryPolicy build() {
      return new RetryPolicy(maxRetries, firstBackoff, maxBackoff, jitter, throttlePause);
    }
  }
}
