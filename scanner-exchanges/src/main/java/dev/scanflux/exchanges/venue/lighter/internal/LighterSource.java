package dev.scanflux.exchanges.venue.lighter.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.internal.Levels;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Lighter (lighter.xyz, a zk perpetual DEX), natively over {@code /api/v1}: discovery is
 * {@code orderBooks} (active perpetual markets), a book is {@code orderBookOrders}, a ticker is
 * {@code orderBookDetails} (last trade, daily volumes and change) joined with the top of
 * {@code orderBookOrders} (bid and ask), sent together. Markets are addressed by their numeric
 * {@code market_id}, learnt at discovery; a request before any discovery runs one first.
 * Instruments are {@code ETH/USDC:perp} for market {@code ETH}: Lighter settles in USDC.
 *
 * <p>Sizes are base units ({@code remaining_base_amount}), so the contract size is 1.
 * {@code orderBookOrders} lists resting orders, not levels: the source asks for twice the depth
 * (at most 250), sums orders at the same price into one level and cuts at the depth, so a book
 * crowded with orders at few prices may have fewer levels than asked, and the deepest level of
 * a book shallower than asked may be short by the orders the answer left out. No bulk tickers: no
 * all-market answer has bid and ask. {@code daily_price_change} is read as a percentage.
 */
public final class LighterSource extends NativeSource {

  /**
   * 60 requests per minute, every public endpoint weighing 1: Lighter's documented limit for
   * standard (non-premium) accounts per IP, as we read it; a ticker is two requests.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(60, Duration.ofMinutes(1))
      .withWeight(RequestKind.TICKER, 2);

  private static final String QUOTE = "USDC";
  private static final int MAX_ORDERS = 250;

  private final SymbolTable table = new SymbolTable();
  private final Map<Instrument, Long> marketIds = new ConcurrentHashMap<>();

  /** @param settings the user's settings */
  public LighterSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, "/api/v1/orderBooks").map(json -> {
      JsonNode books = json.path("order_books");
      if (!books.isArray()) {
        throw http.badData(what, "no order_books array");
      }
      return listing(books, m -> "active".equals(m.path("status").asText())
          && "perp".equals(m.path("market_type").asText("perp"))
          && m.path("market_id").canConvertToLong(), this::learn);
    }));
  }

  private @Nullable Instrument learn(JsonNode market) {
    String symbol = market.path("symbol").asText("");
    Instrument i = table.learn(symbol, () -> Instrument.perpetual(symbol, QUOTE));
    if (i != null) {
      marketIds.put(i, market.path("market_id").asLong());
    }
    return i;
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    int limit = Math.min(MAX_ORDERS, 2 * depth);
    return classified(what, marketId(what, instrument)
        .flatMap(id -> orders(what, id, limit))
        .map(json -> book(what, instrument, json, depth)));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, marketId(what, instrument).flatMap(id -> Mono.zip(
            http.get(what, "/api/v1/orderBookDetails?market_id=" + id), orders(what, id, 1)))
        .map(pair -> {
          JsonNode d = pair.getT1().path("order_book_details").path(0);
          if (!d.isObject()) {
            throw http.badData(what, "no order_book_details");
          }
          JsonNode bid = pair.getT2().path("bids").path(0);
          JsonNode ask = pair.getT2().path("asks").path(0);
          if (!bid.isObject() || !ask.isObject()) {
            throw http.badData(what, "the book has an empty side");
          }
          Instant now = http.now();
          return new TickerSnapshot(venue(), instrument, number(what, bid, "price"),
              number(what, ask, "price"), number(what, d, "last_trade_price"),
              optional(d, "daily_base_token_volume"), optional(d, "daily_quote_token_volume"),
              optional(d, "daily_price_change") / 100, now, now);
        }));
  }

  private Mono<JsonNode> orders(String what, long marketId, int limit) {
    return http.get(what, "/api/v1/orderBookOrders?market_id=" + marketId + "&limit=" + limit);
  }

  /** Orders in any order summed into levels by price, best first, cut at {@code depth}. */
  private BookSnapshot book(String what, Instrument instrument, JsonNode json, int depth) {
    JsonNode bids = json.path("bids");
    JsonNode asks = json.path("asks");
    if (!bids.isArray() || !asks.isArray()) {
      throw http.badData(what, "the book has no bids or asks array");
    }
    Instant now = http.now();
    BookSnapshot.Builder b = BookSnapshot.builder(venue(), instrument).receivedAt(now)
        .exchangeTime(now);
    levels(what, bids, Levels.bids().summing()).into(b, depth);
    levels(what, asks, Levels.asks().summing()).into(b, depth);
    return b.build();
  }

  private Levels levels(String what, JsonNode orders, Levels side) {
    for (JsonNode order : orders) {
      side.add(number(what, order, "price"), number(what, order, "remaining_base_amount"));
    }
    return side;
  }

  private Mono<Long> marketId(String what, Instrument instrument) {
    if (instrument.isSpot() || !instrument.quote().equals(QUOTE)) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": Lighter lists perpetuals quoted in USDC only", null));
    }
    return Mono.defer(() -> {
      Long id = marketIds.get(instrument);
      if (id != null) {
        return Mono.just(id);
      }
      Mono<List<Instrument>> discovery = marketIds.isEmpty() ? instruments()
          : Mono.just(List.of());
      return discovery.flatMap(all -> {
        Long learnt = marketIds.get(instrument);
        return learnt != null ? Mono.just(learnt)
            : Mono.error(new PermanentSourceException(venue(),
                what + ": no such active market", null));
      });
    });
  }
}
