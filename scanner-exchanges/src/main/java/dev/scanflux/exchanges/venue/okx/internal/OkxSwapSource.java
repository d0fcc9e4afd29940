package dev.scanflux.exchanges.venue.okx.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamContext;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * OKX linear perpetual swaps, natively over {@code /api/v5}: {@code BTC-USDT-SWAP} is
 * {@code BTC/USDT:perp}. Discovery ({@code public/instruments?instType=SWAP}) keeps the live
 * linear swaps ({@code ctType} {@code linear}; inverse swaps such as {@code BTC-USD-SWAP},
 * whose contracts are worth a fixed amount of the quote currency, are left out) and learns each
 * one's contract value {@code ctVal}, e.g. 0.01 BTC for {@code BTC-USDT-SWAP}. Books
 * ({@code market/books}, up to 400 levels) are quoted in contracts: a snapshot declares
 * {@code ctVal} as its contract size, so its sizes are base units and the raw counts stay
 * available. Tickers report {@code volCcy24h} (base units) as the base volume and that times the
 * last price as the quote volume (OKX gives no quote volume for swaps). A book or ticker of a swap
 * discovery has not seen first looks up that one instrument.
 *
 * <p>Native rather than XChange, so that the contract value is read from the venue and applied
 * in one visible place. Code 50011 (with HTTP 429 or in a 200 answer) is throttling.
 */
public final class OkxSwapSource extends NativeSource {

  /**
   * OKX's public limits: books 40 requests per 2 s; tickers and instruments 20 per 2 s, so they
   * weigh 2 in one budget of 40 per 2 s.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(40, Duration.ofSeconds(2))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 2)
      .withWeight(RequestKind.INSTRUMENTS, 2);

  private static final String SWAP_SUFFIX = "-SWAP";
  private static final int MAX_DEPTH = 400;

  private final SymbolTable table = new SymbolTable();
  private final Map<Instrument, Double> contractValues = new ConcurrentHashMap<>();

  /** @param settings the user's settings */
  public OkxSwapSource(SourceSettings settings) {
    super(settings);
  }

  /**
   * Ours for an OKX swap id: {@code BTC-USDT-SWAP} is {@code BTC/USDT:perp}; null for anything
   * that is not {@code BASE-QUOTE-SWAP} in Scanflux's codes (futures, options, spot).
   */
  public static @Nullable Instrument instrument(String instId) {
    if (!instId.endsWith(SWAP_SUFFIX)) {
      return null;
    }
    String[] parts = instId.substring(0, instId.length() - SWAP_SUFFIX.length()).split("-", -1);
    if (parts.length != 2) {
      return null;
    }
    try {
      return Instrument.perpetual(Aliases.canonical(parts[0]), Aliases.canonical(parts[1]));
    } catch (IllegalArgumentException notOurSymbolLanguage) {
      return null;
    }
  }

  /** OKX's swap id of a perpetual: {@code BTC-USDT-SWAP} for {@code BTC/USDT:perp}. */
  public static String instId(Instrument instrument) {
    return instrument.base() + '-' + instrument.quote() + SWAP_SUFFIX;
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/api/v5/public/instruments?instType=SWAP")
        .map(data -> listing(data, OkxSwapSource::liveLinear, s -> learn(what, s))));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, contractValue(what, instrument).flatMap(ctVal ->
        get(what, "/api/v5/market/books?instId=" + encode(symbol(instrument)) + "&sz="
            + Math.min(depth, MAX_DEPTH))
            .map(data -> {
              JsonNode b = data.path(0);
              Instant now = http.now();
              return book(what, instrument, b.path("bids"), b.path("asks"), depth,
                  millis(b, "ts", now), now, ctVal);
            })));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, checkPerpetual(what, instrument)
        .then(get(what, "/api/v5/market/ticker?instId=" + encode(symbol(instrument))))
        .map(data -> {
          JsonNode t = onlyTicker(what, data);
          return ticker(what, instrument, t, http.now());
        }));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, get(what, "/api/v5/market/tickers?instType=SWAP").map(data -> {
      Instant now = http.now();
      List<TickerSnapshot> out = new ArrayList<>();
      for (JsonNode t : data) {
        Instrument i = table.instrument(t.path("instId").asText(""));
        if (i != null) {
          out.add(ticker(what, i, t, now));
        }
      }
      return List.copyOf(out);
    }));
  }

  private static boolean liveLinear(JsonNode s) {
    return "live".equals(s.path("state").asText()) && "linear".equals(s.path("ctType").asText());
  }

  /** Learns one listed swap and its contract value; null if its id is not ours to name. */
  private @Nullable Instrument learn(String what, JsonNode s) {
    String id = s.path("instId").asText("");
    Instrument parsed = instrument(id);
    if (parsed == null) {
      return null;
    }
    double ctVal = number(what, s, "ctVal");
    if (!(ctVal > 0) || Double.isInfinite(ctVal)) {
      throw http.badData(what, id + ": ctVal must be positive but was " + ctVal);
    }
    Instrument i = table.learn(id, () -> parsed);
    if (i != null) {
      contractValues.put(i, ctVal);
    }
    return i;
  }

  /**
   * A swap's contract value for the stream: the one discovery learnt, else looked up for this
   * one swap through {@code context}, within the venue's rate limit.
   */
  Mono<Double> contractValue(Instrument instrument, StreamContext context) {
    Double known = contractValues.get(instrument);
    if (known != null) {
      return Mono.just(known);
    }
    String what = "contract value of " + instrument;
    return context.request(RequestKind.INSTRUMENTS, 1,
        () -> classified(what, contractValue(what, instrument)));
  }

  /** The contract value discovery learnt, else looked up for this one swap. */
  private Mono<Double> contractValue(String what, Instrument instrument) {
    return checkPerpetual(what, instrument).then(Mono.defer(() -> {
      Double known = contractValues.get(instrument);
      if (known != null) {
        return Mono.just(known);
      }
      return get(what, "/api/v5/public/instruments?instType=SWAP&instId="
          + encode(symbol(instrument)))
          .map(data -> {
            Instrument i = data.size() == 1 && liveLinear(data.get(0))
                ? learn(what, data.get(0)) : null;
            if (!instrument.equals(i)) {
              throw new PermanentSourceException(venue(),
                  what + ": OKX lists no live linear swap " + symbol(instrument), null);
            }
            return contractValues.get(i);
          });
    }));
  }

  /**
   * A ticker from OKX's ticker object, as {@code market/ticker} answers and the
   * {@code tickers} channel pushes it.
   */
  TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    double last = number(what, t, "last");
    double open = optional(t, "open24h");
    double baseVolume = optional(t, "volCcy24h");
    return new TickerSnapshot(venue(), instrument, number(what, t, "bidPx"),
        number(what, t, "askPx"), last, baseVolume, baseVolume * last,
        open > 0 ? (last - open) / open : Double.NaN, millis(t, "ts", now), now);
  }

  /** GET, then check OKX's envelope and return its {@code data}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return OkxEnvelope.data(http, venue(), what, pathAndQuery);
  }

  private Mono<Void> checkPerpetual(String what, Instrument instrument) {
    return instrument.isSpot()
        ? Mono.error(new PermanentSourceException(venue(),
            what + ": this OKX source serves perpetual swaps only", null))
        : Mono.empty();
  }

  /** OKX's id of a swap: as discovery listed it, else {@link #instId(Instrument)}. */
  String symbol(Instrument instrument) {
    return table.symbol(instrument, instId(instrument));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
