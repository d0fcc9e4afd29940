package dev.scanflux.simulator.internal.lighter;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Lighter (zk perpetual DEX), {@code /api/v1}, after the public API documentation: markets
 * ({@code orderBooks}) have a numeric {@code market_id} and a {@code symbol} such as
 * {@code ETH}, settle in USDC and are quoted in base units; {@code orderBookDetails} has the last
 * trade and daily figures; {@code orderBookOrders} lists resting orders, not levels, best first
 * (here every third level holds two orders, as a real book does), prices and
 * {@code remaining_base_amount} as text, at most 250 per side. Answers carry {@code "code":200}.
 * One bucket of 60 requests per minute (the documented standard-account limit as we read it);
 * beyond it HTTP 429.
 *
 * <p>As on Lighter mainnet (wire-samples/lighter), market 0 is ETH: the markets are numbered with
 * ETH first when it is listed, then the others in the market's order; and
 * {@code orderBookDetails} without {@code market_id} answers every market.
 */
public final class LighterProtocol implements VenueProtocol {

  private static final String IP = "ip";
  private static final int MAX_LIMIT = 250;

  /** The markets by {@code market_id}: ETH first, then the others in the market's order. */
  private final List<SimInstrument> markets;

  /** @param market the market (perpetuals quoted in USDC) */
  public LighterProtocol(SyntheticMarket market) {
    List<SimInstrument> ids = new ArrayList<>(market.instruments());
    ids.sort(Comparator.comparing(i -> !i.base().equals("ETH")));
    this.markets = List.copyOf(ids);
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(IP, 60, Duration.ofMinutes(1)));
  }

  @Override
  public Call route(Request r) {
    @Nullable String marketId = r.param("market_id");
    @Nullable SimInstrument i = instrument(marketId);
    @Nullable String symbol = i == null ? null : i.base();
    return switch (r.path()) {
      case "/api/v1/orderBooks" -> new Call(IP, 1, null, c -> orderBooks());
      case "/api/v1/orderBookDetails" -> new Call(IP, 1, symbol, crossed -> marketId == null
          ? details(markets, crossed) : i == null ? unknownMarket() : details(List.of(i), crossed));
      case "/api/v1/orderBookOrders" -> new Call(IP, 1, symbol,
          crossed -> orders(i, r.param("limit"), crossed));
      default -> Call.notFound(IP, r.path());
    };
  }

  @Override
  public Reply throttled(Duration retryAfter) {
    return new Reply(429, Json.write(Json.object().put("code", 429)
        .put("message", "Too Many Requests")));
  }

  @Override
  public Reply serverError() {
    return new Reply(502, "<html><body>502 Bad Gateway</body></html>");
  }

  private @Nullable SimInstrument instrument(@Nullable String marketId) {
    if (marketId == null || !marketId.matches("\\d{1,6}")) {
      return null;
    }
    int id = Integer.parseInt(marketId);
    return id < markets.size() ? markets.get(id) : null;
  }

  private Reply orderBooks() {
    ObjectNode o = Json.object().put("code", 200);
    ArrayNode books = o.putArray("order_books");
    for (SimInstrument i : markets) {
      market(books.addObject(), i);
    }
    return new Reply(200, Json.write(o));
  }

  /** The fields {@code orderBooks} and {@code orderBookDetails} share. */
  private ObjectNode market(ObjectNode m, SimInstrument i) {
    int id = markets.indexOf(i);
    return m.put("symbol", i.base()).put("market_id", id).put("market_type", "perp")
        .put("base_asset_id", id).put("quote_asset_id", 0).put("status", "active")
        .put("taker_fee", "0.0000").put("is_taker_fee_enabled", true)
        .put("maker_fee", "0.0000").put("is_maker_fee_enabled", true)
        .put("liquidation_fee", "1.0000").put("min_base_amount", i.stepText())
        .put("min_quote_amount", "10.000000").put("order_quote_limit", "281474976.710655")
        .put("supported_size_decimals", i.sizeDecimals())
        .put("supported_price_decimals", i.priceDecimals())
        .put("supported_quote_decimals", 6);
  }

  private Reply details(List<SimInstrument> of, boolean crossed) {
    ObjectNode o = Json.object().put("code", 200);
    ArrayNode details = o.putArray("order_book_details");
    for (SimInstrument i : of) {
      details(market(details.addObject(), i), i, crossed);
    }
    return new Reply(200, Json.write(o));
  }

  private void details(ObjectNode d, SimInstrument i, boolean crossed) {
    SimInstrument.Ticker t = i.ticker(crossed);
    d.put("size_decimals", i.sizeDecimals()).put("price_decimals", i.priceDecimals())
        .put("quote_multiplier", 1).put("default_initial_margin_fraction", 500)
        .put("min_initial_margin_fraction", 200).put("maintenance_margin_fraction", 120)
        .put("closeout_margin_fraction", 80)
        .put("last_trade_price", new BigDecimal(i.px(t.last())))
        .put("daily_trades_count", 1000 + markets.indexOf(i))
        .put("daily_base_token_volume", new BigDecimal(i.qty(t.volume())))
        .put("daily_quote_token_volume", new BigDecimal(i.px(t.quoteVolume())))
        .put("daily_price_low", new BigDecimal(i.px(t.low())))
        .put("daily_price_high", new BigDecimal(i.px(t.high())))
        .put("daily_price_change", new BigDecimal(
            String.format(Locale.ROOT, "%.4f", 100 * t.change())))
        .put("open_interest", new BigDecimal(i.qty(t.volume() / 10)));
  }

  private Reply orders(@Nullable SimInstrument i, @Nullable String limitText, boolean crossed) {
    if (i == null) {
      return unknownMarket();
    }
    int limit;
    try {
      limit = limitText == null ? -1 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      return new Reply(400, Json.write(Json.object().put("code", 20001)
          .put("message", "invalid param: limit must be in [1, " + MAX_LIMIT + "]")));
    }
    SimInstrument.Book b = i.book(limit, crossed);
    ObjectNode o = Json.object().put("code", 200).put("total_asks", limit);
    o.set("asks", side(i, b.asks(), limit, 1));
    o.put("total_bids", limit);
    o.set("bids", side(i, b.bids(), limit, 2));
    return new Reply(200, Json.write(o));
  }

  /** {@code limit} orders from the levels; every third level is two orders. */
  private static ArrayNode side(SimInstrument i, double[] levels, int limit, int account) {
    ArrayNode a = Json.array();
    for (int k = 0; k < levels.length && a.size() < limit; k += 2) {
      String price = i.px(levels[k]);
      double size = levels[k + 1];
      if ((k / 2) % 3 == 1 && a.size() + 2 <= limit) {
        order(a, i, price, size * 0.4, account);
        order(a, i, price, size * 0.6, account + 10);
      } else {
        order(a, i, price, size, account);
      }
    }
    return a;
  }

  private static void order(ArrayNode a, SimInstrument i, String price, double size,
      int account) {
    String amount = i.qty(size);
    long index = 281_474_976_710_656L + a.size();
    a.addObject().put("order_index", index).put("order_id", Long.toString(index))
        .put("owner_account_index", account).put("initial_base_amount", amount)
        .put("remaining_base_amount", amount).put("price", price)
        .put("order_expiry", 1_900_000_000_000L);
  }

  private static Reply unknownMarket() {
    return new Reply(400, Json.write(Json.object().put("code", 21100)
        .put("message", "market not found")));
  }
}
