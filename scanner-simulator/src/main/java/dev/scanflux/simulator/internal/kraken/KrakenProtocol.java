package dev.scanflux.simulator.internal.kraken;

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
 * Kraken spot, {@code /0/public}, after the public REST API documentation. Answers are
 * {@code {"error":[],"result":{...}}} keyed by Kraken's pair names: Bitcoin is asset {@code XXBT}
 * (alt name {@code XBT}), the dollar {@code ZUSD}, so the pair is {@code XXBTZUSD} (alt name
 * {@code XBTUSD}); Dogecoin is {@code XXDG} (alt name {@code XDG}); newer assets keep their
 * code ({@code SOLUSD}). The names come from Scanflux's one alias table, {@link Aliases}, which
 * the sources map back with. Kraken documents about one
 * public request per second; the simulator allows 15 per sliding 15 s and answers 429 with
 * {@code EAPI:Rate limit exceeded} in the error array beyond.
 */
public final class KrakenProtocol implements VenueProtocol {

  private static final String PUBLIC = "public";

  private final SyntheticMarket market;
  private final LongSupplier clock;
  private final Map<String, SimInstrument> byName = new HashMap<>();

  /**
   * @param market the market, quoted in USD
   * @param clock  milliseconds now
   */
  public KrakenProtocol(SyntheticMarket market, LongSupplier clock) {
    this.market = market;
    this.clock = clock;
    for (SimInstrument i : market.instruments()) {
      byName.put(pairKey(i), i);
      byName.put(altName(i), i);
    }
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(PUBLIC, 15, Duration.ofSeconds(15)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String pair = r.param("pair");
    return switch (r.path()) {
      case "/0/public/Time" -> new Call(PUBLIC, 1, null, c -> ok(Json.object()
          .put("unixtime", clock.getAsLong() / 1000)
          .put("rfc1123", java.time.Instant.ofEpochMilli(clock.getAsLong()).toString())));
      case "/0/public/Assets" -> new Call(PUBLIC, 1, null, c -> assets());
      case "/0/public/AssetPairs" -> new Call(PUBLIC, 1, null, c -> assetPairs());
      case "/0/public/Ticker" -> new Call(PUBLIC, 1, pair, crossed -> ticker(pair, crossed));
      case "/0/public/Depth" -> new Call(PUBLIC, 1, pair,
          crossed -> depth(pair, r.param("count"), crossed));
      default -> Call.notFound(PUBLIC, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return error(429, "EAPI:Rate limit exceeded");
  }

  @Override
  public Reply serverError() {
    return error(503, "EService:Unavailable");
  }

  private static String assetKey(String code) {
    return KrakenNames.asset(code);
  }

  private static String assetAlt(String code) {
    return KrakenNames.altName(code);
  }

  /** {@code XXBTZUSD} for a legacy base, else the codes joined ({@code SOLUSD}). */
  private static String pairKey(SimInstrument i) {
    return KrakenNames.legacy(i.base())
        ? assetKey(i.base()) + assetKey(i.quote()) : i.base() + i.quote();
  }

  private static String altName(SimInstrument i) {
    return assetAlt(i.base()) + assetAlt(i.quote());
  }

  private Reply assets() {
    ObjectNode result = Json.object();
    asset(result, "USD", 4);
    for (SimInstrument i : market.instruments()) {
      asset(result, i.base(), 8);
    }
    return ok(result);
  }

  private static void asset(ObjectNode result, String code, int decimals) {
    result.putObject(assetKey(code)).put("aclass", "currency").put("altname", assetAlt(code))
        .put("decimals", decimals).put("display_decimals", Math.min(decimals, 5))
        .put("status", "enabled");
  }

  private Reply assetPairs() {
    ObjectNode result = Json.object();
    for (SimInstrument i : market.instruments()) {
      ObjectNode p = result.putObject(pairKey(i));
      p.put("altname", altName(i)).put("wsname", assetAlt(i.base()) + '/' + assetAlt(i.quote()))
          .put("aclass_base", "currency").put("base", assetKey(i.base()))
          .put("aclass_quote", "currency").put("quote", assetKey(i.quote()))
          .put("lot", "unit").put("cost_decimals", 5).put("pair_decimals", i.priceDecimals())
          .put("lot_decimals", i.sizeDecimals()).put("lot_multiplier", 1);
      p.putArray("leverage_buy");
      p.putArray("leverage_sell");
      ArrayNode fees = p.putArray("fees");
      fees.addArray().add(0).add(0.26);
      fees.addArray().add(50000).add(0.24);
      ArrayNode maker = p.putArray("fees_maker");
      maker.addArray().add(0).add(0.16);
      maker.addArray().add(50000).add(0.14);
      p.put("fee_volume_currency", "ZUSD").put("margin_call", 80).put("margin_stop", 40)
          .put("ordermin", i.stepText()).put("costmin", "0.5").put("tick_size", i.tickText())
          .put("status", "online");
    }
    return ok(result);
  }

  private Reply ticker(@Nullable String pair, boolean crossed) {
    ObjectNode result = Json.object();
    if (pair == null) {
      for (SimInstrument i : market.instruments()) {
        result.set(pairKey(i), ticker(i, crossed));
      }
      return ok(result);
    }
    SimInstrument i = byName.get(pair);
    if (i == null) {
      return error(200, "EQuery:Unknown asset pair");
    }
    result.set(pairKey(i), ticker(i, crossed));
    return ok(result);
  }

  private static ObjectNode ticker(SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    ObjectNode o = Json.object();
    o.putArray("a").add(i.px(t.ask())).add("1").add(i.qty(t.askSize()));
    o.putArray("b").add(i.px(t.bid())).add("1").add(i.qty(t.bidSize()));
    o.putArray("c").add(i.px(t.last())).add(i.qty(t.bidSize() / 3));
    o.putArray("v").add(i.qty(t.volume() / 3)).add(i.qty(t.volume()));
    o.putArray("p").add(i.px((t.high() + t.low()) / 2)).add(i.px((t.high() + t.low()) / 2));
    o.putArray("t").add(1200).add(4000 + i.index());
    o.putArray("l").add(i.px(t.low())).add(i.px(t.low()));
    o.putArray("h").add(i.px(t.high())).add(i.px(t.high()));
    o.put("o", i.px(t.open()));
    return o;
  }

  private Reply depth(@Nullable String pair, @Nullable String countText, boolean crossed) {
    SimInstrument i = pair == null ? null : byName.get(pair);
    if (i == null) {
      return error(200, "EQuery:Unknown asset pair");
    }
    int count;
    try {
      count = countText == null ? 100 : Integer.parseInt(countText);
    } catch (NumberFormatException e) {
      return error(200, "EGeneral:Invalid arguments");
    }
    count = Math.max(1, Math.min(500, count));
    SimInstrument.Book b = i.book(count, crossed);
    long seconds = clock.getAsLong() / 1000;
    ObjectNode book = Json.object();
    book.set("asks", levels(i, b.asks(), seconds));
    book.set("bids", levels(i, b.bids(), seconds));
    ObjectNode result = Json.object();
    result.set(pairKey(i), book);
    return ok(result);
  }

  private static ArrayNode levels(SimInstrument i, double[] side, long seconds) {
    ArrayNode a = Json.array();
    for (int k = 0; k < side.length; k += 2) {
      a.addArray().add(i.px(side[k])).add(i.qty(side[k + 1])).add(seconds);
    }
    return a;
  }

  private static Reply ok(ObjectNode result) {
    ObjectNode o = Json.object();
    o.putArray("error");
    o.set("result", result);
    return new Reply(200, Json.write(o));
  }

  private static Reply error(int status, String message) {
    ObjectNode o = Json.object();
    o.putArray("error").add(message);
    return new Reply(status, Json.write(o));
  }
}
