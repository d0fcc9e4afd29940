package dev.scanflux.simulator.internal.bitstamp;

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

/**
 * Bitstamp, {@code /api/v2}, after the public REST API documentation:
 * {@code trading-pairs-info/}, {@code ticker/btcusd/} and {@code order_book/btcusd/} (the full
 * book; 100 levels here). Bitstamp allows 400 requests per second and 10,000 per 10 minutes;
 * the simulator enforces the latter and answers HTTP 429 beyond it.
 */
public final class BitstampProtocol implements VenueProtocol {

  private static final String ALL = "all";
  private static final int BOOK_DEPTH = 100;

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();

  /**
   * @param market the market, quoted in USD
   * @param clock  milliseconds now
   */
  public BitstampProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(symbol(i), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(ALL, 10_000, Duration.ofMinutes(10)));
  }

  @Override
  public Call route(Request r) {
    String[] parts = r.path().split("/");
    if (parts.length == 4 && parts[3].equals("trading-pairs-info")) {
      return new Call(ALL, 1, null, c -> pairs());
    }
    if (parts.length == 5 && parts[1].equals("api") && parts[2].equals("v2")) {
      String symbol = parts[4];
      return switch (parts[3]) {
        case "ticker" -> new Call(ALL, 1, symbol, crossed -> ticker(symbol, crossed));
        case "order_book" -> new Call(ALL, 1, symbol, crossed -> book(symbol, crossed));
        default -> Call.notFound(ALL, r.path());
      };
    }
    return Call.notFound(ALL, r.path());
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return error(429, "API0008", "Rate limit exceeded");
  }

  @Override
  public Reply serverError() {
    return new Reply(503, "<html><body>Service Unavailable</body></html>");
  }

  private static String symbol(SimInstrument i) {
    return (i.base() + i.quote()).toLowerCase(Locale.ROOT);
  }

  private Reply pairs() {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      a.addObject().put("name", i.base() + '/' + i.quote()).put("url_symbol", symbol(i))
          .put("base_decimals", i.sizeDecimals()).put("counter_decimals", i.priceDecimals())
          .put("instant_order_counter_decimals", 2).put("minimum_order", "10 " + i.quote())
          .put("trading", "Enabled").put("instant_and_market_orders", "Enabled")
          .put("description", i.base() + " / " + i.quote());
    }
    return new Reply(200, Json.write(a));
  }

  private Reply ticker(String symbol, boolean crossed) {
    SimInstrument i = bySymbol.get(symbol);
    if (i == null) {
      return new Reply(404, "<html><body>Not Found</body></html>");
    }
    SimInstrument.Ticker t = i.ticker(crossed);
    return new Reply(200, Json.write(Json.object()
        .put("timestamp", Long.toString(clock.getAsLong() / 1000)).put("open", i.px(t.open()))
        .put("high", i.px(t.high())).put("low", i.px(t.low())).put("last", i.px(t.last()))
        .put("volume", i.qty(t.volume())).put("vwap", i.px((t.high() + t.low()) / 2))
        .put("bid", i.px(t.bid())).put("ask", i.px(t.ask())).put("side", "0")
        .put("open_24", i.px(t.open()))
        .put("percent_change_24", String.format(Locale.ROOT, "%.2f", 100 * t.change()))
        .put("pair", i.base() + '/' + i.quote())));
  }

  private Reply book(String symbol, boolean crossed) {
    SimInstrument i = bySymbol.get(symbol);
    if (i == null) {
      return new Reply(404, "<html><body>Not Found</body></html>");
    }
    SimInstrument.Book b = i.book(BOOK_DEPTH, crossed);
    long now = clock.getAsLong();
    ObjectNode o = Json.object().put("timestamp", Long.toString(now / 1000))
        .put("microtimestamp", Long.toString(now * 1000));
    o.set("bids", levels(i, b.bids()));
    o.set("asks", levels(i, b.asks()));
    return new Reply(200, Json.write(o));
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1]));
    }
    return a;
  }

  private static Reply error(int status, String code, String reason) {
    return new Reply(status, Json.write(Json.object().put("status", "error")
        .put("reason", reason).put("code", code)));
  }
}
