package dev.scanflux.exchanges.sim.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * KuCoin futures, {@code /api/v1} on the futures host, after the public REST API documentation:
 * answers are {@code {"code":"200000","data":...}}; contracts named {@code XBTUSDTM} (KuCoin
 * calls bitcoin {@code XBT}) with a {@code multiplier} in base units per contract (here a
 * contract is worth about 100 USDT, which gives KuCoin's 0.001 for XBTUSDTM and 0.01 for
 * ETHUSDTM); book sizes in whole contracts; times in nanoseconds. One public pool of 2,000
 * weight per 30 s: active contracts weigh 3, a ticker 2, a 20-level book 5, a 100-level book
 * 10. Beyond it HTTP 429 with code {@code 429000}.
 */
public final class KucoinFuturesProtocol implements VenueProtocol {

  /** The value of one contract the simulated multipliers aim at, in USDT. */
  static final double CONTRACT_VALUE = 100;
  private static final String PUBLIC = "public";

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * @param market the market (perpetuals quoted in USDT)
   * @param clock  milliseconds now
   */
  public KucoinFuturesProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(symbol(i), i);
    }
  }

  /** KuCoin's code of a currency: {@code XBT} for bitcoin. */
  static String code(String base) {
    return "BTC".equals(base) ? "XBT" : base;
  }

  private static String symbol(SimInstrument i) {
    return code(i.base()) + i.quote() + "M";
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(PUBLIC, 2000, Duration.ofSeconds(30)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String symbol = r.param("symbol");
    return switch (r.path()) {
      case "/api/v1/contracts/active" -> new Call(PUBLIC, 3, null, c -> contracts());
      case "/api/v1/level2/depth20" -> new Call(PUBLIC, 5, symbol,
          crossed -> book(symbol, 20, crossed));
      case "/api/v1/level2/depth100" -> new Call(PUBLIC, 10, symbol,
          crossed -> book(symbol, 100, crossed));
      case "/api/v1/ticker" -> new Call(PUBLIC, 2, symbol, crossed -> ticker(symbol, crossed));
      default -> Call.notFound(PUBLIC, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(429, Json.write(Json.object().put("code", "429000")
        .put("msg", "Too Many Requests")));
  }

  @Override
  public Reply serverError() {
    return new Reply(503, Json.write(Json.object().put("code", "503000")
        .put("msg", "Service unavailable")));
  }

  private static BigDecimal multiplier(SimInstrument i) {
    return i.contractSize(CONTRACT_VALUE);
  }

  private Reply contracts() {
    ArrayNode data = Json.array();
    for (SimInstrument i : market.instruments()) {
      BigDecimal px = new BigDecimal(i.px(i.mid()));
      data.addObject().put("symbol", symbol(i)).put("rootSymbol", i.quote())
          .put("type", "FFWCSX").put("baseCurrency", code(i.base()))
          .put("quoteCurrency", i.quote()).put("settleCurrency", i.quote())
          .put("maxOrderQty", 1_000_000).put("lotSize", 1)
          .put("tickSize", new BigDecimal(i.tickText())).put("multiplier", multiplier(i))
          .put("isInverse", false).put("isQuanto", false).put("maxLeverage", 75)
          .put("status", "Open").put("markPrice", px).put("indexPrice", px)
          .put("lastTradePrice", px).put("fundingFeeRate", 0.0001);
    }
    return ok(data);
  }

  private Reply book(@Nullable String symbol, int depth, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return notFound(symbol);
    }
    SimInstrument.Book b = i.book(depth, crossed);
    ObjectNode data = Json.object().put("symbol", symbol).put("sequence", b.sequence());
    data.set("bids", levels(i, b.bids()));
    data.set("asks", levels(i, b.asks()));
    data.put("ts", clock.getAsLong() * 1_000_000);
    return ok(data);
  }

  private Reply ticker(@Nullable String symbol, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return notFound(symbol);
    }
    SimInstrument.Ticker t = i.ticker(crossed);
    BigDecimal m = multiplier(i);
    ObjectNode data = Json.object().put("sequence", clock.getAsLong()).put("symbol", symbol)
        .put("side", t.last() >= t.ask() ? "buy" : "sell").put("size", 1)
        .put("tradeId", Long.toString(clock.getAsLong())).put("price", i.px(t.last()))
        .put("bestBidPrice", i.px(t.bid()))
        .put("bestBidSize", SimInstrument.contracts(t.bidSize(), m))
        .put("bestAskPrice", i.px(t.ask()))
        .put("bestAskSize", SimInstrument.contracts(t.askSize(), m))
        .put("ts", clock.getAsLong() * 1_000_000);
    return ok(data);
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    BigDecimal m = multiplier(i);
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(new BigDecimal(i.px(side[k])))
          .add(SimInstrument.contracts(side[k + 1], m));
    }
    return a;
  }

  private static Reply ok(JsonNode data) {
    ObjectNode o = Json.object().put("code", "200000");
    o.set("data", data);
    return new Reply(200, Json.write(o));
  }

  private static Reply notFound(@Nullable String symbol) {
    return new Reply(404, Json.write(Json.object().put("code", "404000")
        .put("msg", "Contract " + symbol + " does not exist")));
  }
}
