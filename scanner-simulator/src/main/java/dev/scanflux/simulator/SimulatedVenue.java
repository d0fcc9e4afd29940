package dev.scanflux.simulator;

import dev.scanflux.core.model.Instrument;

/**
 * The venue wire formats the simulator speaks. Point the client of that venue at the simulator:
 *
 * <pre>{@code
 * VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.OKX).build();
 * MarketSource okx = Venues.okx().baseUrl(sim.start()).build();   // scanner-exchanges
 * }</pre>
 *
 * <p>The simulator knows no client: it is written from the venues' wire formats only, so that a
 * client's mistake is not repeated on the other side.
 */
public enum SimulatedVenue {
  /** Binance spot ({@code /api/v3}); 6,000 weight per minute, {@code X-MBX-USED-WEIGHT-1M}. */
  BINANCE_SPOT("USDT", false),
  /**
   * Binance USD-M futures ({@code /fapi/v1}), also AsterDEX's API; 2,400 weight per minute,
   * {@code X-MBX-USED-WEIGHT-1M}.
   */
  BINANCE_FUTURES("USDT", true),
  /**
   * AsterDEX perpetuals: Binance USD-M futures' API ({@code /fapi/v1}) and WebSocket at
   * AsterDEX's address, with AsterDEX's own listing; 2,400 weight per minute.
   */
  ASTERDEX("USDT", true),
  /** OKX ({@code /api/v5}); 40 book requests and 20 ticker requests per 2 s, code 50011. */
  OKX("USDT", false),
  /**
   * OKX linear perpetual swaps ({@code /api/v5}, {@code instType=SWAP}, {@code BTC-USDT-SWAP});
   * books and tickers in contracts of a per-instrument {@code ctVal} (0.01 BTC, 0.1 ETH, ...);
   * OKX's limits, code 50011.
   */
  OKX_SWAP("USDT", true),
  /**
   * Kraken ({@code /0/public}); about one request per second (15 per sliding 15 s),
   * {@code EAPI:Rate limit exceeded}.
   */
  KRAKEN("USD", false),
  /** Hyperliquid ({@code POST /info}); 1,200 weight per minute, {@code l2Book} weighs 2. */
  HYPERLIQUID("USDC", true),
  /** Bybit v5 spot ({@code /v5/market}); 600 requests per 5 s, then 403 "access too frequent". */
  BYBIT("USDT", false),
  /**
   * Bybit v5 linear perpetuals ({@code category=linear}); tiny-priced coins are listed per
   * thousand ({@code 1000PEPEUSDT}); 600 requests per 5 s, then 403 "access too frequent".
   */
  BYBIT_LINEAR("USDT", true),
  /** KuCoin spot ({@code /api/v1}); 2,000 weight per 30 s, code 429000. */
  KUCOIN("USDT", false),
  /** Gate.io spot ({@code /api/v4}); 200 requests per 10 s per endpoint. */
  GATE("USDT", false),
  /** Coinbase Exchange ({@code /products}); 10 public requests per second. */
  COINBASE("USD", false),
  /** Bitstamp ({@code /api/v2}); 10,000 requests per 10 minutes. */
  BITSTAMP("USD", false),
  /** BingX spot ({@code /openApi/spot/v1}); 100 requests per 10 s, code 100410. */
  BINGX("USDT", false),
  /**
   * Gate.io USDT perpetuals ({@code /api/v4/futures/usdt}); 200 requests per 10 s per endpoint,
   * book sizes in contracts of a {@code quanto_multiplier} per contract.
   */
  GATE_FUTURES("USDT", true),
  /**
   * KuCoin futures ({@code /api/v1} on the futures host); 2,000 weight per 30 s, code 429000,
   * contracts such as {@code XBTUSDTM} with a {@code multiplier} per contract.
   */
  KUCOIN_FUTURES("USDT", true),
  /**
   * Lighter ({@code /api/v1}); 60 requests per minute, markets by numeric {@code market_id},
   * books as resting orders in base units.
   */
  LIGHTER("USDC", true);

  private final String quote;
  private final boolean perpetual;

  SimulatedVenue(String quote, boolean perpetual) {
    this.quote = quote;
    this.perpetual = perpetual;
  }

  /** The quote currency of the simulated instruments, e.g. {@code USDT}. */
  public String quote() {
    return quote;
  }

  /** The simulated instrument of {@code base}, e.g. {@code BTC/USDT} or {@code BTC/USDC:perp}. */
  public Instrument instrument(String base) {
    return perpetual ? Instrument.perpetual(base, quote) : Instrument.spot(base, quote);
  }

  /**
   * True when the simulator can serve this venue's public WebSocket too
   * ({@link VenueSimulator.Builder#websocket(boolean)}): {@link #BINANCE_SPOT},
   * {@link #BINANCE_FUTURES}, {@link #ASTERDEX}, {@link #OKX}, {@link #OKX_SWAP},
   * {@link #BYBIT}, {@link #BYBIT_LINEAR}, {@link #HYPERLIQUID}, {@link #KRAKEN}, {@link #GATE},
   * {@link #GATE_FUTURES}, {@link #KUCOIN}, {@link #KUCOIN_FUTURES} (with their token
   * endpoint, {@code POST /api/v1/bullet-public}), {@link #BITSTAMP} and {@link #BINGX}: the
   * venues whose presets have a push stream.
   */
  public boolean hasWebsocket() {
    return this == OKX || this == OKX_SWAP || this == HYPERLIQUID || this == BINANCE_SPOT
        || this == BYBIT || this == BYBIT_LINEAR || this == KRAKEN || this == GATE
        || this == GATE_FUTURES || this == BINANCE_FUTURES || this == ASTERDEX
        || this == KUCOIN || this == KUCOIN_FUTURES || this == BITSTAMP || this == BINGX;
  }

  boolean perpetual() {
    return perpetual;
  }
}
