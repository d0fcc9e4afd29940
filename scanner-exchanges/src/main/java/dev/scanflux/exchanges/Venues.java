package dev.scanflux.exchanges;

import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.internal.Presets;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import java.util.Objects;
import org.knowm.xchange.Exchange;

/**
 * The venue presets: each with the venue's documented rate limit and request weights, a default
 * concurrency that reaches that limit at a usual round trip, its symbol mapping, discovery and
 * its bulk ticker endpoint where there is one. Every preset takes a base-URL override.
 *
 * <p>Sources connect on their first request, never on {@code build()}.
 */
public final class Venues {

  private Venues() {}

  /**
   * Binance spot via XChange, {@code https://api.binance.com}: 6,000 weight per minute, book
   * weight 5 to 250 by depth, bulk tickers ({@code /api/v3/ticker/24hr}, weight 80), default
   * concurrency 8, symbols {@code BTCUSDT}.
   */
  public static VenueBuilder binance() {
    return new VenueBuilder("binance", "https://api.binance.com", Presets.BINANCE_SPOT_LIMIT,
        8, s -> new XChangeSource(s, Presets.binanceSpot()));
  }

  /**
   * Any XChange exchange not covered by a preset, serving spot instruments through whichever
   * {@code MarketDataService} overload it implements, without bulk tickers.
   *
   * @param venue         the venue's name in reports
   * @param exchangeClass the XChange exchange class
   * @param baseUrl       its REST base URL
   * @param rateLimit     its documented rate limit
   */
  public static VenueBuilder xchange(String venue, Class<? extends Exchange> exchangeClass,
      String baseUrl, RateLimitSpec rateLimit) {
    Objects.requireNonNull(exchangeClass, "exchangeClass");
    XChangeVenue v = new XChangeVenue(exchangeClass, spec -> {},
        dev.scanflux.core.model.Instrument.Kind.SPOT, XChangeVenue.Overload.AUTO, "PERP",
        depth -> new Object[0], null, false);
    return new VenueBuilder("x", "https://x.invalid", rateLimit, 4,
        s -> new XChangeSource(s, v)).name(venue).baseUrl(baseUrl);
  }
}
