package dev.scanflux.simulator.internal.gate;

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
 * Gate.io spot, {@code /api/v4}, after the public REST API documentation: bare JSON answers,
 * pairs named {@code BTC_USDT}; public endpoints allow 200 requests per 10 s each; beyond it
 * HTTP 429 with label {@code TOO_MANY_REQUESTS}. The order book defaults to 10 levels
 * ({@code limit} up to 100).
 */
public final class GateProtocol implements VenueProtocol {

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> byPair = new HashMap<>();

  /**
   * @param market the market
   * @param clock  milliseconds now
   */
  public GateProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      byPair.put(i.base() + '_' + i.quote(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    Duration tenSeconds = Duration.ofSeconds(10);
    return List.of(new Limit("pairs", 200, tenSeconds), new Limit("tickers", 200, tenSeconds),
        new Limit("order_book", 200, tenSeconds));
  }

  @Override
  public Call route(Request r) {
    @Nullable String pair = r.param("currency_pair");
    return switch (r.path()) {
      case "/api/v4/spot/currency_pairs" -> new Call("pairs", 1, null, c -> pairs());
      case "/api/v4/spot/tickers" -> new Call("tickers", 1, pair, c -> tickers(pair, c));
      case "/api/v4/spot/order_book" -> new Call("order_book", 1, pair,
          crossed -> orderBook(pair, r.param("limit"), crossed));
      default -> Call.notFound("pairs", r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return error(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded");
  }

  @Override
  public Reply serverError() {
    return error(500, "SERVER_ERROR", "Internal server error");
  }

  private Reply pairs() {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      a.addObject().put("id", i.base() + '_' + i.quote()).put("base", i.base())
          .put("quote", i.quote()).put("fee", "0.2").put("min_base_amount", i.stepText())
          .put("min_quote_amount", "1").put("max_base_amount", "10000000")
          .put("max_quote_amount", "50000000").put("amount_precision", i.sizeDecimals())
          .put("precision", i.priceDecimals()).put("trade_status", "tradable")
          .put("sell_start", 1516378650).put("buy_start", 1516378650);
    }
    return new Reply(200, Json.write(a));
  }

  private Reply tickers(@Nullable String pair, boolean crossed) {
    ArrayNode a = Json.array();
    if (pair == null) {
      for (SimInstrument i : market.instruments()) {
        a.add(ticker(i, crossed));
      }
    } else {
      SimInstrument i = byPair.get(pair);
      if (i == null) {
        return error(400, "INVALID_CURRENCY", "Invalid currency pair " + pair);
      }
      a.add(ticker(i, crossed));
    }
    return new Reply(200, Json.write(a));
  }

  private static ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    String change = String.format(java.util.Locale.ROOT, "%.2f", 100 * t.change());
    return Json.object().put("currency_pair", i.base() + '_' + i.quote())
        .put("last", i.px(t.last())).put("lowest_ask", i.px(t.ask()))
        .put("lowest_size", i.qty(t.askSize())).put("highest_bid", i.px(t.bid()))
        .put("highest_size", i.qty(t.bidSize())).put("change_percentage", change)
        .put("change_utc0", change).put("change_utc8", change)
        .put("base_volume", i.qty(t.volume())).put("quote_volume", i.px(t.quoteVolume()))
        .put("high_24h", i.px(t.high())).put("low_24h", i.px(t.low()));
  }

  private Reply orderBook(@Nullable String pair, @Nullable String limitText, boolean crossed) {
    SimInstrument i = pair == null ? null : byPair.get(pair);
    if (i == null) {
      return error(400, "INVALID_CURRENCY_PAIR", "Invalid currency pair " + pair);
    }
    int limit;
    try {
      limit = limitText == null ? 10 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      return error(400, "INVALID_PARAM_VALUE", "Invalid limit");
    }
    limit = Math.max(1, Math.min(100, limit));
    SimInstrument.Book b = i.book(limit, crossed);
    long now = clock.getAsLong();
    ObjectNode o = Json.object().put("current", now).put("update", now - 2);
    o.set("asks", levels(i, b.asks()));
    o.set("bids", levels(i, b.bids()));
    return new Reply(200, Json.write(o));
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private static Reply error(int status, String label, String message) {
    return new Reply(status, Json.write(Json.object().put("label", label)
        .put("message", message)));
  }
}
