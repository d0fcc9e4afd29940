package dev.scanflux.simulator.internal.binance;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SlidingWindowLimiter;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.VenueProtocol;
import dev.scanflux.simulator.internal.VenueProtocol.Call;
import dev.scanflux.simulator.internal.VenueProtocol.Limit;
import dev.scanflux.simulator.internal.VenueProtocol.Reply;
import dev.scanflux.simulator.internal.VenueProtocol.Request;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Binance spot ({@code /api/v3}) or USD-M futures ({@code /fapi/v1}), after the public REST API
 * documentation. Spot: one request-weight bucket of 6,000 per minute; depth weighs 5, 25, 50 or
 * 250 by its limit; a ticker 2 (80 for all); a book ticker 2 (4 for all); exchange info 20.
 * Futures: 2,400 per minute; depth 2 (limit up to 50), 5 (100), 10 (500), 20 (1,000); a
 * 24 h ticker 1 (40 for all, and without bid or ask); a book ticker 2 (5 for all); exchange info
 * 1. Every answer carries {@code X-MBX-USED-WEIGHT-1M}; a 429 carries code -1003.
 *
 * <p>With the WebSocket side on, depth (spot and futures) is served from its streamed books
 * ({@link BinanceWsProtocol#depth}), so that {@code lastUpdateId} and the levels match the diff
 * events, as a client syncing a book on them needs; otherwise each answer is a fresh book.
 */
public final class BinanceProtocol implements VenueProtocol {

  private static final String WEIGHT = "REQUEST_WEIGHT";

  private static final int[] FUTURES_LIMITS = {5, 10, 20, 50, 100, 500, 1000};

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final boolean futures;
  private final String prefix;
  private final int budget;
  private final @Nullable BinanceWsProtocol streams;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * Spot.
   *
   * @param market  the market
   * @param clock   milliseconds now, for server and close times
   * @param streams the WebSocket side whose books depth is served from, or null
   */
  public BinanceProtocol(SyntheticMarket market, LongSupplier clock,
      @Nullable BinanceWsProtocol streams) {
    this(market, clock, false, streams);
  }

  /**
   * @param market  the market (perpetuals for futures)
   * @param clock   milliseconds now
   * @param futures USD-M futures instead of spot
   * @param streams the WebSocket side whose books depth is served from, or null
   */
  public BinanceProtocol(SyntheticMarket market, LongSupplier clock, boolean futures,
      @Nullable BinanceWsProtocol streams) {
    this.streams = streams;
    this.market = market;
    this.clock = clock;
    this.futures = futures;
    this.prefix = futures ? "/fapi/v1" : "/api/v3";
    this.budget = futures ? 2400 : 6000;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + i.quote(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(WEIGHT, budget, Duration.ofMinutes(1)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String symbol = r.param("symbol");
    if (!r.path().startsWith(prefix + "/")) {
      return Call.notFound(WEIGHT, r.path());
    }
    return switch (r.path().substring(prefix.length())) {
      case "/ping" -> new Call(WEIGHT, 1, null, c -> ok(Json.object()));
      case "/time" -> new Call(WEIGHT, 1, null,
          c -> ok(Json.object().put("serverTime", clock.getAsLong())));
      case "/exchangeInfo" -> new Call(WEIGHT, futures ? 1 : 20, null, c -> exchangeInfo());
      case "/depth" -> depth(symbol, r.param("limit"));
      case "/ticker/24hr" -> symbol == null
          ? new Call(WEIGHT, futures ? 40 : 80, null, c -> allTickers(c))
          : new Call(WEIGHT, futures ? 1 : 2, symbol, c -> withSymbol(symbol, i -> ticker(i, c)));
      case "/ticker/bookTicker" -> symbol == null
          ? new Call(WEIGHT, futures ? 5 : 4, null, c -> allBookTickers(c))
          : new Call(WEIGHT, 2, symbol, c -> withSymbol(symbol, i -> bookTicker(i, c)));
      default -> Call.notFound(WEIGHT, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return error(429, -1003, "Too many requests; current limit of IP(127.0.0.1) request weight "
        + "per 1 MINUTE is " + budget + ". Please use WebSocket Streams for live updates to avoid polling "
        + "the API.");
  }

  @Override
  public Reply serverError() {
    return error(503, -1001, "Internal error; unable to process your request. Please try again.");
  }

  @Override
  public void addHeaders(Headers headers, SlidingWindowLimiter limiter, long nowMs) {
    headers.set("X-MBX-USED-WEIGHT-1M", Integer.toString(limiter.used(WEIGHT, nowMs)));
  }

  /** The depth weight for a limit, per the documentation. */
  static int depthWeight(int limit) {
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }

  /** The futures depth weight for a limit, per the documentation. */
  static int futuresDepthWeight(int limit) {
    return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
  }

  private Call depth(@Nullable String symbol, @Nullable String limitText) {
    int limit;
    try {
      limit = limitText == null ? 100 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      return new Call(WEIGHT, 1, symbol, c -> error(400, -1100,
          "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."));
    }
    if (futures && java.util.Arrays.stream(FUTURES_LIMITS).noneMatch(l -> l == limit)) {
      return new Call(WEIGHT, 1, symbol, c -> error(400, -1130,
          "Invalid limit: must be one of 5, 10, 20, 50, 100, 500, 1000."));
    }
    if (limit < 1 || limit > 5000) {
      return new Call(WEIGHT, 1, symbol,
          c -> error(400, -1130, "Invalid data sent for a parameter."));
    }
    if (symbol == null) {
      return new Call(WEIGHT, 1, null, c -> error(400, -1102,
          "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."));
    }
    int weight = futures ? futuresDepthWeight(limit) : depthWeight(limit);
    return new Call(WEIGHT, weight, symbol, crossed -> withSymbol(symbol, i -> {
      if (streams != null) {
        return streams.depth(i, limit, crossed);
      }
      SimInstrument.Book book = i.book(limit, crossed);
      ObjectNode o = Json.object().put("lastUpdateId", book.sequence());
      if (futures) {
        o.put("E", clock.getAsLong()).put("T", clock.getAsLong() - 3);
      }
      o.set("bids", levels(i, book.bids()));
      o.set("asks", levels(i, book.asks()));
      return ok(o);
    }));
  }

  private Reply exchangeInfo() {
    ObjectNode o = Json.object().put("timezone", "UTC").put("serverTime", clock.getAsLong());
    ArrayNode limits = o.putArray("rateLimits");
    limits.addObject().put("rateLimitType", WEIGHT).put("interval", "MINUTE")
        .put("intervalNum", 1).put("limit", budget);
    limits.addObject().put("rateLimitType", "ORDERS").put("interval", "SECOND")
        .put("intervalNum", 10).put("limit", 100);
    limits.addObject().put("rateLimitType", "RAW_REQUESTS").put("interval", "MINUTE")
        .put("intervalNum", 5).put("limit", 61000);
    o.putArray("exchangeFilters");
    ArrayNode symbols = o.putArray("symbols");
    for (SimInstrument i : market.instruments()) {
      ObjectNode s = symbols.addObject();
      if (futures) {
        s.put("symbol", i.base() + i.quote()).put("pair", i.base() + i.quote())
            .put("contractType", "PERPETUAL").put("deliveryDate", 4133404800000L)
            .put("onboardDate", 1569398400000L).put("marginAsset", i.quote())
            .put("pricePrecision", i.priceDecimals())
            .put("quantityPrecision", i.sizeDecimals()).put("underlyingType", "COIN")
            .put("settlePlan", 0).put("triggerProtect", "0.0500");
      }
      s.put("symbol", i.base() + i.quote()).put("status", "TRADING")
          .put("baseAsset", i.base()).put("baseAssetPrecision", 8)
          .put("quoteAsset", i.quote()).put("quotePrecision", 8)
          .put("quoteAssetPrecision", 8).put("baseCommissionPrecision", 8)
          .put("quoteCommissionPrecision", 8);
      ArrayNode types = s.putArray("orderTypes");
      for (String t : new String[] {"LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT",
          "TAKE_PROFIT_LIMIT"}) {
        types.add(t);
      }
      if (!futures) {
        s.put("icebergAllowed", true).put("ocoAllowed", true)
            .put("quoteOrderQtyMarketAllowed", true).put("allowTrailingStop", true)
            .put("cancelReplaceAllowed", true).put("isSpotTradingAllowed", true)
            .put("isMarginTradingAllowed", false);
      }
      ArrayNode filters = s.putArray("filters");
      filters.addObject().put("filterType", "PRICE_FILTER").put("minPrice", i.tickText())
          .put("maxPrice", "1000000.00000000").put("tickSize", i.tickText());
      filters.addObject().put("filterType", "LOT_SIZE").put("minQty", i.stepText())
          .put("maxQty", "9000000.00000000").put("stepSize", i.stepText());
      filters.addObject().put("filterType", "MIN_NOTIONAL").put("minNotional", "5.00000000")
          .put("applyToMarket", true).put("avgPriceMins", 5);
      if (!futures) {
        s.putArray("permissions").add("SPOT");
        s.put("defaultSelfTradePreventionMode", "EXPIRE_MAKER");
      }
    }
    return ok(o);
  }

  private ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    long now = clock.getAsLong();
    ObjectNode o = Json.object().put("symbol", i.base() + i.quote())
        .put("priceChange", i.px(t.last() - t.open()))
        .put("priceChangePercent", String.format(java.util.Locale.ROOT, "%.3f", 100 * t.change()))
        .put("weightedAvgPrice", i.px((t.high() + t.low()) / 2))
        .put("prevClosePrice", i.px(t.open())).put("lastPrice", i.px(t.last()))
        .put("lastQty", i.qty(t.bidSize() / 3)).put("bidPrice", i.px(t.bid()))
        .put("bidQty", i.qty(t.bidSize())).put("askPrice", i.px(t.ask()))
        .put("askQty", i.qty(t.askSize())).put("openPrice", i.px(t.open()))
        .put("highPrice", i.px(t.high())).put("lowPrice", i.px(t.low()))
        .put("volume", i.qty(t.volume())).put("quoteVolume", i.px(t.quoteVolume()))
        .put("openTime", now - 86_400_000L).put("closeTime", now)
        .put("firstId", 1000L * i.index()).put("lastId", 1000L * i.index() + 999)
        .put("count", 1000);
    if (futures) {
      for (String f : new String[] {"prevClosePrice", "bidPrice", "bidQty", "askPrice",
          "askQty"}) {
        o.remove(f);
      }
    }
    return o;
  }

  private ObjectNode bookTicker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    ObjectNode o = Json.object().put("symbol", i.base() + i.quote())
        .put("bidPrice", i.px(t.bid())).put("bidQty", i.qty(t.bidSize()))
        .put("askPrice", i.px(t.ask())).put("askQty", i.qty(t.askSize()));
    if (futures) {
      o.put("time", clock.getAsLong());
    }
    return o;
  }

  private Reply allTickers(boolean crossed) {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      a.add(ticker(i, crossed));
    }
    return new Reply(200, Json.write(a));
  }

  private Reply allBookTickers(boolean crossed) {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      a.add(bookTicker(i, crossed));
    }
    return new Reply(200, Json.write(a));
  }

  private Reply withSymbol(String symbol, java.util.function.Function<SimInstrument, Object> f) {
    SimInstrument i = bySymbol.get(symbol);
    if (i == null) {
      return error(400, -1121, "Invalid symbol.");
    }
    Object result = f.apply(i);
    return result instanceof Reply reply ? reply : ok((ObjectNode) result);
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private static Reply ok(ObjectNode o) {
    return new Reply(200, Json.write(o));
  }

  private static Reply error(int status, int code, String msg) {
    return new Reply(status, Json.write(Json.object().put("code", code).put("msg", msg)));
  }
}
