package dev.scanflux.exchanges.venue.kucoin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.internal.Aliases;
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
 * KuCoin futures (USDT- and USDC-margined perpetuals), natively over
 * {@code https://api-futures.kucoin.com/api/v1}: discovery is {@code contracts/active} (status
 * {@code Open}, not inverse), a book is {@code level2/depth20} or {@code level2/depth100}, a
 * ticker {@code ticker?symbol=}. Answers are {@code {"code":"200000","data":...}}; code
 * {@code 429000} (with or without HTTP 429) is throttling.
 *
 * <p>KuCoin calls bitcoin {@code XBT}: contract {@code XBTUSDTM} is {@code BTC/USDT:perp}, and
 * {@code BTC/USDT:perp} asks for {@code XBTUSDTM}. Book sizes are whole contracts of the
 * contract's {@code multiplier} base units (0.001 BTC for {@code XBTUSDTM}: 1,000 contracts are
 * 1 BTC), learnt at discovery and declared as the book's {@link BookSnapshot#contractSize()}. A
 * book of a contract discovery did not list is asked of KuCoin all the same, as every source asks
 * the venue about an instrument it does not know: KuCoin's refusal is the failure, a request the
 * venue saw; should KuCoin answer a book after all (a contract listed since), it fails as
 * permanent, its sizes not convertible. With a fixed instrument list, the first book runs
 * discovery once to learn the multipliers.
 *
 * <p>No bulk tickers: {@code contracts/active} carries last price and 24 h volume but no bid or
 * ask. The ticker has no 24 h figures either (NaN): {@code ticker} reports only the top of book
 * and the last trade.
 */
public final class KucoinFuturesSource extends NativeSource {

  /**
   * KuCoin futures' public resource pool as we read its documentation: 2,000 weight per 30 s
   * per IP, with active contracts weighing 3, a ticker 2, a 20-level book 5 and a 100-level book
   * 10. These weights are our assumption from KuCoin's published table; the budget matches the
   * spot pool's.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(2000, Duration.ofSeconds(30))
      .withBookWeight(depth -> depth <= 20 ? 5 : 10)
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.INSTRUMENTS, 3);

  private final SymbolTable table = new SymbolTable();
  private final Map<Instrument, Double> multipliers = new ConcurrentHashMap<>();

  /** @param settings the user's settings */
  public KucoinFuturesSource(SourceSettings settings) {
    super(settings);
  }

  /** Our code of a KuCoin currency: {@code BTC} for {@code XBT}. */
  static String common(String kucoinCode) {
    return Aliases.canonical(kucoinCode);
  }

  /** KuCoin's code of a currency: {@code XBT} for {@code BTC}. */
  static String kucoin(String code) {
    return Aliases.kucoinFutures(code);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/api/v1/contracts/active").map(data -> {
      if (!data.isArray()) {
        throw http.badData(what, "contracts is not an array");
      }
      return listing(data, c -> "Open".equals(c.path("status").asText())
          && !c.path("isInverse").asBoolean(false), this::learn);
    }));
  }

  /** A contract without a readable, positive multiplier cannot be served: not listed. */
  private @Nullable Instrument learn(JsonNode contract) {
    double multiplier = optional(contract, "multiplier");
    if (!(multiplier > 0) || Double.isInfinite(multiplier)) {
      return null;
    }
    Instrument i = table.learn(contract.path("symbol").asText(""), () -> Instrument.perpetual(
        common(contract.path("baseCurrency").asText("")),
        common(contract.path("quoteCurrency").asText(""))));
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
    String path = depth <= 20 ? "/api/v1/level2/depth20" : "/api/v1/level2/depth100";
    return classified(what, symbol(what, instrument).flatMap(s -> afterDiscovery(table,
        get(what, path + "?symbol=" + s)).map(data -> {
          Double multiplier = multipliers.get(instrument);
          if (multiplier == null) {
            throw new PermanentSourceException(venue(), what + ": KuCoin answered a book of a"
                + " contract discovery did not list; its multiplier is unknown", null);
          }
          Instant now = http.now();
          return book(what, instrument, data.path("bids"), data.path("asks"), depth,
              nanos(data, now), now, multiplier);
        })));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> get(what, "/api/v1/ticker?symbol=" + s))
        .map(t -> {
          Instant now = http.now();
          return ticker(what, instrument, t, nanos(t, now), now);
        }));
  }

  /**
   * A ticker from KuCoin's ticker fields ({@code bestBidPrice}, {@code bestAskPrice},
   * {@code price}), as the REST ticker reads them; for the stream, which merges its channels into
   * these fields.
   *
   * @throws IllegalArgumentException if a price is missing or the ticker is invalid
   */
  TickerSnapshot ticker(Instrument instrument, JsonNode t, Instant time, Instant now) {
    return ticker("ticker " + instrument, instrument, t, time, now);
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant time,
      Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "bestBidPrice"),
        number(what, t, "bestAskPrice"), number(what, t, "price"), Double.NaN, Double.NaN,
        Double.NaN, time, now);
  }

  /** GET, then check KuCoin's envelope and return its {@code data}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return KucoinEnvelope.get(http, venue(), what, pathAndQuery);
  }

  /** KuCoin's symbol of a perpetual, as discovery learnt it: {@code XBTUSDTM}. */
  String venueSymbol(Instrument instrument) {
    return table.symbol(instrument, kucoin(instrument.base()) + kucoin(instrument.quote()) + "M");
  }

  /** The contract's multiplier (base units per contract) learnt at discovery, or null. */
  @Nullable Double multiplier(Instrument instrument) {
    return multipliers.get(instrument);
  }

  /** True until discovery has learnt a contract. */
  boolean undiscovered() {
    return multipliers.isEmpty();
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this source serves perpetual futures only", null));
    }
    return Mono.just(URLEncoder.encode(venueSymbol(instrument), StandardCharsets.UTF_8));
  }

  /** KuCoin futures' {@code ts} is in nanoseconds. */
  static Instant nanos(JsonNode node, Instant fallback) {
    JsonNode t = node.path("ts");
    if (!t.canConvertToLong()) {
      return fallback;
    }
    long ns = t.asLong();
    return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L),
        Math.floorMod(ns, 1_000_000_000L));
  }
}
