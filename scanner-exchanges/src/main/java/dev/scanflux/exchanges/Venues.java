package dev.scanflux.exchanges;

import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.internal.VenueDefinition;
import dev.scanflux.exchanges.internal.VenueRegistry;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import dev.scanflux.exchanges.venue.binance.internal.BinanceVenues;
import dev.scanflux.exchanges.venue.bingx.internal.BingxVenues;
import dev.scanflux.exchanges.venue.bitstamp.internal.BitstampVenues;
import dev.scanflux.exchanges.venue.bybit.internal.BybitVenues;
import dev.scanflux.exchanges.venue.coinbase.internal.CoinbaseVenues;
import dev.scanflux.exchanges.venue.gate.internal.GateVenues;
import dev.scanflux.exchanges.venue.hyperliquid.internal.HyperliquidVenues;
import dev.scanflux.exchanges.venue.kraken.internal.KrakenVenues;
import dev.scanflux.exchanges.venue.kucoin.internal.KucoinVenues;
import dev.scanflux.exchanges.venue.lighter.internal.LighterVenues;
import dev.scanflux.exchanges.venue.okx.internal.OkxVenues;
import java.util.List;
import java.util.Objects;
import org.knowm.xchange.Exchange;

/**
 * The venue presets: each with the venue's documented rate limit and request weights, a default
 * concurrency that reaches that limit at a usual round trip, its symbol mapping, discovery and
 * its bulk ticker endpoint where there is one. Every preset takes a base-URL override.
 *
 * <p>Sources connect on their first request, never on {@code build()}. Every preset is also
 * data: {@link #descriptors()} lists them, {@link #preset(String)} finds one by name. Each venue's
 * descriptor, source and stream live in one package of their own
 * ({@code dev.scanflux.exchanges.venue.<venue>.internal}).
 */
public final class Venues {

  private Venues() {}

  /** Every preset's descriptor, in the documentation's order. */
  public static List<VenueDescriptor> descriptors() {
    return VenueRegistry.ALL.stream().map(VenueDefinition::descriptor).toList();
  }

  /**
   * A new builder of the preset named {@code name}, e.g. {@code binance} or {@code okx-swap}.
   *
   * @throws IllegalArgumentException if no preset has that name; the message lists the names
   */
  public static VenueBuilder preset(String name) {
    Objects.requireNonNull(name, "name");
    return new VenueBuilder(VenueRegistry.get(name));
  }

  /**
   * Binance spot, native, {@code https://api.binance.com}: 6,000 weight per minute, book
   * weight 5 to 250 by depth, bulk tickers ({@code /api/v3/ticker/24hr}, weight 80), default
   * concurrency 8, symbols {@code BTCUSDT}. Push stream, native,
   * {@code wss://stream.binance.com:9443/ws}: diff depth ({@code @depth@100ms}) synced on REST
   * depth snapshots at the cheapest limit holding 5 x the depth wanted (100 levels, weight 5,
   * for depth up to 20; within the venue's limit) and 24 h tickers
   * ({@code @ticker}), up to 1,024 streams per connection.
   */
  public static VenueBuilder binance() {
    return new VenueBuilder(BinanceVenues.SPOT);
  }

  /**
   * Binance USD-M perpetual futures, native, {@code https://fapi.binance.com}: 2,400 weight per
   * minute, book weight 2 to 20 by depth, a ticker 3 (book ticker and 24 h ticker), bulk tickers
   * 45, default concurrency 8, instruments {@code BTC/USDT:perp} for {@code BTCUSDT}. Native
   * because XChange 5.2.1 forces Binance's own futures URL and its futures ticker lacks bid and
   * ask.
   */
  public static VenueBuilder binanceFutures() {
    return new VenueBuilder(BinanceVenues.FUTURES);
  }

  /**
   * AsterDEX perpetuals, {@code https://fapi.asterdex.com}: its API is Binance USD-M futures
   * compatible, so this is {@link #binanceFutures()} with AsterDEX's base URL and name (2,400
   * weight per minute, like Binance).
   */
  public static VenueBuilder asterdex() {
    return new VenueBuilder(BinanceVenues.ASTERDEX);
  }

  /**
   * OKX spot, native, {@code https://www.okx.com}: 40 book requests per 2 s (tickers and
   * discovery weigh 2), books up to 400 levels, bulk tickers
   * ({@code /api/v5/market/tickers?instType=SPOT}), default concurrency 4, symbols
   * {@code BTC-USDT}. Push stream: OKX's public WebSocket ({@code wss://ws.okx.com:8443/ws/v5/public}), 400-level
   * books kept from snapshot and checksummed deltas, and tickers.
   */
  public static VenueBuilder okx() {
    return new VenueBuilder(OkxVenues.SPOT);
  }

