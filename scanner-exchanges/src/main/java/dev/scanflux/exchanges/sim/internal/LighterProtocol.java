package dev.scanflux.exchanges.sim.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
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
 */
public final class LighterProtocol implements VenueProtocol {

  private static final String IP = "ip";
  private static final int MAX_LIMIT = 250;

  private final SyntheticMarket market;

  /** @param market the market (perpetuals quoted in USDC) */
  public LighterProtocol(SyntheticMarket market) {
    this.market = market;
  }

  @Override
  public List<Limit> limits() {
    return List.of(new Limit(IP, 60, Duration.ofMinutes(1)));
  }

  @Override
  public Call route(Request r) {
    @Nullable SimInstrument i = instrument(r.param("market_id"));
    @Nullable String symbol = i == null ? null : i.base();
    return switch (r.path()) {
      case "/api/v1/orderBooks" -> new Call(IP, 1, null, c -> orderBooks());
      case "/api/v1/orderBookDetails" -> new Call(IP, 1, symbol, crossed -> details(i, crossed));
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
    return id < market.instruments().size() ? market.instruments().get(id) : null;
  }

  private Reply orderBooks() {
    ObjectNode o = Json.object().put("code", 200);
    ArrayNode books = o.putArray("order_books");
    for (SimInstrument i : market.instruments()) {
      books.addObject().put("symbol", i.base()).put("market_id", i.index())
          .put("market_type", "perp").put("status", "active").put("taker_fee", "0.0000")
          .put("maker_fee", "0.0000").put("liquidation_fee", "1.0000")
          .put("min_base_amount", i.stepText()).put("min_quote_amount", "10.000000")
          .put("supported_size_decimals", i.sizeDecimals())
          .put("supported_price_decimals", i.priceDecimals())
          .put("supported_quote_decimals", 6);
    }
    return new Reply(200, Json.write(o));
  }

  private Reply details(@Nullable SimInstrument i, boolean crossed) {
    if (i == null) {
      return unknownMarket();
    }
    SimInstrument.Ticker t = i.ticker(crossed);
    ObjectNode o = Json.object().put("code", 200);
    o.putArray("order_book_details").addObject().put("symbol", i.base())
        .put("market_id", i.index()).put("market_type", "perp").put("status", "active")
        .put("size_decimals", i.sizeDecimals()).put("price_decimals", i.priceDecimals())
        .put("last_trade_price", new BigDecimal(i.px(t.last())))
        .put("daily_trades_count", 1000 + i.index())
        .put("daily_base_token_volume", new BigDecimal(i.qty(t.volume())))
        .put("daily_quote_token_volume", new BigDecimal(i.px(t.quoteVolume())))
        .put("daily_price_low", new BigDecimal(i.px(t.low())))
        .put("daily_price_high", new BigDecimal(i.px(t.high())))
        .put("daily_price_change", new BigDecimal(
            String.format(Locale.ROOT, "%.4f", 100 * t.change())))
        .put("open_interest", new BigDecimal(i.qty(t.volume() / 10)));
    return new Reply(200, Json.write(o));
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
