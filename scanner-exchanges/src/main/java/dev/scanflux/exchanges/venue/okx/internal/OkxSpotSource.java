package dev.scanflux.exchanges.venue.okx.internal;

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
 * OKX spot, natively over {@code /api/v5}: {@code BTC-USDT} is {@code BTC/USDT}. Discovery
 * ({@code public/instruments?instType=SPOT}, one request) keeps the live pairs; books
 * ({@code market/books}, up to 400 levels) carry OKX's {@code ts}; tickers read
 * {@code vol24h} (base units) and {@code volCcy24h} (quote units), the change from
 * {@code open24h}. The envelope is checked by {@link OkxEnvelope}; an HTTP 429 (code 50011)
 * is throttled with the {@code Retry-After} OKX sent, which XChange's client used to drop.
 */
public final class OkxSpotSource extends NativeSource {

  private static final int MAX_DEPTH = 400;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public OkxSpotSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/api/v5/public/instruments?instType=SPOT")
        .map(data -> listing(data, s -> "live".equals(s.path("state").asText()),
            s -> table.learnSpot(s.path("instId").asText(""), s.path("baseCcy").asText(""),
                s.path("quoteCcy").asText("")))));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, instId(what, instrument)
        .flatMap(id -> get(what, "/api/v5/market/books?instId=" + id + "&sz="
            + Math.min(depth, MAX_DEPTH)))
        .map(data -> {
          JsonNode b = data.path(0);
          Instant now = http.now();
          return book(what, instrument, b.path("bids"), b.path("asks"), depth,
              millis(b, "ts", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, instId(what, instrument)
        .flatMap(id -> get(what, "/api/v5/market/ticker?instId=" + id))
        .map(data -> ticker(what, instrument, onlyTicker(what, data), http.now())));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, afterDiscovery(table,
            get(what, "/api/v5/market/tickers?instType=SPOT"))
        .map(data -> tickerArray(what, data, table, "instId",
            (i, t, now) -> ticker(what, i, t, now))));
  }

  /** OKX's id of a spot pair, as discovery listed it, else {@code BASE-QUOTE}. */
  public String symbol(Instrument instrument) {
    return table.symbol(instrument, fallbackId(instrument));
  }

  private static String fallbackId(Instrument instrument) {
    return instrument.base() + '-' + instrument.quote();
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    double last = number(what, t, "last");
    double open = optional(t, "open24h");
    return new TickerSnapshot(venue(), instrument, number(what, t, "bidPx"),
        number(what, t, "askPx"), last, optional(t, "vol24h"), optional(t, "volCcy24h"),
        open > 0 ? (last - open) / open : Double.NaN, millis(t, "ts", now), now);
  }

  private Mono<String> instId(String what, Instrument instrument) {
    return spotSymbol(what, instrument, table, fallbackId(instrument));
  }

  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return OkxEnvelope.data(http, venue(), what, pathAndQuery);
  }
}
