package dev.scanflux.exchanges.venue.bybit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.internal.Aliases;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Bybit, natively over the v5 market API (released XChange versions have no Bybit order books),
 * in one category: spot, or linear perpetuals ({@link Category}). Endpoints:
 * {@code /v5/market/instruments-info} (every page, following {@code nextPageCursor}),
 * {@code /v5/market/orderbook} (up to 200 levels for spot, 500 for linear),
 * {@code /v5/market/tickers} (one or all). Answers are {@code {"retCode":0,"result":{...}}};
 * {@code retCode} 10006 ("Too many visits") and HTTP 403 "access too frequent" are throttling.
 * Symbols are {@code BTCUSDT}, mapped through discovery's {@code baseCoin} and
 * {@code quoteCoin}, so {@code 1000PEPEUSDT} is {@code 1000PEPE/USDT:perp}. Linear contracts
 * are quoted in base units (contract size 1) and {@code volume24h} is base units there too.
 */
public final class BybitSource extends NativeSource {

  /** Bybit's IP limit: 600 requests per 5 s across the market endpoints. */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(600, Duration.ofSeconds(5));

  /** A Bybit product category this source serves. */
  public enum Category {
    /** Spot pairs, {@code BTC/USDT}; books up to 200 levels. */
    SPOT("spot", 200),
    /**
     * USDT and USDC linear perpetuals ({@code contractType} {@code LinearPerpetual}),
     * {@code BTC/USDT:perp}; dated linear futures are left out; books up to 500 levels.
     */
    LINEAR("linear", 500);

    private final String wire;
    private final int maxDepth;

    Category(String wire, int maxDepth) {
      this.wire = wire;
      this.maxDepth = maxDepth;
    }
  }

  private final SymbolTable table = new SymbolTable();
  private final Category category;

  /** @param settings the user's settings; serves spot */
  public BybitSource(SourceSettings settings) {
    this(settings, Category.SPOT);
  }

  /**
   * @param settings the user's settings
   * @param category the category served
   */
  public BybitSource(SourceSettings settings, Category category) {
    super(settings);
    this.category = java.util.Objects.requireNonNull(category, "category");
  }

  /**
   * Ours for a Bybit listing's coins: {@code BTC/USDT} in spot, {@code 1000PEPE/USDT:perp} in
   * linear.
   */
  public static Instrument instrument(Category category, String baseCoin, String quoteCoin) {
    String base = Aliases.canonical(baseCoin);
    String quote = Aliases.canonical(quoteCoin);
    return category == Category.SPOT ? Instrument.spot(base, quote)
        : Instrument.perpetual(base, quote);
  }

  /** Bybit's symbol of ours before discovery has seen it: the codes joined, {@code BTCUSDT}. */
  public static String symbol(Instrument instrument) {
    return instrument.base() + instrument.quote();
  }

  /** Bybit's symbol of ours as discovery learnt it, else the codes joined; for the stream. */
  String venueSymbol(Instrument instrument) {
    return table.symbol(instrument, symbol(instrument));
  }

  /** The category served. */
  Category category() {
    return category;
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    String first = "/v5/market/instruments-info?category=" + category.wire
        + (category == Category.SPOT ? "" : "&limit=1000");
    return classified(what, get(what, first)
        .expand(result -> {
          String cursor = result.path("nextPageCursor").asText("");
          return cursor.isEmpty() ? Mono.empty() : get(what, first + "&cursor=" + encode(cursor));
        })
        .concatMapIterable(result -> result.path("list"))
        .collectList()
        .map(entries -> listing(entries, this::trading,
            s -> table.learn(s.path("symbol").asText(""), () -> instrument(category,
                s.path("baseCoin").asText(""), s.path("quoteCoin").asText(""))))));
  }

  private boolean trading(JsonNode s) {
    return "Trading".equals(s.path("status").asText()) && (category == Category.SPOT
        || "LinearPerpetual".equals(s.path("contractType").asText()));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    int limit = Math.min(depth, category.maxDepth);
    return classified(what, symbol(what, instrument)
        .flatMap(symbol -> get(what, "/v5/market/orderbook?category=" + category.wire + "&symbol="
            + encode(symbol) + "&limit=" + limit))
        .map(result -> {
          Instant now = http.now();
          return book(what, instrument, result.path("b"), result.path("a"), depth,
              millis(result, "ts", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(symbol -> get(what, "/v5/market/tickers?category=" + category.wire + "&symbol="
            + encode(symbol)))
        .map(result -> {
          JsonNode t = onlyTicker(what, result.path("list"));
          Instant now = http.now();
          return ticker(what, instrument, t, now, now);
        }));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, get(what, "/v5/market/tickers?category=" + category.wire).map(result -> {
      Instant now = http.now();
      List<TickerSnapshot> out = new ArrayList<>();
      for (JsonNode t : result.path("list")) {
        Instrument i = table.instrument(t.path("symbol").asText(""));
        if (i != null) {
          out.add(ticker(what, i, t, now, now));
        }
      }
      return List.copyOf(out);
    }));
  }

  /**
   * A ticker from one entry of Bybit's ticker list, REST or WebSocket: {@code bid1Price},
   * {@code ask1Price} and {@code lastPrice} required, 24 h volumes and change if present.
   *
   * @param time when Bybit produced it (the stream's message {@code ts}; the REST answer: now)
   * @param now  when it was received, on the settings' clock
   * @throws dev.scanflux.core.spi.BadDataException if a required field is missing or unreadable
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the ticker is invalid (crossed)
   */
  TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant time,
      Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "bid1Price"),
        number(what, t, "ask1Price"), number(what, t, "lastPrice"), optional(t, "volume24h"),
        optional(t, "turnover24h"), optional(t, "price24hPcnt"), time, now);
  }

  /** GET, then check the envelope and return its {@code result}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return http.get(what, pathAndQuery).map(json -> {
      int code = json.path("retCode").asInt(-1);
      if (code == 0) {
        return json.path("result");
      }
      String msg = json.path("retMsg").asText("");
      if (code == 10006 || code == 10018) {
        throw new ThrottledException(venue(), what + ": retCode " + code + " " + msg, null);
      }
      if (code == -1) {
        throw http.badData(what, "no retCode in the answer");
      }
      throw new PermanentSourceException(venue(), what + ": retCode " + code + " " + msg, null);
    });
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (instrument.isSpot() != (category == Category.SPOT)) {
      return Mono.error(new PermanentSourceException(venue(), what + ": this Bybit source serves "
          + (category == Category.SPOT ? "spot instruments" : "linear perpetuals") + " only",
          null));
    }
    return Mono.just(table.symbol(instrument, symbol(instrument)));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