  /**
   * OKX linear perpetual swaps, native, {@code https://www.okx.com}: 40 book requests per 2 s
   * (tickers and discovery weigh 2), books up to 400 levels, bulk tickers
   * ({@code /api/v5/market/tickers?instType=SWAP}), default concurrency 4, instruments
   * {@code BTC/USDT:perp} for {@code BTC-USDT-SWAP}. Books are quoted in contracts and carry
   * the swap's contract value ({@code ctVal}) as their contract size, so their sizes read in
   * base units. A preset of its own rather than an option of {@link #okx()}: a different client
   * (its own contract sizes), instrument kind and book unit. Push stream: as {@link #okx()}'s,
   * books in contracts of {@code ctVal} like the REST books.
   */
  public static VenueBuilder okxSwap() {
    return new VenueBuilder(OkxVenues.SWAP);
  }

  /**
   * Kraken spot, native REST, {@code https://api.kraken.com}: about one public request per
   * second (15 per sliding 15 s, discovery one {@code AssetPairs} request), books up to 500
   * levels, bulk tickers ({@code /0/public/Ticker} without a pair), default concurrency 2,
   * symbols {@code XXBTZUSD} / {@code SOLUSD}, the pair keys of Kraken's {@code AssetPairs}.
   * Push stream, native: Kraken's public WebSocket v2, {@code wss://ws.kraken.com/v2}
   * ({@code book} at depth 10, 25, 100, 500 or 1000, checked by Kraken's CRC32 checksum, and
   * {@code ticker}, symbols {@code BTC/USD}); a book whose checksum fails is reported as a
   * resync and resubscribed, with a backoff when it keeps failing.
   */
  public static VenueBuilder kraken() {
    return new VenueBuilder(KrakenVenues.SPOT);
  }

  /**
   * Hyperliquid perpetuals, native (XChange has no Hyperliquid), {@code https://api.hyperliquid.xyz}:
   * 1,200 weight per minute, {@code l2Book} 2, {@code meta}/{@code metaAndAssetCtxs} 20; books
   * of at most 20 levels; bulk tickers from {@code metaAndAssetCtxs} (bid and ask are impact
   * prices); default concurrency 4; instruments {@code BTC/USDC:perp} for coin {@code BTC}.
   * Push stream {@code wss://api.hyperliquid.xyz/ws}: a full book per {@code l2Book} message and
   * tickers from {@code activeAssetCtx} read like the bulk ones, at most 1,000 subscriptions.
   */
  public static VenueBuilder hyperliquid() {
    return new VenueBuilder(HyperliquidVenues.PERPETUALS);
  }

  /**
   * Bybit spot, native (released XChange versions have no Bybit order books),
   * {@code https://api.bybit.com}: 600 requests per 5 s, books up to 200 levels, bulk tickers
   * ({@code /v5/market/tickers?category=spot}), default concurrency 8, symbols {@code BTCUSDT}.
   * Push stream, native, {@code wss://stream.bybit.com/v5/public/spot}: {@code orderbook}
   * snapshots and deltas at the smallest of Bybit's depths (1, 50, 200, 1000) covering the
   * scanner's, and {@code tickers}, whose bid and ask come from the streamed book.
   */
  public static VenueBuilder bybit() {
    return new VenueBuilder(BybitVenues.SPOT);
  }

  /**
   * Bybit USDT and USDC linear perpetuals, native, {@code https://api.bybit.com}: the
   * {@link #bybit()} source in category {@code linear}: 600 requests per 5 s, books up to 500
   * levels, bulk tickers ({@code /v5/market/tickers?category=linear}), default concurrency 8,
   * instruments {@code BTC/USDT:perp} for {@code BTCUSDT} and {@code 1000PEPE/USDT:perp} for
   * {@code 1000PEPEUSDT}. Linear contracts are quoted in base units. Push stream, native,
   * {@code wss://stream.bybit.com/v5/public/linear}: books as {@link #bybit()}'s, and
   * {@code tickers} whose deltas are merged into the last full ticker.
   */
  public static VenueBuilder bybitLinear() {
    return new VenueBuilder(BybitVenues.LINEAR);
  }

