package dev.scanflux.simulator.internal.kucoin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.VenueProtocol;
import dev.scanflux.simulator.internal.VenueProtocol.Call;
import dev.scanflux.simulator.internal.VenueProtocol.Limit;
import dev.scanflux.simulator.internal.VenueProtocol.Reply;
import dev.scanflux.simulator.internal.VenueProtocol.Request;
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
  private final @Nullable KucoinWsProtocol streams;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * @param market the market (perpetuals quoted in USDT)
   * @param clock  milliseconds now
   */
  public KucoinFuturesProtocol(SyntheticMarket market, LongSupplier clock) {
    this(market, clock, null);
  }

  /**
   * The same, serving {@code POST /api/v1/bullet-public} (weight 10) with the tokens and
   * endpoint of {@code streams}; without it that route is unknown, as there is no WebSocket.
   *
   * @param streams the WebSocket side, or null
   */
  public KucoinFuturesProtocol(SyntheticMarket market, LongSupplier clock,
      @Nullable KucoinWsProtocol streams) {
    this.market = market;
    this.clock = clock;
    this.streams = streams;
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
    KucoinWsProtocol ws = streams;
    if (ws != null && r.path().equals("/api/v1/bullet-public") && r.method().equals("POST")) {
      return new Call(PUBLIC, 10, null, c -> ws.bullet());
    }
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

  static BigDecimal multiplier(SimInstrument i) {
    return i.contractSize(CONTRACT_VALUE);
  }

  private Reply contracts() {
    ArrayNode data = Json.array();
    for (SimInstrument i : market.instruments()) {
      BigDecimal px = new BigDecimal(i.px(i.mid()));
      SimInstrument.Ticker t = i.ticker(false);
      String base = code(i.base());
      long now = clock.getAsLong();
      ObjectNode c = data.addObject().put("symbol", symbol(i)).put("rootSymbol", i.quote())
          .put("type", "FFWCSX").put("firstOpenDate", 1_585_555_200_000L)
          .putNull("expireDate").putNull("settleDate").put("baseCurrency", base)
          .put("quoteCurrency", i.quote()).put("settleCurrency", i.quote())
          .put("maxOrderQty", 1_000_000).put("maxPrice", 1_000_000).put("lotSize", 1)
          .put("tickSize", new BigDecimal(i.tickText())).put("indexPriceTickSize", 0.01)
          .put("multiplier", multiplier(i)).put("initialMargin", 0.008)
          .put("maintainMargin", 0.004).put("maxRiskLimit", 100_000)
          .put("minRiskLimit", 100_000).put("riskStep", 50_000).put("makerFeeRate", 0.0002)
          .put("takerFeeRate", 0.0006).put("takerFixFee", 0).put("makerFixFee", 0)
          .putNull("settlementFee").put("isDeleverage", true).put("isQuanto", false)
          .put("isInverse", false).put("markMethod", "FairPrice")
          .put("fairMethod", "FundingRate").put("fundingBaseSymbol", "." + base + "INT8H")
          .put("fundingQuoteSymbol", "." + i.quote() + "INT8H")
          .put("fundingRateSymbol", "." + symbol(i) + "FPI8H")
          .put("indexSymbol", ".K" + base + i.quote()).put("settlementSymbol", "")
          .put("status", "Open").put("fundingFeeRate", 0.0001)
          .put("predictedFundingFeeRate", 0.0001).put("fundingRateGranularity", 28_800_000)
          .put("openInterest", Long.toString(Math.round(t.volume())))
          .put("turnoverOf24h", t.quoteVolume()).put("volumeOf24h", t.volume())
          .put("markPrice", px).put("indexPrice", px).put("lastTradePrice", px)
          .put("nextFundingRateTime", 28_800_000 - now % 28_800_000).put("maxLeverage", 75);
      c.putArray("sourceExchanges").add("okex").add("binance").add("kucoin").add("bybit");
      c.put("premiumsSymbol1M", "." + symbol(i) + "PI")
          .put("premiumsSymbol8H", "." + symbol(i) + "PI8H")
          .put("fundingBaseSymbol1M", "." + base + "INT")
          .put("fundingQuoteSymbol1M", "." + i.quote() + "INT")
          .put("lowPrice", new BigDecimal(i.px(t.low())))
          .put("highPrice", new BigDecimal(i.px(t.high())))
          .put("priceChgPct", Math.round(t.change() * 10_000) / 10_000.0)
          .put("priceChg", new BigDecimal(i.px(Math.abs(t.last() - t.open())))
              .multiply(BigDecimal.valueOf(t.last() >= t.open() ? 1 : -1)))
          .put("k", 490).put("m", 300).put("f", 1.3).put("mmrLimit", 0.3)
          .put("mmrLevConstant", 75).put("supportCross", true)
          .put("buyLimit", new BigDecimal(i.px(i.mid() * 1.05)))
          .put("sellLimit", new BigDecimal(i.px(i.mid() * 0.95)));
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
