package dev.scanflux.simulator.internal.bybit;

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
 * Bybit v5 market API, spot or linear category, after the public API documentation: answers are
 * {@code {"retCode":0,"retMsg":"OK","result":{...},"retExtInfo":{},"time":...}}; one IP bucket
 * of 600 requests per 5 s, beyond which Bybit answers HTTP 403 "access too frequent". Linear
 * instruments are {@code LinearPerpetual} contracts quoted in base units, listed in pages
 * ({@code limit} 1 to 1,000, default 500, then {@code nextPageCursor}); their books go to 500
 * levels, spot books to 200.
 */
public final class BybitProtocol implements VenueProtocol {

  private static final String IP = "ip";

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final boolean linear;
  private final String category;

  /**
   * Spot.
   *
   * @param market the market
   * @param clock  milliseconds now
   */
  public BybitProtocol(SyntheticMarket market, LongSupplier clock) {
    this(market, clock, false);
  }

  /**
   * @param market the market
   * @param clock  milliseconds now
   * @param linear true for the linear category, false for spot
   */
  public BybitProtocol(SyntheticMarket market, LongSupplier clock, boolean linear) {
    this.market = market;
    this.clock = clock;
    this.linear = linear;
    this.category = linear ? "linear" : "spot";
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + i.quote(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(IP, 600, Duration.ofSeconds(5)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String symbol = r.param("symbol");
    if (!category.equals(r.param("category"))) {
      return new Call(IP, 1, symbol, c -> error(10001, "params error: category"));
    }
    return switch (r.path()) {
      case "/v5/market/instruments-info" -> new Call(IP, 1, null,
          c -> instruments(r.param("limit"), r.param("cursor")));
      case "/v5/market/orderbook" -> new Call(IP, 1, symbol,
          crossed -> orderbook(symbol, r.param("limit"), crossed));
      case "/v5/market/tickers" -> new Call(IP, 1, symbol, crossed -> tickers(symbol, crossed));
      default -> Call.notFound(IP, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(403, "access too frequent");
  }

  @Override
  public Reply serverError() {
    return new Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
  }

  private Reply instruments(@Nullable String limitText, @Nullable String cursor) {
    if (linear) {
      return linearInstruments(limitText, cursor);
    }
    ObjectNode result = Json.object().put("category", "spot");
    ArrayNode list = result.putArray("list");
    for (SimInstrument i : market.instruments()) {
      ObjectNode s = list.addObject().put("symbol", i.base() + i.quote())
          .put("baseCoin", i.base()).put("quoteCoin", i.quote()).put("innovation", "0")
          .put("status", "Trading").put("marginTrading", "none");
      s.putObject("lotSizeFilter").put("basePrecision", i.stepText())
          .put("quotePrecision", "0.00000001").put("minOrderQty", i.stepText())
          .put("maxOrderQty", "100000").put("minOrderAmt", "1").put("maxOrderAmt", "2000000");
      s.putObject("priceFilter").put("tickSize", i.tickText());
    }
    result.put("nextPageCursor", "");
    return ok(result);
  }

  private Reply linearInstruments(@Nullable String limitText, @Nullable String cursor) {
    int limit;
    int from;
    try {
      limit = limitText == null ? 500 : Integer.parseInt(limitText);
      from = cursor == null || cursor.isEmpty() ? 0 : Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      return error(10001, "params error: limit or cursor");
    }
    if (limit < 1 || limit > 1000 || from < 0) {
      return error(10001, "params error: limit or cursor");
    }
    List<SimInstrument> all = market.instruments();
    int to = Math.min(all.size(), from + limit);
    ObjectNode result = Json.object().put("category", "linear");
    ArrayNode list = result.putArray("list");
    for (SimInstrument i : all.subList(Math.min(from, to), to)) {
      ObjectNode s = list.addObject().put("symbol", i.base() + i.quote())
          .put("contractType", "LinearPerpetual").put("status", "Trading")
          .put("baseCoin", i.base()).put("quoteCoin", i.quote())
          .put("launchTime", "1585526400000").put("deliveryTime", "0").put("deliveryFeeRate", "")
          .put("priceScale", Integer.toString(i.priceDecimals())).put("unifiedMarginTrade", true)
          .put("fundingInterval", 480).put("settleCoin", i.quote()).put("copyTrading", "both")
          .put("upperFundingRate", "0.00375").put("lowerFundingRate", "-0.00375");
      s.putObject("leverageFilter").put("minLeverage", "1").put("maxLeverage", "100.00")
          .put("leverageStep", "0.01");
      s.putObject("priceFilter").put("minPrice", i.tickText()).put("maxPrice", "1999999.8")
          .put("tickSize", i.tickText());
      s.putObject("lotSizeFilter").put("maxOrderQty", "1190.000")
          .put("minOrderQty", i.stepText()).put("qtyStep", i.stepText())
          .put("postOnlyMaxOrderQty", "1190.000").put("maxMktOrderQty", "500.000")
          .put("minNotionalValue", "5");
    }
    result.put("nextPageCursor", to < all.size() ? Integer.toString(to) : "");
    return ok(result);
  }

  private Reply orderbook(@Nullable String symbol, @Nullable String limitText, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return error(10001, "Not supported symbols");
    }
    int limit;
    try {
      limit = limitText == null ? 1 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      return error(10001, "params error: limit");
    }
    if (limit < 1 || limit > (linear ? 500 : 200)) {
      return error(10001, "params error: limit");
    }
    SimInstrument.Book b = i.book(limit, crossed);
    long now = clock.getAsLong();
    ObjectNode result = Json.object().put("s", symbol);
    result.set("b", levels(i, b.bids()));
    result.set("a", levels(i, b.asks()));
    result.put("ts", now).put("u", b.sequence()).put("seq", 1000 + b.sequence())
        .put("cts", now - 5);
    return ok(result);
  }

  private Reply tickers(@Nullable String symbol, boolean crossed) {
    ObjectNode result = Json.object().put("category", category);
    ArrayNode list = result.putArray("list");
    if (symbol == null) {
      for (SimInstrument i : market.instruments()) {
        list.add(ticker(i, crossed, linear, clock.getAsLong()));
      }
    } else {
      SimInstrument i = bySymbol.get(symbol);
      if (i == null) {
        return error(10001, "Not supported symbols");
      }
      list.add(ticker(i, crossed, linear, clock.getAsLong()));
    }
    return ok(result);
  }

  /**
   * A ticker of the category: linear tickers carry the derivative fields of Bybit's documented
   * answer (index and mark price, open interest and its value, funding rate and time, and the
   * delivery fields, empty for perpetuals); spot ones {@code usdIndexPrice}.
   */
  private static JsonNode ticker(SimInstrument i, boolean crossed, boolean linear, long now) {
    SimInstrument.Ticker t = i.ticker(crossed);
    ObjectNode o = Json.object().put("symbol", i.base() + i.quote())
        .put("bid1Price", i.px(t.bid()))
        .put("bid1Size", i.qty(t.bidSize())).put("ask1Price", i.px(t.ask()))
        .put("ask1Size", i.qty(t.askSize())).put("lastPrice", i.px(t.last()))
        .put("prevPrice24h", i.px(t.open()))
        .put("price24hPcnt", String.format(java.util.Locale.ROOT, "%.4f", t.change()))
        .put("highPrice24h", i.px(t.high())).put("lowPrice24h", i.px(t.low()))
        .put("turnover24h", i.px(t.quoteVolume())).put("volume24h", i.qty(t.volume()));
    if (!linear) {
      return o.put("usdIndexPrice", i.px(t.last()));
    }
    double openInterest = t.volume() / 4;
    return o.put("indexPrice", i.px(t.last())).put("markPrice", i.px(t.last()))
        .put("prevPrice1h", i.px(t.open())).put("openInterest", i.qty(openInterest))
        .put("openInterestValue", i.px(openInterest * t.last()))
        .put("fundingRate", "0.0001")
        .put("nextFundingTime", Long.toString(now / 28_800_000 * 28_800_000 + 28_800_000))
        .put("predictedDeliveryPrice", "").put("basisRate", "").put("deliveryFeeRate", "")
        .put("deliveryTime", "0").put("basis", "");
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private Reply ok(ObjectNode result) {
    ObjectNode o = Json.object().put("retCode", 0).put("retMsg", "OK");
    o.set("result", result);
    o.putObject("retExtInfo");
    o.put("time", clock.getAsLong());
    return new Reply(200, Json.write(o));
  }

  private Reply error(int code, String msg) {
    ObjectNode o = Json.object().put("retCode", code).put("retMsg", msg);
    o.putObject("result");
    o.putObject("retExtInfo");
    o.put("time", clock.getAsLong());
    return new Reply(200, Json.write(o));
  }
}