  /**
   * KuCoin spot, native, on KuCoin's current public endpoints, {@code https://api.kucoin.com}:
   * 2,000 weight per 30 s (book 2 up to 20 levels, 4 up to 100; ticker 15; all tickers 15;
   * discovery 4), discovery {@code /api/v2/symbols}, bulk tickers
   * ({@code /api/v1/market/allTickers}), default concurrency 4, symbols {@code BTC-USDT}. Native
   * because XChange 5.2.1 starts with {@code /api/v1/currencies}, which KuCoin no longer
   * documents.
   */
  public static VenueBuilder kucoin() {
    return new VenueBuilder(KucoinVenues.SPOT);
  }

  /**
   * Gate.io spot, native (API v4), {@code https://api.gateio.ws}: 200 requests per 10 s per
   * endpoint, books as asked up to 100 levels, bulk tickers ({@code /api/v4/spot/tickers}),
   * default concurrency 4, symbols {@code BTC_USDT}. Native because XChange 5.2.1 fails on a
   * book without {@code current}.
   */
  public static VenueBuilder gate() {
    return new VenueBuilder(GateVenues.SPOT);
  }

  /**
   * Coinbase Exchange, native, {@code https://api.exchange.coinbase.com}: 10 public requests
   * per second (a ticker is two: ticker and stats), level-2 books, no bulk tickers, default
   * concurrency 4, symbols {@code BTC-USD}.
   */
  public static VenueBuilder coinbase() {
    return new VenueBuilder(CoinbaseVenues.SPOT);
  }

  /**
   * Bitstamp, native, {@code https://www.bitstamp.net}: 10,000 requests per 10 minutes,
   * full books cut to the depth asked, no bulk tickers, default concurrency 4, symbols
   * {@code btcusd}.
   */
  public static VenueBuilder bitstamp() {
    return new VenueBuilder(BitstampVenues.SPOT);
  }

  /**
   * BingX spot, native (XChange has no BingX), {@code https://open-api.bingx.com}: 100 requests
   * per 10 s, books up to 100 levels, bulk tickers ({@code /openApi/spot/v1/ticker/24hr}),
   * default concurrency 4, symbols {@code BTC-USDT}.
   */
  public static VenueBuilder bingx() {
    return new VenueBuilder(BingxVenues.SPOT);
  }

  /**
   * Gate.io USDT-settled perpetuals, native, {@code https://api.gateio.ws}
   * ({@code /api/v4/futures/usdt}): 200 requests per 10 s (Gate's per-endpoint public limit,
   * counted over all endpoints together), books up to 50 levels with sizes converted from
   * contracts by each contract's {@code quanto_multiplier}, bulk tickers
   * ({@code /api/v4/futures/usdt/tickers}), default concurrency 4, instruments
   * {@code BTC/USDT:perp} for contract {@code BTC_USDT}.
   */
  public static VenueBuilder gateFutures() {
    return new VenueBuilder(GateVenues.FUTURES);
  }

  /**
   * KuCoin futures (perpetuals), native, {@code https://api-futures.kucoin.com}: 2,000 weight
   * per 30 s (assumed from KuCoin's public pool: a 20-level book 5, a 100-level book 10, a
   * ticker 2, discovery 3), books of 20 or 100 levels with sizes converted from contracts by
   * each contract's {@code multiplier}, no bulk tickers (the contract list has no bid or ask),
   * default concurrency 4, instruments {@code BTC/USDT:perp} for {@code XBTUSDTM} (KuCoin's
   * {@code XBT} is bitcoin).
   */
  public static VenueBuilder kucoinFutures() {
    return new VenueBuilder(KucoinVenues.FUTURES);
  }

  /**
   * Lighter (lighter.xyz zk perpetual DEX), native, {@code https://mainnet.zklighter.elliot.ai}:
   * 60 requests per minute (assumed: Lighter's standard-account limit per IP), a ticker 2
   * ({@code orderBookDetails} and the top of {@code orderBookOrders}), books summed from up to
   * 250 resting orders per side, no bulk tickers, default concurrency 2, instruments
   * {@code ETH/USDC:perp} for market {@code ETH} (sizes in base units).
   */
  public static VenueBuilder lighter() {
    return new VenueBuilder(LighterVenues.PERPETUALS);
  }

  /**
   * Any XChange exchange not covered by a preset, serving spot instruments through whichever
   * {@code MarketDataService} overload it implements, without bulk tickers. Add the exchange's
   * XChange module at the version {@code scanner-exchanges} pins (5.2.1). XChange's client is
   * not the presets': its response bodies are not capped, a call holds one of the source's
   * threads until {@code httpTimeout} ends it even after the scanner gave up on it, and some
   * modules drop {@code Retry-After}.
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
