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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * KuCoin spot, {@code /api}, after the public REST API documentation: answers are
 * {@code {"code":"200000","data":...}}; the public resource pool allows 2,000 weight per 30 s,
 * with symbols ({@code /api/v2/symbols}) 4, currencies ({@code /api/v3/currencies}) 3, a
 * 20-level book 2, a 100-level book 4, 24 h stats 15 and all
 * tickers 15. Beyond it KuCoin answers HTTP 429 with code {@code 429000}. The retired
 * {@code /api/v1/symbols} and {@code /api/v1/currencies}, which KuCoin no longer documents, are
 * not served.
 */
public final class KucoinProtocol implements VenueProtocol {

  private static final String PUBLIC = "public";

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final @Nullable KucoinWsProtocol streams;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * @param market the market
   * @param clock  milliseconds now
   */
  public KucoinProtocol(SyntheticMarket market, LongSupplier clock) {
    this(market, clock, null);
  }

  /**
   * The same, serving {@code POST /api/v1/bullet-public} (weight 10) with the tokens and
   * endpoint of {@code streams}; without it that route is unknown, as there is no WebSocket.
   *
   * @param streams the WebSocket side, or null
   */
  public KucoinProtocol(SyntheticMarket market, LongSupplier clock,
      @Nullable KucoinWsProtocol streams) {
    this.market = market;
    this.clock = clock;
    this.streams = streams;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + '-' + i.quote(), i);
    }
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
      case "/api/v2/symbols" -> new Call(PUBLIC, 4, null, c -> symbols());
      case "/api/v3/currencies" -> new Call(PUBLIC, 3, null, c -> currencies());
      case "/api/v1/market/orderbook/level2_20" -> new Call(PUBLIC, 2, symbol,
          crossed -> book(symbol, 20, crossed));
      case "/api/v1/market/orderbook/level2_100" -> new Call(PUBLIC, 4, symbol,
          crossed -> book(symbol, 100, crossed));
      case "/api/v1/market/stats" -> new Call(PUBLIC, 15, symbol, crossed -> stats(symbol,
          crossed));
      case "/api/v1/market/allTickers" -> new Call(PUBLIC, 15, null, this::allTickers);
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

  private Reply symbols() {
    ArrayNode data = Json.array();
    for (SimInstrument i : market.instruments()) {
      data.addObject().put("symbol", i.base() + '-' + i.quote())
          .put("name", i.base() + '-' + i.quote()).put("baseCurrency", i.base())
          .put("quoteCurrency", i.quote()).put("feeCurrency", i.quote()).put("market", "USDS")
          .put("baseMinSize", i.stepText()).put("quoteMinSize", "0.1")
          .put("baseMaxSize", "10000000000").put("quoteMaxSize", "99999999")
          .put("baseIncrement", i.stepText()).put("quoteIncrement", "0.000001")
          .put("priceIncrement", i.tickText()).put("priceLimitRate", "0.1")
          .put("minFunds", "0.1").put("isMarginEnabled", false).put("enableTrading", true)
          .put("feeCategory", 1).put("makerFeeCoefficient", "1.00")
          .put("takerFeeCoefficient", "1.00").put("st", false)
          .put("callauctionIsEnabled", false).putNull("callauctionPriceFloor")
          .putNull("callauctionPriceCeiling").putNull("callauctionFirstStageStartTime")
          .putNull("callauctionSecondStageStartTime").putNull("callauctionThirdStageStartTime")
          .putNull("tradingStartTime");
    }
    return ok(data);
  }

  private Reply currencies() {
    ArrayNode data = Json.array();
    currency(data, "USDT", 6);
    for (SimInstrument i : market.instruments()) {
      currency(data, i.base(), 8);
    }
    return ok(data);
  }

  private static void currency(ArrayNode data, String code, int precision) {
    ObjectNode c = data.addObject().put("currency", code).put("name", code)
        .put("fullName", code).put("precision", precision).putNull("confirms")
        .putNull("contractAddress").put("isMarginEnabled", false).put("isDebitEnabled", false);
    c.putArray("chains").addObject().put("chainName", code).put("withdrawalMinSize", "0.001")
        .put("depositMinSize", "0.0002").put("withdrawFeeRate", "0")
        .put("withdrawalMinFee", "0.0005").put("isWithdrawEnabled", true)
        .put("isDepositEnabled", true).put("confirms", 3).put("preConfirms", 1)
        .put("contractAddress", "").put("withdrawPrecision", precision)
        .putNull("maxWithdraw").putNull("maxDeposit").put("needTag", false)
        .put("chainId", code.toLowerCase(java.util.Locale.ROOT));
  }

  private Reply book(@Nullable String symbol, int depth, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return error(400, "400100", "This pair is not provided at present");
    }
    SimInstrument.Book b = i.book(depth, crossed);
    ObjectNode data = Json.object().put("sequence", Long.toString(b.sequence()))
        .put("time", clock.getAsLong());
    data.set("bids", levels(i, b.bids()));
    data.set("asks", levels(i, b.asks()));
    return ok(data);
  }

  private Reply stats(@Nullable String symbol, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return error(400, "400100", "This pair is not provided at present");
    }
    return ok(ticker(i, crossed).put("time", clock.getAsLong()));
  }

  private Reply allTickers(boolean crossed) {
    ObjectNode data = Json.object().put("time", clock.getAsLong());
    ArrayNode list = data.putArray("ticker");
    for (SimInstrument i : market.instruments()) {
      list.add(ticker(i, crossed).put("symbolName", i.base() + '-' + i.quote()));
    }
    return ok(data);
  }

  private static ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    return Json.object().put("symbol", i.base() + '-' + i.quote()).put("buy", i.px(t.bid()))
        .put("bestBidSize", i.qty(t.bidSize())).put("sell", i.px(t.ask()))
        .put("bestAskSize", i.qty(t.askSize()))
        .put("changeRate", String.format(java.util.Locale.ROOT, "%.4f", t.change()))
        .put("changePrice", i.px(t.last() - t.open())).put("high", i.px(t.high()))
        .put("low", i.px(t.low())).put("vol", i.qty(t.volume()))
        .put("volValue", i.px(t.quoteVolume())).put("last", i.px(t.last()))
        .put("averagePrice", i.px((t.high() + t.low()) / 2)).put("takerFeeRate", "0.001")
        .put("makerFeeRate", "0.001").put("takerCoefficient", "1").put("makerCoefficient", "1");
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private static Reply ok(JsonNode data) {
    ObjectNode o = Json.object().put("code", "200000");
    o.set("data", data);
    return new Reply(200, Json.write(o));
  }

  private static Reply error(int status, String code, String msg) {
    return new Reply(status, Json.write(Json.object().put("code", code).put("msg", msg)));
  }
}
