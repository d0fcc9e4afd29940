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
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Gate.io USDT-settled perpetuals, {@code /api/v4/futures/usdt}, after the public REST API
 * documentation: bare JSON answers, contracts named {@code BTC_USDT} with a
 * {@code quanto_multiplier} (base units per contract; here a contract is worth about 10 USDT,
 * which gives Gate's 0.0001 for BTC), order-book sizes {@code s} in whole contracts. Public
 * endpoints allow 200 requests per 10 s each; beyond it HTTP 429 with label
 * {@code TOO_MANY_REQUESTS}. The order book defaults to 10 levels, at most 50. With the
 * WebSocket side on, {@code order_book} is its streamed book ({@link GateWsProtocol#baseBook}),
 * whose {@code id} the {@code futures.order_book_update} deltas chain on.
 */
public final class GateFuturesProtocol implements VenueProtocol {

  /** The value of one contract the simulated multipliers aim at, in USDT. */
  static final double CONTRACT_VALUE = 10;
  private static final String PREFIX = "/api/v4/futures/usdt/";
  private static final int MAX_LIMIT = 50;

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> byContract = new HashMap<>();
  private final @Nullable GateWsProtocol streams;

  /**
   * @param market  the market (perpetuals quoted in USDT)
   * @param clock   milliseconds now
   * @param streams the WebSocket side whose books {@code order_book} is served from, so that
   *                its {@code id} matches the {@code futures.order_book_update} ids; or null
   */
  public GateFuturesProtocol(SyntheticMarket market, LongSupplier clock,
      @Nullable GateWsProtocol streams) {
    this.market = market;
    this.clock = clock;
    this.streams = streams;
    for (SimInstrument i : market.instruments()) {
      byContract.put(name(i), i);
    }
  }

  @Override
  public List<Limit> limits() {
    Duration tenSeconds = Duration.ofSeconds(10);
    return List.of(new Limit("contracts", 200, tenSeconds),
        new Limit("tickers", 200, tenSeconds), new Limit("order_book", 200, tenSeconds));
  }

  @Override
  public Call route(Request r) {
    @Nullable String contract = r.param("contract");
    return switch (r.path()) {
      case PREFIX + "contracts" -> new Call("contracts", 1, null, c -> contracts());
      case PREFIX + "tickers" -> new Call("tickers", 1, contract, c -> tickers(contract, c));
      case PREFIX + "order_book" -> new Call("order_book", 1, contract,
          crossed -> orderBook(contract, r.param("limit"), crossed));
      default -> Call.notFound("contracts", r.path());
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

  private static String name(SimInstrument i) {
    return i.base() + '_' + i.quote();
  }

  /** Base units per contract of {@code i}, fixed for its life. */
  static BigDecimal multiplier(SimInstrument i) {
    return i.contractSize(CONTRACT_VALUE);
  }

  private Reply contracts() {
    ArrayNode a = Json.array();
    for (SimInstrument i : market.instruments()) {
      String px = i.px(i.mid());
      a.addObject().put("name", name(i)).put("type", "direct")
          .put("quanto_multiplier", multiplier(i).toPlainString()).put("leverage_min", "1")
          .put("leverage_max", i.index() < 5 ? "125" : "50").put("mark_price", px)
          .put("index_price", px).put("last_price", px).put("order_price_round", i.tickText())
          .put("mark_price_round", i.tickText()).put("funding_rate", "0.0001")
          .put("funding_interval", 28800).put("order_size_min", 1)
          .put("order_size_max", 1_000_000).put("in_delisting", false)
          .put("status", "trading");
    }
    return new Reply(200, Json.write(a));
  }

  private Reply tickers(@Nullable String contract, boolean crossed) {
    ArrayNode a = Json.array();
    if (contract == null) {
      for (SimInstrument i : market.instruments()) {
        a.add(ticker(i, crossed));
      }
    } else {
      SimInstrument i = byContract.get(contract);
      if (i == null) {
        return error(400, "CONTRACT_NOT_FOUND", "Contract not found");
      }
      a.add(ticker(i, crossed));
    }
    return new Reply(200, Json.write(a));
  }

  private static ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    BigDecimal m = multiplier(i);
    String change = String.format(Locale.ROOT, "%.2f", 100 * t.change());
    return Json.object().put("contract", name(i)).put("last", i.px(t.last()))
        .put("change_percentage", change)
        .put("total_size", Long.toString(SimInstrument.contracts(t.volume() / 5, m)))
        .put("volume_24h", Long.toString(SimInstrument.contracts(t.volume(), m)))
        .put("volume_24h_base", i.qty(t.volume()))
        .put("volume_24h_quote", i.px(t.quoteVolume()))
        .put("volume_24h_settle", i.px(t.quoteVolume()))
        .put("mark_price", i.px(t.last())).put("funding_rate", "0.0001")
        .put("index_price", i.px(t.last())).put("high_24h", i.px(t.high()))
        .put("low_24h", i.px(t.low())).put("highest_bid", i.px(t.bid()))
        .put("highest_size", Long.toString(SimInstrument.contracts(t.bidSize(), m)))
        .put("lowest_ask", i.px(t.ask()))
        .put("lowest_size", Long.toString(SimInstrument.contracts(t.askSize(), m)));
  }

  private Reply orderBook(@Nullable String contract, @Nullable String limitText,
      boolean crossed) {
    SimInstrument i = contract == null ? null : byContract.get(contract);
    if (i == null) {
      return error(400, "CONTRACT_NOT_FOUND", "Contract not found");
    }
    int limit;
    try {
      limit = limitText == null ? 10 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      return error(400, "INVALID_PARAM_VALUE", "Invalid limit");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      return error(400, "INVALID_PARAM_VALUE", "limit must be in [1, " + MAX_LIMIT + "]");
    }
    if (streams != null) {
      return new Reply(200, Json.write(streams.baseBook(i, limit, crossed)));
    }
    SimInstrument.Book b = i.book(limit, crossed);
    long now = clock.getAsLong();
    ObjectNode o = Json.object().put("id", b.sequence())
        .put("current", now / 1000.0).put("update", (now - 2) / 1000.0);
    o.set("asks", levels(i, b.asks()));
    o.set("bids", levels(i, b.bids()));
    return new Reply(200, Json.write(o));
  }

  private static ArrayNode levels(SimInstrument i, double[] side) {
    BigDecimal m = multiplier(i);
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addObject().put("p", i.px(side[k]))
          .put("s", SimInstrument.contracts(side[k + 1], m));
    }
    return a;
  }

  private static Reply error(int status, String label, String message) {
    return new Reply(status, Json.write(Json.object().put("label", label)
        .put("message", message)));
  }
}
