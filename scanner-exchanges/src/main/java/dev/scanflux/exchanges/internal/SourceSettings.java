package dev.scanflux.exchanges.internal;

import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import reactor.core.scheduler.Scheduler;

/**
 * What a user chose for one venue source.
 *
 * @param venue            the venue's name in reports
 * @param baseUrl          the REST base URL, e.g. {@code https://api.binance.com}
 * @param rateLimit        the rate limit the source declares
 * @param concurrency      requests in flight the source declares, and its thread count if
 *                         blocking
 * @param httpTimeout      the deadline of one HTTP call: connecting, sending and reading the
 *                         whole answer
 * @param clock            the clock for receive times
 * @param streamUrl        the push stream's URL, e.g.
 *                         {@code wss://ws.okx.com:8443/ws/v5/public}; empty for a venue without
 *                         a stream
 * @param maxResponseBytes the largest response body a native source reads, in bytes; a larger
 *                         one fails as bad data while it is being read
 */
public record SourceSettings(String venue, String baseUrl, RateLimitSpec rateLimit,
    int concurrency, Duration httpTimeout, Scheduler clock, String streamUrl,
    long maxResponseBytes) {

  /**
   * The {@link #maxResponseBytes} of settings made without one: 32 MiB. The presets carry their
   * own, smaller caps ({@code VenueDescriptor.maxResponseBytes}).
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 32L << 20;

  /** Checks the response cap. */
  public SourceSettings {
    if (maxResponseBytes < 1 || maxResponseBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("maxResponseBytes must be in [1, 2^31 - 1] but was "
          + maxResponseBytes);
    }
  }

  /** Settings with the default response cap, {@link #DEFAULT_MAX_RESPONSE_BYTES}. */
  public SourceSettings(String venue, String baseUrl, RateLimitSpec rateLimit, int concurrency,
      Duration httpTimeout, Scheduler clock, String streamUrl) {
    this(venue, baseUrl, rateLimit, concurrency, httpTimeout, clock, streamUrl,
        DEFAULT_MAX_RESPONSE_BYTES);
  }
}
