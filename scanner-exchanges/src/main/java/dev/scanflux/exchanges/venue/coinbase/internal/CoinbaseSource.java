package dev.scanflux.exchanges.venue.coinbase.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Coinbase Exchange spot, natively: {@code BTC-USD} is {@code BTC/USD}. Discovery is one
 * {@code /products} request (products not {@code online} or with trading disabled are left
 * out); a book is {@code /products/{id}/book?level=2} (aggregated, cut to the depth asked); a
 * ticker is {@code /products/{id}/ticker} (bid, ask, last, volume, time) and
 * {@code /products/{id}/stats} (the 24 h open, for the change) sent together, two requests
 * charged as two. Coinbase has no bulk ticker with bid and ask.
 */
public final class CoinbaseSource extends NativeSource {

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public CoinbaseSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, "/products").map(products -> {
      if (!products.isArray()) {
        throw http.badData(what, "the products are not an array");
      }
      return listing(products,
          p -> "online".equals(p.path("status").asText("online"))
              && !p.path("trading_disabled").asBoolean(false),
          p -> table.learnSpot(p.path("id").asText(""), p.path("base_currency").asText(""),
              p.path("quote_currency").asText("")));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, product(what, instrument)
        .flatMap(id -> http.get(what, "/products/" + id + "/book?level=2"))
        .map(json -> {
          Instant now = http.now();
          return book(what, instrument, json.path("bids"), json.path("asks"), depth, now, now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, product(what, instrument)
        .flatMap(id -> Mono.zip(http.get(what, "/products/" + id + "/ticker"),
            http.get(what, "/products/" + id + "/stats")))
        .map(pair -> {
          JsonNode t = pair.getT1();
          Instant now = http.now();
          double last = number(what, t, "price");
          double open = optional(pair.getT2(), "open");
          double volume = optional(t, "volume");
          return new TickerSnapshot(venue(), instrument, number(what, t, "bid"),
              number(what, t, "ask"), last, volume, volume * last,
              open > 0 ? (last - open) / open : Double.NaN, time(t, now), now);
        }));
  }

  private static Instant time(JsonNode t, Instant fallback) {
    try {
      return t.path("time").isTextual() ? Instant.parse(t.path("time").asText()) : fallback;
    } catch (DateTimeParseException unreadable) {
      return fallback;
    }
  }

  private Mono<String> product(String what, Instrument instrument) {
    return spotSymbol(what, instrument, table, instrument.base() + '-' + instrument.quote());
  }
}
