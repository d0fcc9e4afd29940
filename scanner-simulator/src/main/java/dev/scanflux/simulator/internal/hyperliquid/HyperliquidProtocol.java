package dev.scanflux.simulator.internal.hyperliquid;

import com.fasterxml.jackson.core.JsonProcessingException;
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

/**
 * Hyperliquid, {@code POST /info}, after the public API documentation: {@code meta},
 * {@code metaAndAssetCtxs}, {@code allMids} and {@code l2Book} (20 levels per side). One bucket
 * of 1,200 weight per minute: {@code l2Book} and {@code allMids} weigh 2, the rest 20.
 */
public final class HyperliquidProtocol implements VenueProtocol {

  private static final String WEIGHT = "weight";
  private static final int BOOK_LEVELS = 20;

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> byCoin = new HashMap<>();

  /**
   * @param market the market (perpetuals)
   * @param clock  milliseconds now
   */
  public HyperliquidProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      byCoin.put(i.base(), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(WEIGHT, 1200, Duration.ofMinutes(1)));
  }

  @Override
  public Call route(Request r) {
    if (!"/info".equals(r.path()) || !"POST".equals(r.method())) {
      return Call.notFound(WEIGHT, r.path());
    }
    JsonNode body;
    try {
      body = Json.read(r.body());
    } catch (JsonProcessingException e) {
      return new Call(WEIGHT, 20, null, c -> new Reply(422,
          "Failed to deserialize the JSON body into the target type"));
    }
    String type = body.path("type").asText("");
    return switch (type) {
      case "meta" -> new Call(WEIGHT, 20, null, c -> new Reply(200, Json.write(meta())));
      case "metaAndAssetCtxs" -> new Call(WEIGHT, 20, null, this::metaAndAssetCtxs);
      case "allMids" -> new Call(WEIGHT, 2, null, c -> allMids());
      case "l2Book" -> {
        String coin = body.path("coin").asText("");
        yield new Call(WEIGHT, 2, coin, crossed -> l2Book(coin, crossed));
      }
      default -> new Call(WEIGHT, 20, null, c -> new Reply(422,
          "Failed to deserialize the JSON body into the target type"));
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(429, "null");
  }

  @Override
  public Reply serverError() {
    return new Reply(500, "internal server error");
  }

  private ObjectNode meta() {
    ObjectNode o = Json.object();
    ArrayNode universe = o.putArray("universe");
    for (SimInstrument i : market.instruments()) {
      universe.addObject().put("name", i.base()).put("szDecimals", i.sizeDecimals())
          .put("maxLeverage", i.index() < 5 ? 40 : 10).put("marginTableId", 1);
    }
    return o;
  }

  private Reply metaAndAssetCtxs(boolean crossed) {
    ArrayNode out = Json.array();
    out.add(meta());
    ArrayNode ctxs = out.addArray();
    for (SimInstrument i : market.instruments()) {
      SimInstrument.Ticker t = i.ticker(crossed);
      assetCtx(ctxs.addObject(), i, t, t.bid(), t.ask(), t.last());
    }
    return new Reply(200, Json.write(out));
  }

  /**
   * Fills an asset context, as {@code metaAndAssetCtxs} lists them and the WebSocket's
   * {@code activeAssetCtx} channel pushes them.
   *
   * @param bid  the impact bid, also the mid's bid
   * @param ask  the impact ask, also the mid's ask
   * @param mark the mark price, also the oracle price
   */
  static ObjectNode assetCtx(ObjectNode c, SimInstrument i, SimInstrument.Ticker t, double bid,
      double ask, double mark) {
    c.put("funding", "0.0000125").put("openInterest", i.qty(t.volume() / 10))
        .put("prevDayPx", i.px(t.open())).put("dayNtlVlm", i.px(t.quoteVolume()))
        .put("premium", "0.0001").put("oraclePx", i.px(mark))
        .put("markPx", i.px(mark)).put("midPx", i.px((bid + ask) / 2))
        .put("dayBaseVlm", i.qty(t.volume()));
    c.putArray("impactPxs").add(i.px(bid)).add(i.px(ask));
    return c;
  }

  private Reply allMids() {
    ObjectNode o = Json.object();
    for (SimInstrument i : market.instruments()) {
      o.put(i.base(), i.px(i.mid()));
    }
    return new Reply(200, Json.write(o));
  }

  private Reply l2Book(String coin, boolean crossed) {
    SimInstrument i = byCoin.get(coin);
    if (i == null) {
      return new Reply(200, "null");
    }
    SimInstrument.Book b = i.book(BOOK_LEVELS, crossed);
    ObjectNode o = Json.object().put("coin", coin).put("time", clock.getAsLong());
    ArrayNode levels = o.putArray("levels");
    levels.add(side(i, b.bids()));
    levels.add(side(i, b.asks()));
    return new Reply(200, Json.write(o));
  }

  /**
   * One side of an {@code l2Book}: {@code {"px", "sz", "n"}} levels from prices and sizes
   * interleaved, best first.
   */
  static ArrayNode side(SimInstrument i, double[] side) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addObject().put("px", i.px(side[k])).put("sz", i.qty(side[k + 1]))
          .put("n", 1 + (k % 7));
    }
    return a;
  }
}
