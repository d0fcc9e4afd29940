package dev.scanflux.exchanges.venue.kucoin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
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
 * KuCoin spot, natively, on KuCoin's current public endpoints ({@code https://api.kucoin.com}):
 * discovery {@code /api/v2/symbols} (entries with {@code enableTrading}), books
 * {@code /api/v1/market/orderbook/level2_20} or {@code level2_100}, a ticker
 * {@code /api/v1/market/stats} (bid {@code buy}, ask {@code sell}, 24 h figures) and all tickers
 * {@code /api/v1/market/allTickers}. Answers are {@code {"code":"200000","data":...}}; code
 * {@code 429000} (with or without HTTP 429) is throttling. Symbols are {@code BTC-USDT}.
 *
 * <p>Native rather than XChange: XChange 5.2.1's KuCoin start-up calls
 * {@code /api/v1/currencies}, which KuCoin no longer documents (only {@code /api/v3/currencies}),
 * and fails every call when it does not answer.
 */
public final class KucoinSource extends NativeSource {

  /**
   * KuCoin spot's public resource pool: 2,000 weight per 30 s; a 20-level book weighs 2, a
   * 100-level book 4, a ticker (24 h stats) 15, all tickers 15, discovery ({@code v2/symbols}) 4.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(2000, Duration.ofSeconds(30))
      .withBookWeight(depth -> depth <= 20 ? 2 : 4)
      .withWeight(RequestKind.TICKER, 15)
      .withWeight(RequestKind.TICKERS, 15)
      .withWeight(RequestKind.INSTRUMENTS, 4);

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public KucoinSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/api/v2/symbols").map(data -> {
      if (!data.isArray()) {
        throw http.badData(what, "symbols is not an array");
      }
      return listing(data, s -> s.path("enableTrading").asBoolean(false),
          s -> table.learnSpot(s.path("symbol").asText(""), s.path("baseCurrency").asText(""),
              s.path("quoteCurrency").asText("")));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    String path = depth <= 20 ? "/api/v1/market/orderbook/level2_20"
        : "/api/v1/market/orderbook/level2_100";
    return classified(what, symbol(what, instrument)
        .flatMap(s -> get(what, path + "?symbol=" + s))
        .map(data -> {
          Instant now = http.now();
          return book(what, instrument, data.path("bids"), data.path("asks"), depth,
              millis(data, "time", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> get(what, "/api/v1/market/stats?symbol=" + s))
        .map(data -> {
          Instant now = http.now();
          return ticker(what, instrument, data, millis(data, "time", now), now);
        }));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, get(what, "/api/v1/market/allTickers").map(data -> {
      JsonNode list = data.path("ticker");
      if (!list.isArray()) {
        throw http.badData(what, "allTickers has no ticker array");
      }
      Instant now = http.now();
      Instant time = millis(data, "time", now);
      List<TickerSnapshot> out = new ArrayList<>(list.size());
      for (JsonNode t : list) {
        Instrument i = table.instrument(t.path("symbol").asText(""));
        if (i != null) {
          out.add(ticker(what, i, t, time, now));
        }
      }
      return List.copyOf(out);
    }));
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant time,
      Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "buy"),
        number(what, t, "sell"), number(what, t, "last"), optional(t, "vol"),
        optional(t, "volValue"), optional(t, "changeRate"), time, now);
  }

  /** GET, then check KuCoin's envelope and return its {@code data}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return KucoinEnvelope.get(http, venue(), what, pathAndQuery);
  }

  /** KuCoin's symbol of a spot instrument, as discovery learnt it: {@code BTC-USDT}. */
  String venueSymbol(Instrument instrument) {
    return table.symbol(instrument, instrument.base() + '-' + instrument.quote());
  }

  /**
   * A ticker from KuCoin's 24 h statistics fields ({@code buy}, {@code sell}, {@code last},
   * {@code vol}, {@code volValue}, {@code changeRate}), as the REST ticker reads them; for the
   * stream, which merges its channels into these fields.
   *
   * @throws IllegalArgumentException if a price is missing or the ticker is invalid
   */
  TickerSnapshot ticker(Instrument instrument, JsonNode stats, Instant time, Instant now) {
    return ticker("ticker " + instrument, instrument, stats, time, now);
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (!instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this KuCoin source serves spot instruments only", null));
    }
    return Mono.just(URLEncoder.encode(venueSymbol(instrument), StandardCharsets.UTF_8));
  }
}
