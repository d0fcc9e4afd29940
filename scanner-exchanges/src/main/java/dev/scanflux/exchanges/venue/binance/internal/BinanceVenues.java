package dev.scanflux.exchanges.venue.binance.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.time.Duration;
import java.util.List;

/** Binance spot, Binance USD-M futures and AsterDEX (Binance's futures API). */
public final class BinanceVenues {

  /**
   * Binance spot: 6,000 request weight per minute; depth weighs 5 (limit up to 100), 25 (500),
   * 50 (1,000) or 250 (5,000); a ticker 2, all tickers 80, exchange info 20.
   */
  public static final RateLimitSpec SPOT_LIMIT = RateLimitSpec.of(6000, Duration.ofMinutes(1))
      .withBookWeight(BinanceVenues::spotDepthWeight)
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 80)
      .withWeight(RequestKind.INSTRUMENTS, 20);

  private static final List<String> THROTTLE = List.of("HTTP 418", "code -1003");

  /** Binance spot, native, with a native diff-depth stream. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("binance",
      "native", "https://api.binance.com", BinanceStream.URL, SPOT_LIMIT, 8,
      Instrument.Kind.SPOT, "BTCUSDT", THROTTLE, "base units", 16L << 20),
      BinanceSpotSource::new, (s, rest) -> new BinanceStream(s));

  /**
   * Binance USD-M perpetual futures, native, with a native diff-depth stream on Binance's routed
   * endpoints ({@code /public/ws}, the 24 h tickers on {@code /market/ws}).
   */
  public static final VenueDefinition FUTURES = new VenueDefinition(new VenueDescriptor(
      "binance-futures", "native", "https://fapi.binance.com", BinanceStream.FUTURES_URL,
      BinanceFuturesSource.LIMIT, 8, Instrument.Kind.PERPETUAL, "BTCUSDT → BTC/USDT:perp",
      THROTTLE, "base units", 4L << 20),
      BinanceFuturesSource::new,
      (s, rest) -> new BinanceStream(s, BinanceStream.Api.USD_M, BinanceStream.MAX_STREAMS));

  /**
   * AsterDEX perpetuals: Binance USD-M futures' API, limits and stream at AsterDEX's URLs (200
   * streams per connection).
   */
  public static final VenueDefinition ASTERDEX = new VenueDefinition(new VenueDescriptor(
      "asterdex", "native", "https://fapi.asterdex.com", BinanceStream.ASTERDEX_URL,
      BinanceFuturesSource.LIMIT, 8, Instrument.Kind.PERPETUAL, "BTCUSDT → BTC/USDT:perp",
      THROTTLE, "base units", 4L << 20),
      BinanceFuturesSource::new, (s, rest) -> new BinanceStream(s, BinanceStream.Api.USD_M,
          BinanceStream.ASTERDEX_MAX_STREAMS));

  private BinanceVenues() {}

  /** Binance spot depth weight by limit. */
  public static int spotDepthWeight(int limit) {
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }
}
