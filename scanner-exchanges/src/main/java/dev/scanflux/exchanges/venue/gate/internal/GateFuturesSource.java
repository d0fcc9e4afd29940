package dev.scanflux.exchanges.venue.gate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.exchanges.internal.Levels;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Gate.io USDT-settled perpetuals, natively over {@code /api/v4/futures/usdt}: discovery is
 * {@code contracts} (every contract not {@code in_delisting}), a book is {@code order_book}
 * (at most 50 levels), a ticker is {@code tickers?contract=}, bulk tickers are {@code tickers}.
 * Instruments are {@code BTC/USDT:perp} for contract {@code BTC_USDT}.
 *
 * <p>Book sizes {@code s} are whole contracts of the contract's {@code quanto_multiplier} base
 * units (0.0001 BTC for {@code BTC_USDT}), learnt at discovery and declared as the book's
 * {@link BookSnapshot#contractSize()}, so that {@code bidSize(i)} is in base units. A book of a
 * contract discovery did not list is asked of Gate all the same, as every source asks the venue
 * about an instrument it does not know: Gate's refusal ({@code CONTRACT_NOT_FOUND}) is the
 * failure, a request the venue saw; should Gate answer a book after all (a contract listed since),
 * it fails as permanent, its sizes not convertible. With a fixed instrument list, the first book
 * runs discovery once to learn the contract sizes.
 * A contract without a positive {@code quanto_multiplier} is left out of discovery. Ticker
 * volumes are {@code volume_24h_base} and {@code volume_24h_quote}, already in base and
 * quote units.
 */
public final class GateFuturesSource extends NativeSource {

  /**
   * Gate.io's public limit, 200 requests per 10 s per endpoint, applied here to all endpoints
   * together (the safe reading). HTTP 429 beyond it.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(200, Duration.ofSeconds(10));

  private static final String PREFIX = "/api/v4/futures/usdt/";
  private static final int MAX_DEPTH = 50;

  private final SymbolTable table = new SymbolTable();
  private final Map<Instrument, Double> multipliers = new ConcurrentHashMap<>();

  /** @param settings the user's settings */
  public GateFuturesSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, PREFIX + "contracts").map(contracts -> {
      if (!contracts.isArray()) {
        throw http.badData(what, "contracts is not an array");
      }
      return listing(contracts,
          c -> !c.path("in_delisting").asBoolean(false)
              && !"delisted".equals(c.path("status").asText("")),
          GateFuturesSource.this::learn);
    }));
  }

  /** A contract without a readable, positive multiplier cannot be served: not listed. */
  private @Nullable Instrument learn(JsonNode contract) {
    String name = contract.path("name").asText("");
    int underscore = name.indexOf('_');
    double multiplier = optional(contract, "quanto_multiplier");
    if (underscore <= 0 || !(multiplier > 0) || Double.isInfinite(multiplier)) {
      return null;
    }
    Instrument i = table.learn(name, () -> Instrument.perpetual(name.substring(0, underscore),
        name.substring(underscore + 1)));
    if (i != null) {
      multipliers.put(i, multiplier);
    }
    return i;
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    int limit = Math.min(depth, MAX_DEPTH);
    return classified(what, contract(what, instrument).flatMap(c -> afterDiscovery(table,
            http.get(what, PREFIX + "order_book?contract=" + encode(c) + "&limit=" + limit))
        .map(json -> {
          Double multiplier = multipliers.get(instrument);
          if (multiplier == null) {
            throw new PermanentSourceException(venue(), what + ": Gate answered a book of a"
                + " contract discovery did not list; its contract size is unknown", null);
          }
          return book(what, instrument, json, depth, multiplier);
        })));
  }

  private BookSnapshot book(String what, Instrument instrument, JsonNode json, int depth,
      double multiplier) {
    JsonNode bids = json.path("bids");
    JsonNode asks = json.path("asks");
    if (!bids.isArray() || !asks.isArray()) {
      throw http.badData(what, "the book has no bid or ask array");
    }
    Instant now = http.now();
    JsonNode current = json.path("current");
    Instant time = current.isNumber()
        ? Instant.ofEpochMilli(Math.round(current.asDouble() * 1000)) : now;
    BookSnapshot.Builder b = BookSnapshot.builder(venue(), instrument).receivedAt(now)
        .exchangeTime(time).contractSize(multiplier);
    Levels bidSide = Levels.bids();
    for (JsonNode level : bids) {
      bidSide.add(number(what, level, "p"), number(what, level, "s"));
    }
    Levels askSide = Levels.asks();
    for (JsonNode level : asks) {
      askSide.add(number(what, level, "p"), number(what, level, "s"));
    }
    bidSide.into(b, depth);
    askSide.into(b, depth);
    return b.build();
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, contract(what, instrument)
        .flatMap(c -> http.get(what, PREFIX + "tickers?contract=" + encode(c)))
        .map(json -> {
          JsonNode t = onlyTicker(what, json);
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
    return classified(what, http.get(what, PREFIX + "tickers").map(json -> tickerArray(what,
        json, table, "contract", (i, t, now) -> ticker(what, i, t, now, now))));
  }

  /**
   * A ticker from one {@code tickers} entry, as the REST answer writes it and as the stream
   * assembles it from {@code futures.tickers} and {@code futures.book_ticker}.
   *
   * @throws dev.scanflux.core.spi.BadDataException if the best bid, best ask or last price is
   *     missing or not a number
   */
  TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant time,
      Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "highest_bid"),
        number(what, t, "lowest_ask"), number(what, t, "last"), optional(t, "volume_24h_base"),
        optional(t, "volume_24h_quote"), optional(t, "change_percentage") / 100, time, now);
  }

  private Mono<String> contract(String what, Instrument instrument) {
    if (instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this source serves perpetual futures only", null));
    }
    return Mono.just(symbol(instrument));
  }

  /** Gate's contract of a perpetual: the one discovery learnt, else {@code BASE_QUOTE}. */
  String symbol(Instrument instrument) {
    return table.symbol(instrument, instrument.base() + '_' + instrument.quote());
  }

  /**
   * A contract's size for the stream: the one discovery learnt, else, while no contract is
   * known, discovery run once through {@code context}, within the venue's rate limit. A contract
   * discovery did not list fails outside any request: nothing was asked of the venue, so no
   * request is counted failed.
   *
   * @return the multiplier, or a {@link PermanentSourceException} if Gate lists no such contract
   */
  Mono<Double> contractSize(Instrument instrument, StreamContext context) {
    String what = "contract size of " + instrument;
    return Mono.defer(() -> multipliers.isEmpty() && !instrument.isSpot()
            ? context.request(RequestKind.INSTRUMENTS, 1, this::instruments).then()
            : Mono.<Void>empty())
        .then(Mono.defer(() -> {
          Double known = multipliers.get(instrument);
          return known != null ? Mono.just(known) : Mono.error(new PermanentSourceException(
              venue(), what + ": no such contract listed", null));
        }));
  }

  /**
   * The stream's base book: {@code order_book?with_id=true}, the raw answer whose {@code id}
   * the {@code futures.order_book_update} deltas chain on.
   *
   * @param limit levels per side, at most {@value #MAX_DEPTH}
   */
  Mono<JsonNode> bookWithId(Instrument instrument, int limit) {
    String what = "book " + instrument;
    return classified(what, contract(what, instrument).flatMap(c -> http.get(what,
        PREFIX + "order_book?contract=" + encode(c) + "&limit=" + Math.min(limit, MAX_DEPTH)
            + "&with_id=true")));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
