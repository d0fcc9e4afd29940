package dev.scanflux.exchanges.venue.bingx.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * BingX spot, natively (XChange has no BingX): {@code /openApi/spot/v1/common/symbols},
 * {@code /openApi/spot/v1/market/depth} (up to 100 levels) and
 * {@code /openApi/spot/v1/ticker/24hr} (one or all). Answers are
 * {@code {"code":0,"data":...}}; code 100410 is throttling. Symbols are {@code BTC-USDT}.
 */
public final class BingxSource extends NativeSource {

  /** BingX's public market limit as used here: 100 requests per 10 s per IP. */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(100, Duration.ofSeconds(10));

  private static final int MAX_DEPTH = 100;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public BingxSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/openApi/spot/v1/common/symbols").map(data ->
        listing(data.path("symbols"), s -> s.path("status").asInt(0) == 1,
            s -> instrument(s.path("symbol").asText("")))));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> get(what, "/openApi/spot/v1/market/depth?symbol=" + s + "&limit="
            + Math.min(depth, MAX_DEPTH)))
        .map(data -> {
          Instant now = http.now();
          return book(what, instrument, data, depth, millis(data, "ts", now), now);
        }));
  }

  /**
   * A book from BingX's {@code {"bids": [...], "asks": [...]}}, as the REST depth and the
   * WebSocket's {@code @depth} data write it: levels in any order (BingX sends asks worst first),
   * put best first and cut to {@code depth}.
   *
   * @throws dev.scanflux.core.spi.BadDataException if a level is unreadable
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the book is invalid (crossed)
   */
  BookSnapshot book(String what, Instrument instrument, JsonNode data, int depth, Instant time,
      Instant now) {
    return book(what, instrument, data.path("bids"), data.path("asks"), depth, time, now);
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> get(what, "/openApi/spot/v1/ticker/24hr?symbol=" + s + "&timestamp="
            + settings.clock().now(TimeUnit.MILLISECONDS)))
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
    return classified(what, get(what, "/openApi/spot/v1/ticker/24hr?timestamp="
        + settings.clock().now(TimeUnit.MILLISECONDS)).map(data -> {
          Instant now = http.now();
          List<TickerSnapshot> out = new ArrayList<>();
          for (JsonNode t : data) {
            Instrument i = table.instrument(t.path("symbol").asText(""));
            if (i != null) {
              out.add(ticker(what, i, t, now));
            }
          }
          return List.copyOf(out);
        }));
  }

  /**
   * A ticker from BingX's 24 h ticker fields ({@code bidPrice}, {@code askPrice},
   * {@code lastPrice}, {@code volume}, {@code quoteVolume}, {@code priceChangePercent} as
   * {@code "2.91%"}, {@code closeTime}), numbers or text.
   *
   * @throws dev.scanflux.core.spi.BadDataException if bid, ask or last is missing or unreadable
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the ticker is invalid
   */
  TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    String pct = t.path("priceChangePercent").asText("").replace("%", "");
    double change;
    try {
      change = pct.isEmpty() ? Double.NaN : Double.parseDouble(pct) / 100;
    } catch (NumberFormatException e) {
      change = Double.NaN;
    }
    return new TickerSnapshot(venue(), instrument, number(what, t, "bidPrice"),
        number(what, t, "askPrice"), number(what, t, "lastPrice"), optional(t, "volume"),
        optional(t, "quoteVolume"), change, millis(t, "closeTime", now), now);
  }

  /** GET, then check the envelope and return its {@code data}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return http.get(what, pathAndQuery).map(json -> {
      JsonNode code = json.path("code");
      if (!code.canConvertToInt()) {
        throw http.badData(what, "no code in the answer");
      }
      if (code.asInt() == 0) {
        return json.path("data");
      }
      String msg = json.path("msg").asText("");
      if (code.asInt() == 100410) {
        throw new ThrottledException(venue(), what + ": code 100410 " + msg, null);
      }
      throw new PermanentSourceException(venue(), what + ": code " + code.asInt() + " " + msg,
          null);
    });
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (!instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this BingX source serves spot instruments only", null));
    }
    return Mono.just(symbol(instrument));
  }

  /** BingX's symbol of a spot instrument, {@code BTC-USDT}. */
  static String symbol(Instrument instrument) {
    return instrument.base() + '-' + instrument.quote();
  }

  private @Nullable Instrument instrument(String symbol) {
    int dash = symbol.indexOf('-');
    return dash <= 0 ? null : table.learn(symbol,
        () -> Instrument.spot(symbol.substring(0, dash), symbol.substring(dash + 1)));
  }
}
