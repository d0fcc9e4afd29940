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
 */
public record VenueDescriptor(String name, String client, String restUrl, String streamUrl,
    RateLimitSpec rateLimit, int concurrency, Instrument.Kind kind, String symbols,
    List<String> throttleCodes, String contractSizes) {

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
  }

  /** True if the preset has a push stream. */
  public boolean hasStream() {
    return !streamUrl.isEmpty();
  }
}
