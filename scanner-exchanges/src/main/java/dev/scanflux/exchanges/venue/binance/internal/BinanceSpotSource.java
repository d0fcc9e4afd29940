package dev.scanflux.exchanges.venue.binance.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Binance spot, natively over {@code /api/v3}: {@code BTCUSDT} is {@code BTC/USDT}. Discovery
 * ({@code exchangeInfo}) keeps the symbols whose status is {@code TRADING}; books are
 * {@code depth} with the requested limit (at most 5,000, weighed by {@link
 * BinanceVenues#spotDepthWeight}); a ticker is one {@code ticker/24hr} (spot's carries bid and
 * ask), the bulk tickers its all-symbol variant. One call is one wire request, answered or
 * failed by {@link dev.scanflux.exchanges.internal.NativeHttp}: bounded, ended at the timeout,
 * {@code Retry-After} read from the 429/418.
 */
public final class BinanceSpotSource extends NativeSource {

  private static final int MAX_LIMIT = 5000;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public BinanceSpotSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, "/api/v3/exchangeInfo").map(info -> {
      if (!info.path("symbols").isArray()) {
        throw http.badData(what, "exchangeInfo has no symbols array");
      }
      return listing(info.path("symbols"), s -> "TRADING".equals(s.path("status").asText()),
          s -> table.learnSpot(s.path("symbol").asText(""), s.path("baseAsset").asText(""),
              s.path("quoteAsset").asText("")));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> http.get(what, "/api/v3/depth?symbol=" + s + "&limit="
            + Math.min(depth, MAX_LIMIT)))
        .map(json -> {
          Instant now = http.now();
          return book(what, instrument, json.path("bids"), json.path("asks"), depth, now, now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> http.get(what, "/api/v3/ticker/24hr?symbol=" + s))
        .map(t -> ticker(what, instrument, t, http.now())));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, afterDiscovery(table, http.get(what, "/api/v3/ticker/24hr"))
        .map(all -> tickerArray(what, all, table, "symbol",
            (i, t, now) -> ticker(what, i, t, now))));
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "bidPrice"),
        number(what, t, "askPrice"), number(what, t, "lastPrice"), optional(t, "volume"),
        optional(t, "quoteVolume"), optional(t, "priceChangePercent") / 100,
        millis(t, "closeTime", now), now);
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    return spotSymbol(what, instrument, table, instrument.base() + instrument.quote());
  }
}
