package dev.scanflux.exchanges.sim;

/** The venue wire formats the simulator speaks. */
public enum SimulatedVenue {
  /** Binance spot ({@code /api/v3}); 6,000 weight per minute, {@code X-MBX-USED-WEIGHT-1M}. */
  BINANCE_SPOT,
  /**
   * Binance USD-M futures ({@code /fapi/v1}), also AsterDEX's API; 2,400 weight per minute,
   * {@code X-MBX-USED-WEIGHT-1M}.
   */
  BINANCE_FUTURES,
  /** OKX ({@code /api/v5}); 40 book requests and 20 ticker requests per 2 s, code 50011. */
  OKX,
  /**
   * Kraken ({@code /0/public}); about one request per second (15 per sliding 15 s),
   * {@code EAPI:Rate limit exceeded}.
   */
  KRAKEN,
  /** Hyperliquid ({@code POST /info}); 1,200 weight per minute, {@code l2Book} weighs 2. */
  HYPERLIQUID,
  /** Bybit v5 spot ({@code /v5/market}); 600 requests per 5 s, then 403 "access too frequent". */
  BYBIT,
  /** KuCoin spot ({@code /api/v1}); 2,000 weight per 30 s, code 429000. */
  KUCOIN,
  /** Gate.io spot ({@code /api/v4}); 200 requests per 10 s per endpoint. */
  GATE,
  /** Coinbase Exchange ({@code /products}); 10 public requests per second. */
  COINBASE,
  /** Bitstamp ({@code /api/v2}); 10,000 requests per 10 minutes. */
  BITSTAMP,
  /** BingX spot ({@code /openApi/spot/v1}); 100 requests per 10 s, code 100410. */
  BINGX
}
