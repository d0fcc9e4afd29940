package dev.scanflux.simulator.internal.okx;

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
 * OKX, {@code /api/v5}, after the public REST API documentation: order books 40 requests per
 * 2 s, a ticker and all tickers 20 per 2 s, instruments 20 per 2 s, each its own bucket. Every
 * answer is {@code {"code":"0","msg":"","data":[...]}}; throttling is HTTP 429 with code 50011.
 * The simulated instruments are either spot ({@code BTC-USDT}, {@code instType=SPOT}) or linear
 * perpetual swaps ({@code BTC-USDT-SWAP}, {@code instType=SWAP}); the other type lists none.
 * Swap books and ticker sizes are whole contracts of the instrument's {@code ctVal} base units
 * ({@link #contractValue}: 0.01 BTC, 0.1 ETH, 1 SOL, ... as OKX lists them), {@code vol24h} is
 * contracts and {@code volCcy24h} base units.
 */
public final class OkxProtocol implements VenueProtocol {

  private static final String BOOKS = "books";
  private static final String TICKERS = "tickers";
  private static final String INSTRUMENTS = "instruments";

  private static final Map<String, Double> KNOWN_CONTRACT_VALUES = Map.of("BTC", 0.01,
      "ETH", 0.1, "SOL", 1.0, "XRP", 100.0, "DOGE", 1000.0, "PEPE", 10_000_000.0,
      "SHIB", 1_000_000.0, "LTC", 1.0, "BNB", 0.01);

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final boolean swap;
  private final String instType;
  private final Map<String, SimInstrument> byId = new HashMap<>();
  private final Map<SimInstrument, Double> contractValues = new HashMap<>();

  /**
   * Spot.
   *
   * @param market the market
   * @param clock  milliseconds now
   */
  public OkxProtocol(SyntheticMarket market, LongSupplier clock) {
    this(market, clock, false);
  }

  /**
   * @param market the market
   * @param clock  milliseconds now
   * @param swap   true for linear perpetual swaps, false for spot
   */
  public OkxProtocol(SyntheticMarket market, LongSupplier clock, boolean swap) {
    this.market = market;
    this.clock = clock;
    this.swap = swap;
    this.instType = swap ? "SWAP" : "SPOT";
    for (SimInstrument i : market.instruments()) {
      byId.put(id(i), i);
      contractValues.put(i, contractValue(i));
    }
  }

  /**
   * The contract value of a swap in base units: OKX's for well-known coins (0.01 BTC per
   * BTC-USDT-SWAP contract), else the power of ten that makes a contract worth 1 to 10 quote
   * units at the instrument's price when first asked (the protocol asks once, at start).
   */
  public static double contractValue(SimInstrument i) {
    Double known = KNOWN_CONTRACT_VALUES.get(i.base());
    return known != null ? known : Math.pow(10, Math.ceil(Math.log10(1 / i.mid())));
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(BOOKS, 40, Duration.ofSeconds(2)),
        new Limit(TICKERS, 20, Duration.ofSeconds(2)),
        new Limit(INSTRUMENTS, 20, Duration.ofSeconds(2)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String instId = r.param("instId");
    return switch (r.path()) {
      case "/api/v5/public/instruments" -> new Call(INSTRUMENTS, 1, instId,
          c -> instruments(r.param("instType"), instId));
      case "/api/v5/market/books" -> new Call(BOOKS, 1, instId,
          crossed -> withInstrument(instId, i -> book(i, r.param("sz"), crossed)));
      case "/api/v5/market/ticker" -> new Call(TICKERS, 1, instId,
          crossed -> withInstrument(instId, i -> ok(Json.array().add(ticker(i, crossed)))));
      case "/api/v5/market/tickers" -> new Call(TICKERS, 1, null, c -> tickers(r, c));
      default -> Call.notFound(TICKERS, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(429, Json.write(Json.object().put("msg", "Too Many Requests")
        .put("code", "50011")));
  }

  @Override
  public Reply serverError() {
    return new Reply(503, Json.write(Json.object().put("code", "50001")
        .put("msg", "Service temporarily unavailable. Please try again later.")
        .set("data", Json.array())));
  }

  private String id(SimInstrument i) {
    return i.base() + '-' + i.quote() + (swap ? "-SWAP" : "");
  }

  private Reply instruments(@Nullable String type, @Nullable String instId) {
    ArrayNode data = Json.array();
    if (swap && "SWAP".equals(type)) {
      for (SimInstrument i : market.instruments()) {
        if (instId == null || instId.equals(id(i))) {
          data.add(swapInstrument(i));
        }
      }
    } else if (!swap && "SPOT".equals(type)) {
      for (SimInstrument i : market.instruments()) {
        data.addObject().put("instType", "SPOT").put("instId", id(i)).put("uly", "")
            .put("instFamily", "").put("category", "1").put("baseCcy", i.base())
            .put("quoteCcy", i.quote()).put("settleCcy", "").put("ctVal", "")
            .put("ctMult", "").put("ctValCcy", "").put("optType", "").put("stk", "")
            .put("listTime", "1606468572000").put("expTime", "").put("lever", "10")
            .put("tickSz", i.tickText()).put("lotSz", i.stepText()).put("minSz", i.stepText())
            .put("ctType", "").put("alias", "").put("state", "live")
            .put("maxLmtSz", "9999999999").put("maxMktSz", "1000000")
            .put("maxTwapSz", "9999999999").put("maxIcebergSz", "9999999999")
            .put("maxTriggerSz", "9999999999").put("maxStopSz", "1000000");
      }
    } else if (type == null) {
      return error(400, "50014", "Parameter instType can not be empty.");
    }
    return ok(data);
  }

  private ObjectNode swapInstrument(SimInstrument i) {
    String ctVal = BigDecimal.valueOf(contractValues.get(i)).stripTrailingZeros().toPlainString();
    String family = i.base() + '-' + i.quote();
    return Json.object().put("instType", "SWAP").put("instId", id(i)).put("uly", family)
        .put("instFamily", family).put("category", "1").put("baseCcy", "").put("quoteCcy", "")
        .put("settleCcy", i.quote()).put("ctVal", ctVal).put("ctMult", "1")
        .put("ctValCcy", i.base()).put("optType", "").put("stk", "")
        .put("listTime", "1606468572000").put("expTime", "").put("lever", "100")
        .put("tickSz", i.tickText()).put("lotSz", "1").put("minSz", "1")
        .put("ctType", "linear").put("alias", "").put("state", "live")
        .put("maxLmtSz", "100000000").put("maxMktSz", "1000000")
        .put("maxTwapSz", "100000000").put("maxIcebergSz", "100000000")
        .put("maxTriggerSz", "100000000").put("maxStopSz", "1000000");
  }

  /** A size in the book's unit: base units for spot, whole contracts (at least 1) for swaps. */
  private String size(SimInstrument i, double base) {
    return swap ? Long.toString(Math.max(1, Math.round(base / contractValues.get(i)))) : i.qty(base);
  }

  private Reply book(SimInstrument i, @Nullable String szText, boolean crossed) {
    int sz;
    try {
      sz = szText == null ? 1 : Integer.parseInt(szText);
    } catch (NumberFormatException e) {
      return error(400, "51000", "Parameter sz error");
    }
    if (sz < 1 || sz > 400) {
      return error(400, "51000", "Parameter sz error");
    }
    SimInstrument.Book b = i.book(sz, crossed);
    ObjectNode o = Json.object();
    o.set("asks", levels(i, b.asks()));
    o.set("bids", levels(i, b.bids()));
    o.put("ts", Long.toString(clock.getAsLong()));
    return ok(Json.array().add(o));
  }

  private ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    return Json.object().put("instType", instType).put("instId", id(i))
        .put("last", i.px(t.last())).put("lastSz", size(i, t.bidSize() / 3))
        .put("askPx", i.px(t.ask())).put("askSz", size(i, t.askSize()))
        .put("bidPx", i.px(t.bid())).put("bidSz", size(i, t.bidSize()))
        .put("open24h", i.px(t.open())).put("high24h", i.px(t.high()))
        .put("low24h", i.px(t.low()))
        .put("volCcy24h", swap ? i.qty(t.volume()) : i.px(t.quoteVolume()))
        .put("vol24h", swap ? size(i, t.volume()) : i.qty(t.volume()))
        .put("sodUtc0", i.px(t.open()))
        .put("sodUtc8", i.px(t.open())).put("ts", Long.toString(clock.getAsLong()));
  }

  private Reply tickers(Request r, boolean crossed) {
    String type = r.param("instType");
    if (type == null) {
      return error(400, "50014", "Parameter instType can not be empty.");
    }
    ArrayNode data = Json.array();
    if (instType.equals(type)) {
      for (SimInstrument i : market.instruments()) {
        data.add(ticker(i, crossed));
      }
    }
    return ok(data);
  }

  private Reply withInstrument(@Nullable String instId,
      java.util.function.Function<SimInstrument, Reply> f) {
    SimInstrument i = instId == null ? null : byId.get(instId);
    if (i == null) {
      return error(200, "51001", "Instrument ID does not exist");
    }
    return f.apply(i);
  }

  private ArrayNode levels(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(size(i, side[k + 1])).add("0").add("1");
    }
    return a;
  }

  private static Reply ok(ArrayNode data) {
    ObjectNode o = Json.object().put("code", "0").put("msg", "");
    o.set("data", data);
    return new Reply(200, Json.write(o));
  }

  private static Reply error(int status, String code, String msg) {
    ObjectNode o = Json.object().put("code", code).put("msg", msg);
    o.set("data", Json.array());
    return new Reply(status, Json.write(o));
  }
}
