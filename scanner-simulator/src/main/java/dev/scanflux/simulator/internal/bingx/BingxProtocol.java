package dev.scanflux.simulator.internal.bingx;

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
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * BingX spot, {@code /openApi/spot/v1}, after the public API documentation: answers are
 * {@code {"code":0,"msg":"","data":...}}; 100 public requests per 10 s per IP here, beyond which
 * HTTP 429 with code 100410. The 24 h ticker requires a {@code timestamp} parameter. As on the
 * real wire (wire-samples/bingx), book asks come worst first and ticker prices are JSON numbers.
 */
public final class BingxProtocol implements VenueProtocol {

  private static final String IP = "ip";

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * @param market the market
   * @param clock  milliseconds now
   */
  public BingxProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + '-' + i.quote(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(IP, 100, Duration.ofSeconds(10)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String symbol = r.param("symbol");
    return switch (r.path()) {
      case "/openApi/spot/v1/common/symbols" -> new Call(IP, 1, null, c -> symbols());
      case "/openApi/spot/v1/market/depth" -> new Call(IP, 1, symbol,
          crossed -> depth(symbol, r.param("limit"), crossed));
      case "/openApi/spot/v1/ticker/24hr" -> new Call(IP, 1, symbol,
          crossed -> r.param("timestamp") == null
              ? error(100400, "timestamp is required") : tickers(symbol, crossed));
      default -> Call.notFound(IP, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(429, Json.write(Json.object().put("code", 100410)
        .put("msg", "The frequency of your requests is too high, please try again later")));
  }

  @Override
  public Reply serverError() {
    return new Reply(500, Json.write(Json.object().put("code", 100500)
        .put("msg", "Internal server error")));
  }

  private Reply symbols() {
    ObjectNode data = Json.object();
    ArrayNode list = data.putArray("symbols");
    for (SimInstrument i : market.instruments()) {
      list.addObject().put("symbol", i.base() + '-' + i.quote())
          .put("minQty", Double.parseDouble(i.stepText())).put("maxQty", 1_000_000)
          .put("minNotional", 5).put("maxNotional", 2_000_000).put("status", 1)
          .put("tickSize", Double.parseDouble(i.tickText()))
          .put("stepSize", Double.parseDouble(i.stepText())).put("apiStateSell", true)
          .put("apiStateBuy", true).put("timeOnline", 1_700_000_000_000L).put("offTime", 0);
    }
    return ok(data);
  }

  private Reply depth(@Nullable String symbol, @Nullable String limitText, boolean crossed) {
    SimInstrument i = symbol == null ? null : bySymbol.get(symbol);
    if (i == null) {
      return error(100204, "symbol not exist");
    }
    int limit;
    try {
      limit = limitText == null ? 20 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      return error(100400, "invalid limit");
    }
    if (limit < 1 || limit > 100) {
      return error(100400, "limit must be in [1, 100]");
    }
    SimInstrument.Book b = i.book(limit, crossed);
    ObjectNode data = Json.object();
    data.set("bids", levels(i, b.bids()));
    data.set("asks", worstFirst(levels(i, b.asks())));
    data.put("ts", clock.getAsLong());
    return ok(data);
  }

  private Reply tickers(@Nullable String symbol, boolean crossed) {
    ArrayNode data = Json.array();
    if (symbol == null) {
      for (SimInstrument i : market.instruments()) {
        data.add(ticker(i, crossed));
      }
    } else {
      SimInstrument i = bySymbol.get(symbol);
      if (i == null) {
        return error(100204, "symbol not exist");
      }
      data.add(ticker(i, crossed));
    }
    return ok(data);
  }

  private JsonNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    long now = clock.getAsLong();
    return Json.object().put("symbol", i.base() + '-' + i.quote())
        .put("openPrice", number(i.px(t.open()))).put("highPrice", number(i.px(t.high())))
        .put("lowPrice", number(i.px(t.low()))).put("lastPrice", number(i.px(t.last())))
        .put("priceChange", number(i.px(t.last() - t.open())))
        .put("priceChangePercent", String.format(Locale.ROOT, "%.2f%%", 100 * t.change()))
        .put("volume", Double.parseDouble(i.qty(t.volume())))
        .put("quoteVolume", Double.parseDouble(i.px(t.quoteVolume())))
        .put("openTime", now - 86_400_000L).put("closeTime", now)
        .put("askPrice", Double.parseDouble(i.px(t.ask())))
        .put("askQty", Double.parseDouble(i.qty(t.askSize())))
        .put("bidPrice", Double.parseDouble(i.px(t.bid())))
        .put("bidQty", Double.parseDouble(i.qty(t.bidSize())));
  }

  /** A price as BingX's ticker sends it: a JSON number, not a string. */
  private static double number(String price) {
    return Double.parseDouble(price);
  }

  /** BingX sends its asks worst (highest) first, the best ask last. */
  private static ArrayNode worstFirst(ArrayNode asks) {
    ArrayNode out = Json.array();
    for (int k = asks.size() - 1; k >= 0; k--) {
      out.add(asks.get(k));
    }
    return out;
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private Reply ok(JsonNode data) {
    ObjectNode o = Json.object().put("code", 0).put("msg", "").put("debugMsg", "")
        .put("timestamp", clock.getAsLong());
    o.set("data", data);
    return new Reply(200, Json.write(o));
  }

  private Reply error(int code, String msg) {
    return new Reply(200, Json.write(Json.object().put("code", code).put("msg", msg)
        .put("timestamp", clock.getAsLong())));
  }
}
