package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import java.util.List;
import java.util.Objects;

/**
 * What a venue preset is, as data: the one description of a venue that {@link Venues}, the
 * {@code scanflux} app and the documentation read. Immutable.
 *
 * @param name          the venue's name in reports and on the app's command line, e.g.
 *                      {@code binance}
 * @param client        how it is reached: {@code native} (Reactor Netty's HTTP client) or
 *                      {@code XChange}
 * @param restUrl       the production REST base URL
 * @param streamUrl     the production push stream URL, empty if the preset has no stream
 * @param rateLimit     the venue's documented rate limit and request weights
 * @param concurrency   requests in flight by default
 * @param kind          the kind of instrument the preset serves
 * @param symbols       the venue's symbol of an instrument, as an example: {@code BTCUSDT} or
 *                      {@code BTCUSDT → BTC/USDT:perp}
 * @param throttleCodes what the venue answers when it throttles, besides HTTP 429 and 418
 *                      (codes or texts in bodies)
 * @param contractSizes what one unit of book size is: {@code base units}, or the per-instrument
 *                      contract multiplier the source learns at discovery
 * @param maxResponseBytes the largest REST answer the preset reads by default, in bytes (1 KiB
 *                      to 1 GiB): a few times the venue's largest real answer (its full
 *                      instrument list, measured in docs/reliability.md), so that a hostile or
 *                      broken venue costs no more memory than that per request in flight; a
 *                      larger answer is bad data. {@link VenueBuilder#maxResponseBytes} changes it
 */
public record VenueDescriptor(String name, String client, String restUrl, String streamUrl,
    RateLimitSpec rateLimit, int concurrency, Instrument.Kind kind, String symbols,
    List<String> throttleCodes, String contractSizes, long maxResponseBytes) {

  /** The smallest {@link #maxResponseBytes}: 1 KiB. */
  public static final long MIN_RESPONSE_BYTES = 1L << 10;
  /** The largest {@link #maxResponseBytes}: 1 GiB. */
  public static final long MAX_RESPONSE_BYTES = 1L << 30;

  /** Checks every component. */
  public VenueDescriptor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(restUrl, "restUrl");
    Objects.requireNonNull(streamUrl, "streamUrl");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(symbols, "symbols");
    throttleCodes = List.copyOf(throttleCodes);
    Objects.requireNonNull(contractSizes, "contractSizes");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1 but was " + concurrency);
    }
    checkResponseBytes(maxResponseBytes);
  }

  /** Checks a response cap: 1 KiB to 1 GiB. */
  static long checkResponseBytes(long maxResponseBytes) {
    if (maxResponseBytes < MIN_RESPONSE_BYTES || maxResponseBytes > MAX_RESPONSE_BYTES) {
      throw new IllegalArgumentException(
          "maxResponseBytes must be in [1024, 2^30] but was " + maxResponseBytes);
    }
    return maxResponseBytes;
  }

  /** True if the preset has a push stream. */
  public boolean hasStream() {
    return !streamUrl.isEmpty();
  }
}
