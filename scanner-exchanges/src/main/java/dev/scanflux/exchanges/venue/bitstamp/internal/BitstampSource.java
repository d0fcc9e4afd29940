package dev.scanflux.exchanges.venue.bitstamp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * Bitstamp spot, natively over {@code /api/v2}: {@code btcusd} is {@code BTC/USD}. Discovery is
 * one {@code trading-pairs-info/} request (pairs whose trading is {@code Enabled}, named from
 * {@code name}, {@code BTC/USD}); a book is {@code order_book/{pair}/}, Bitstamp's whole book
 * cut to the depth asked, timed by its {@code microtimestamp}; a ticker is
 * {@code ticker/{pair}/}, its change from the 24 h {@code open}. No bulk tickers.
 */
public final class BitstampSource extends NativeSource {

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public BitstampSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, "/api/v2/trading-pairs-info/").map(pairs -> {
      if (!pairs.isArray()) {
        throw http.badData(what, "the trading pairs are not an array");
      }
      return listing(pairs, p -> "Enabled".equals(p.path("trading").asText()), p -> {
        String[] name = p.path("name").asText("").split("/", -1);
        return name.length == 2
            ? table.learnSpot(p.path("url_symbol").asText(""), name[0], name[1]) : null;
      });
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> http.get(what, "/api/v2/order_book/" + p + "/"))
        .map(json -> {
          Instant now = http.now();
          JsonNode micros = json.path("microtimestamp");
          Instant time = micros.isTextual() && micros.asText().matches("\\d{1,18}")
              ? Instant.ofEpochMilli(Long.parseLong(micros.asText()) / 1000) : now;
          return book(what, instrument, json.path("bids"), json.path("asks"), depth, time, now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> http.get(what, "/api/v2/ticker/" + p + "/"))
        .map(t -> {
          Instant now = http.now();
          double last = number(what, t, "last");
          double open = optional(t, "open");
          double volume = optional(t, "volume");
          JsonNode seconds = t.path("timestamp");
          Instant time = seconds.isTextual() && seconds.asText().matches("\\d{1,12}")
              ? Instant.ofEpochSecond(Long.parseLong(seconds.asText())) : now;
          return new TickerSnapshot(venue(), instrument, number(what, t, "bid"),
              number(what, t, "ask"), last, volume, volume * optional(t, "vwap"),
              open > 0 ? (last - open) / open : Double.NaN, time, now);
        }));
  }

  private Mono<String> pair(String what, Instrument instrument) {
    return spotSymbol(what, instrument, table,
        (instrument.base() + instrument.quote()).toLowerCase(Locale.ROOT));
  }
}
