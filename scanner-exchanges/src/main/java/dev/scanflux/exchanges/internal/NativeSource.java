package dev.scanflux.exchanges.internal;

import dev.scanflux.core.spi.PermanentSourceException;
import org.jspecify.annotations.Nullable;
import java.util.function.Predicate;
import java.util.function.Function;
import java.util.List;
import java.util.ArrayList;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * What the native sources share: settings, the asynchronous HTTP client, error classification
 * and JSON reading helpers.
 */
public abstract class NativeSource implements MarketSource {

  /** The user's settings. */
  protected final SourceSettings settings;
  /** The venue's HTTP client. */
  protected final NativeHttp http;

  /** @param settings the user's settings */
  protected NativeSource(SourceSettings settings) {
    this.settings = settings;
    this.http = new NativeHttp(settings);
  }

  @Override
  public final String venue() {
    return settings.venue();
  }

  @Override
  public final RateLimitSpec rateLimit() {
    return settings.rateLimit();
  }

  @Override
  public final int defaultConcurrency() {
    return settings.concurrency();
  }

  /** Shuts the HTTP client's threads down; requests in flight fail. */
  @Override
  public void close() {
    http.close();
  }

  /** Invalid snapshots and unreadable values become bad data; source exceptions pass. */
  protected final <T> Mono<T> classified(String what, Mono<T> call) {
    return call.onErrorMap(e -> Errors.classify(venue(), what, e, http.now()));
  }

  /**
   * The instruments of a venue's listing, in its order: the trading entries that map to an
   * instrument.
   */
  public static List<Instrument> listing(Iterable<JsonNode> entries, Predicate<JsonNode> trading,
      Function<JsonNode, @Nullable Instrument> instrument) {
    List<Instrument> out = new ArrayList<>();
    for (JsonNode entry : entries) {
      Instrument i = trading.test(entry) ? instrument.apply(entry) : null;
      if (i != null) {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  /**
   * {@code call} once the venue's symbols are known: while {@code table} is empty (discovery has
   * never run, as when a user asks for the bulk tickers first), discovery runs first, one request
   * the engine's limiter does not see, once per source. The engine itself always discovers first.
   */
  protected final <T> Mono<T> afterDiscovery(SymbolTable table, Mono<T> call) {
    return Mono.defer(() -> table.isEmpty() ? instruments().then(call) : call);
  }

  /**
   * The venue symbol of a spot instrument, URL-encoded: the one discovery learnt in
   * {@code table}, else {@code fallback}. Any other kind fails as permanent: a spot source does
   * not serve it.
   */
  protected final Mono<String> spotSymbol(String what, Instrument instrument, SymbolTable table,
      String fallback) {
    if (!instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this source serves spot instruments only", null));
    }
    return Mono.just(URLEncoder.encode(table.symbol(instrument, fallback), StandardCharsets.UTF_8));
  }

  /** Reads one ticker of a bulk answer. */
  @FunctionalInterface
  protected interface TickerReader {
    /** The ticker of {@code instrument} from its entry {@code t}, received at {@code now}. */
    TickerSnapshot read(Instrument instrument, JsonNode t, Instant now);
  }

  /**
   * The tickers of a bulk answer that is a JSON array of ticker objects, each naming its venue
   * symbol in field {@code symbolField}; entries of symbols discovery has not seen are left out.
   *
   * @throws dev.scanflux.core.spi.BadDataException if the answer is not an array
   */
  protected final List<TickerSnapshot> tickerArray(String what, JsonNode array, SymbolTable table,
      String symbolField, TickerReader reader) {
    if (!array.isArray()) {
      throw http.badData(what, "tickers is not an array");
    }
    Instant now = http.now();
    List<TickerSnapshot> out = new ArrayList<>(array.size());
    for (JsonNode t : array) {
      Instrument i = table.instrument(t.path(symbolField).asText(""));
      if (i != null) {
        out.add(reader.read(i, t, now));
      }
    }
    return List.copyOf(out);
  }

  /** The single ticker of a one-element ticker list, or bad data if the list is empty. */
  protected final JsonNode onlyTicker(String what, JsonNode list) {
    JsonNode t = list.path(0);
    if (!t.isObject()) {
      throw http.badData(what, "empty ticker list");
    }
    return t;
  }

  /** Checks a requested depth. */
  public static <T> Mono<T> badDepth(int depth) {
    return Mono.error(new IllegalArgumentException("depth must be at least 1 but was " + depth));
  }

  /** A number given as text or as a JSON number. */
  protected final double number(String what, JsonNode node, String field) {
    return numberValue(what, node.path(field), field);
  }

  /** A number given as text or as a JSON number; {@code name} names it in the error. */
  protected final double numberValue(String what, JsonNode value, String name) {
    if (!value.isTextual() && !value.isNumber()) {
      throw http.badData(what, "missing " + name);
    }
    try {
      return Double.parseDouble(value.asText());
    } catch (NumberFormatException e) {
      throw http.badData(what, name + " is not a number: " + value.asText());
    }
  }

  /** A number if present and readable, otherwise NaN. */
  public static double optional(JsonNode node, String field) {
    return optionalValue(node.path(field));
  }

  /** A number given as text or as a JSON number if readable, otherwise NaN. */
  public static double optionalValue(JsonNode v) {
    if (!v.isTextual() && !v.isNumber()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(v.asText());
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /**
   * A book from {@code [[price, size, ...], ...]} arrays in any order, put best first and cut
   * at {@code depth} (see {@link Levels}).
   */
  protected final BookSnapshot book(String what, Instrument instrument, JsonNode bids,
      JsonNode asks, int depth, Instant exchangeTime, Instant now) {
    return book(what, instrument, bids, asks, depth, exchangeTime, now, 1);
  }

  /**
   * A book whose sizes are contracts of {@code contractSize} base units each (1: base units),
   * from {@code [[price, size, ...], ...]} arrays in any order, put best first and cut at
   * {@code depth} (see {@link Levels}).
   */
  protected final BookSnapshot book(String what, Instrument instrument, JsonNode bids,
      JsonNode asks, int depth, Instant exchangeTime, Instant now, double contractSize) {
    if (!bids.isArray() || !asks.isArray()) {
      throw http.badData(what, "the book has no bid or ask array");
    }
    BookSnapshot.Builder b = BookSnapshot.builder(venue(), instrument).receivedAt(now)
        .exchangeTime(exchangeTime).contractSize(contractSize);
    Levels bidSide = Levels.bids();
    for (JsonNode level : bids) {
      bidSide.add(numberValue(what, level.path(0), "bid price"),
          numberValue(what, level.path(1), "bid size"));
    }
    Levels askSide = Levels.asks();
    for (JsonNode level : asks) {
      askSide.add(numberValue(what, level.path(0), "ask price"),
          numberValue(what, level.path(1), "ask size"));
    }
    bidSide.into(b, depth);
    askSide.into(b, depth);
    return b.build();
  }

  /** A millisecond timestamp field, or {@code fallback}. */
  public static Instant millis(JsonNode node, String field, Instant fallback) {
    JsonNode t = node.path(field);
    if (t.canConvertToLong() || (t.isTextual() && t.asText().matches("\\d{1,15}"))) {
      return Instant.ofEpochMilli(t.asLong());
    }
    return fallback;
  }
}
