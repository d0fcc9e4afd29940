package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import java.time.Duration;
import org.knowm.xchange.binance.BinanceExchange;
import org.knowm.xchange.binance.dto.ExchangeType;
import org.knowm.xchange.bitstamp.BitstampExchange;
import org.knowm.xchange.coinbasepro.CoinbaseProExchange;
import org.knowm.xchange.kraken.KrakenExchange;
import org.knowm.xchange.okex.OkexExchange;
import org.knowm.xchange.okex.dto.OkexInstType;
import org.knowm.xchange.service.marketdata.params.Params;

/** The venues' documented limits and their XChange mappings. */
public final class Presets {

  /** {@code getTickers} parameters for venues that ignore them. */
  private static final Params NO_PARAMS = new Params() {};

  private Presets() {}

  /**
   * Binance spot: 6,000 request weight per minute; depth weighs 5 (limit up to 100), 25 (500),
   * 50 (1,000) or 250 (5,000); a ticker 2, all tickers 80, exchange info 20.
   */
  public static final RateLimitSpec BINANCE_SPOT_LIMIT = RateLimitSpec.of(6000,
          Duration.ofMinutes(1))
      .withBookWeight(Presets::binanceDepthWeight)
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 80)
      .withWeight(RequestKind.INSTRUMENTS, 20);

  /** Binance spot depth weight by limit. */
  public static int binanceDepthWeight(int limit) {
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }

  /** Binance spot through XChange's {@code BinanceExchange}. */
  public static XChangeVenue binanceSpot() {
    return new XChangeVenue(BinanceExchange.class,
        spec -> spec.setExchangeSpecificParametersItem(BinanceExchange.EXCHANGE_TYPE,
            ExchangeType.SPOT),
        Instrument.Kind.SPOT, XChangeVenue.Overload.INSTRUMENT, "PERP",
        depth -> new Object[] {Math.min(depth, 5000)}, NO_PARAMS, false);
  }

  /**
   * OKX: order books 40 requests per 2 s. Tickers (20 per 2 s) weigh 2 and discovery (two
   * instrument lists, 20 per 2 s) 4, so that one budget never exceeds any of OKX's per-endpoint
   * limits.
   */
  public static final RateLimitSpec OKX_LIMIT = RateLimitSpec.of(40, Duration.ofSeconds(2))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 2)
      .withWeight(RequestKind.INSTRUMENTS, 4);

  /** OKX spot through XChange's {@code OkexExchange}; its books are 20 levels deep. */
  public static XChangeVenue okx() {
    return new XChangeVenue(OkexExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.INSTRUMENT, "SWAP", depth -> new Object[0], OkexInstType.SPOT,
        true);
  }

  /**
   * Kraken: about one public request per second, counted here as 15 per sliding 15 s (the
   * burst Kraken's counter tolerates). Discovery weighs 3: XChange's Kraken loads the asset and
   * asset-pair tables besides the pairs, calls the engine's limiter cannot see one by one.
   */
  public static final RateLimitSpec KRAKEN_LIMIT = RateLimitSpec.of(15, Duration.ofSeconds(15))
      .withWeight(RequestKind.INSTRUMENTS, 3);

  /**
   * Kraken spot through XChange's {@code KrakenExchange}, which implements only the
   * {@code CurrencyPair} overloads; book depth up to 500.
   */
  public static XChangeVenue kraken() {
    return new XChangeVenue(KrakenExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP",
        depth -> new Object[] {Math.min(depth, 500)}, NO_PARAMS, false);
  }

  /**
   * Coinbase Exchange: 10 public requests per second; a ticker is two requests (ticker and 24 h
   * stats), discovery two (products and currencies).
   */
  public static final RateLimitSpec COINBASE_LIMIT = RateLimitSpec.of(10, Duration.ofSeconds(1))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.INSTRUMENTS, 2);

  /**
   * Coinbase Exchange through XChange's {@code CoinbaseProExchange}: level-2 books, no bulk
   * tickers (its {@code products/stats} has no bid or ask).
   */
  public static XChangeVenue coinbase() {
    return new XChangeVenue(CoinbaseProExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP", depth -> new Object[] {2}, null, false);
  }

  /** Bitstamp: 10,000 requests per 10 minutes (and at most 400 per second). */
  public static final RateLimitSpec BITSTAMP_LIMIT = RateLimitSpec.of(10_000,
      Duration.ofMinutes(10));

  /** Bitstamp through XChange: full books cut to the depth asked, no bulk tickers. */
  public static XChangeVenue bitstamp() {
    return new XChangeVenue(BitstampExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP", depth -> new Object[0], null, true);
  }
}
