package dev.scanflux.simulator.internal.coinbase;

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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Coinbase Exchange, after its public REST API documentation: {@code /products},
 * {@code /currencies}, {@code /products/BTC-USD/ticker}, {@code /products/BTC-USD/stats} and
 * {@code /products/BTC-USD/book?level=2} (50 aggregated levels here). Public endpoints allow
 * 10 requests per second (bursts to 15); beyond, HTTP 429 "Public rate limit exceeded".
 */
public final class CoinbaseProtocol implements VenueProtocol {

  private static final String PUBLIC = "public";
  private static final int LEVEL2_DEPTH = 50;

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> byId = new HashMap<>();

  /**
   * @param market the market, quoted in USD
   * @param clock  milliseconds now
   */
  public CoinbaseProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      byId.put(i.base() + '-' + i.quote(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(PUBLIC, 10, Duration.ofSeconds(1)));
  }

  @Override
  public Call route(Request r) {
    String path = r.path();
    String level = r.param("level");
    int q = path.indexOf('?');
    if (q >= 0) {
      // A client that puts "?level=2" into the path template gets it percent-encoded.
      level = path.substring(q + 1).replace("level=", "");
      path = path.substring(0, q);
    }
    if (path.equals("/products")) {
      return new Call(PUBLIC, 1, null, c -> products());
    }
    if (path.equals("/currencies")) {
      return new Call(PUBLIC, 1, null, c -> currencies());
    }
    String[] parts = path.split("/");
    if (parts.length == 4 && parts[1].equals("products")) {
      String id = parts[2];
      String lvl = level;
      return switch (parts[3]) {
        case "ticker" -> new Call(PUBLIC, 1, id, crossed -> ticker(id, crossed));
        case "stats" -> new Call(PUBLIC, 1, id, crossed -> stats(id, crossed));
        case "book" -> new Call(PUBLIC, 1, id, crossed -> book(id, lvl, crossed));
        default -> Call.notFound(PUBLIC, path);
      };
    }
    return Call.notFound(PUBLIC, path);
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return message(429, "Public rate limit exceeded");
  }

  @Override
  public Reply serverError() {
    return message(503, "Service Unavailable");
  }

  private Reply products() {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      a.addObject().put("id", i.base() + '-' + i.quote()).put("base_currency", i.base())
          .put("quote_currency", i.quote()).put("quote_increment", i.tickText())
          .put("base_increment", i.stepText()).put("display_name", i.base() + '-' + i.quote())
          .put("min_market_funds", "1").put("max_market_funds", "1000000")
          .put("base_min_size", i.stepText()).put("base_max_size", "1000000")
          .put("margin_enabled", false).put("post_only", false).put("limit_only", false)
          .put("cancel_only", false).put("status", "online").put("status_message", "")
          .put("auction_mode", false).put("trading_disabled", false)
          .put("fx_stablecoin", false).put("max_slippage_percentage", "0.02000000");
    }
    return new Reply(200, Json.write(a));
  }

  private Reply currencies() {
    ArrayNode a = Json.array();
    currency(a, "USD", "fiat", "0.01");
    for (SimInstrument i : market.instruments()) {
      currency(a, i.base(), "crypto", "0.00000001");
    }
    return new Reply(200, Json.write(a));
  }

  private static void currency(ArrayNode a, String code, String type, String precision) {
    ObjectNode c = a.addObject().put("id", code).put("name", code).put("min_size", precision)
        .put("status", "online").put("message", "").put("max_precision", precision);
    c.putArray("convertible_to");
    c.putObject("details").put("type", type).put("symbol", "").put("sort_order", 1);
  }

  private Reply ticker(String id, boolean crossed) {
    SimInstrument i = byId.get(id);
    if (i == null) {
      return message(404, "NotFound");
    }
    SimInstrument.Ticker t = i.ticker(crossed);
    return new Reply(200, Json.write(Json.object().put("ask", i.px(t.ask()))
        .put("bid", i.px(t.bid())).put("volume", i.qty(t.volume()))
        .put("trade_id", Long.toString(86_000_000L + i.index())).put("price", i.px(t.last()))
        .put("size", i.qty(t.bidSize() / 3)).put("time", now())));
  }

  private Reply stats(String id, boolean crossed) {
    SimInstrument i = byId.get(id);
    if (i == null) {
      return message(404, "NotFound");
    }
    SimInstrument.Ticker t = i.ticker(crossed);
    return new Reply(200, Json.write(Json.object().put("open", i.px(t.open()))
        .put("high", i.px(t.high())).put("low", i.px(t.low()))
        .put("volume", i.qty(t.volume())).put("last", i.px(t.last()))
        .put("volume_30day", i.qty(t.volume() * 30))));
  }

  private Reply book(String id, @Nullable String level, boolean crossed) {
    SimInstrument i = byId.get(id);
    if (i == null) {
      return message(404, "NotFound");
    }
    if (!"2".equals(level) && !"1".equals(level)) {
      return message(400, "Invalid level");
    }
    SimInstrument.Book b = i.book("1".equals(level) ? 1 : LEVEL2_DEPTH, crossed);
    ObjectNode o = Json.object();
    o.set("bids", levels(i, b.bids()));
    o.set("asks", levels(i, b.asks()));
    o.put("sequence", b.sequence()).put("auction_mode", false).putNull("auction")
        .put("time", now());
    return new Reply(200, Json.write(o));
  }

  private String now() {
    return Instant.ofEpochMilli(clock.getAsLong()).toString();
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1])).add(1 + k % 5);
    }
    return a;
  }

  private static Reply message(int status, String message) {
    return new Reply(status, Json.write(Json.object().put("message", message)));
  }
}
