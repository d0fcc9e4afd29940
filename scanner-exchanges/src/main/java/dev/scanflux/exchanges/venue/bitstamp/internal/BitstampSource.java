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
        .map(json -> book(what, instrument, json, depth, http.now())));
  }

  /**
   * A book from Bitstamp's {@code {"microtimestamp", "bids", "asks"}}, as {@code order_book/}
   * and the WebSocket's {@code order_book_<pair>} channel write it: levels in any order, put
   * best first and cut to {@code depth}, timed by its {@code microtimestamp} (or {@code now}).
   *
   * @throws dev.scanflux.core.spi.BadDataException if a level is unreadable
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the book is invalid (crossed)
   */
  BookSnapshot book(String what, Instrument instrument, JsonNode json, int depth, Instant now) {
    return book(what, instrument, json.path("bids"), json.path("asks"), depth,
        micros(json, now), now);
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, day(what, instrument).map(day -> day.ticker(venue(), instrument,
        day.bid(), day.ask(), day.last(), day.time(), http.now())));
  }

  /** The instrument's {@code ticker/{pair}/}: its top of book, last trade and 24 h figures. */
  Mono<Day> day(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, day(what, instrument));
  }

  private Mono<Day> day(String what, Instrument instrument) {
    return pair(what, instrument)
        .flatMap(p -> http.get(what, "/api/v2/ticker/" + p + "/"))
        .map(t -> {
          JsonNode seconds = t.path("timestamp");
          Instant time = seconds.isTextual() && seconds.asText().matches("\\d{1,12}")
              ? Instant.ofEpochSecond(Long.parseLong(seconds.asText())) : http.now();
          return new Day(number(what, t, "bid"), number(what, t, "ask"), number(what, t, "last"),
              optional(t, "open"), optional(t, "volume"), optional(t, "vwap"), time);
        });
  }

  /**
   * What Bitstamp's REST ticker says, from which REST and streamed tickers are made alike.
   *
   * @param bid    best bid
   * @param ask    best ask
   * @param last   last trade price
   * @param open   the price 24 h ago, or NaN
   * @param volume the 24 h volume in base units, or NaN
   * @param vwap   the 24 h volume-weighted average price, or NaN
   * @param time   the ticker's time
   */
  record Day(double bid, double ask, double last, double open, double volume, double vwap,
      Instant time) {

    /**
     * A ticker with this day's 24 h figures around the given top of book and last price: the
     * quote volume is {@code volume * vwap}, the change is from {@code open} to {@code last}.
     *
     * @throws dev.scanflux.core.model.InvalidSnapshotException if a value is invalid
     */
    TickerSnapshot ticker(String venue, Instrument instrument, double bid, double ask,
        double last, Instant time, Instant now) {
      return new TickerSnapshot(venue, instrument, bid, ask, last, volume, volume * vwap,
          open > 0 ? (last - open) / open : Double.NaN, time, now);
    }
  }

  /** A message's {@code microtimestamp} (text, microseconds), or {@code fallback}. */
  static Instant micros(JsonNode json, Instant fallback) {
    JsonNode micros = json.path("microtimestamp");
    return micros.isTextual() && micros.asText().matches("\\d{1,18}")
        ? Instant.ofEpochMilli(Long.parseLong(micros.asText()) / 1000) : fallback;
  }

  private Mono<String> pair(String what, Instrument instrument) {
    return spotSymbol(what, instrument, table, pair(instrument));
  }

  /** Bitstamp's pair of a spot instrument, e.g. {@code btcusd}: as discovery named it. */
  String pair(Instrument instrument) {
    return table.symbol(instrument,
        (instrument.base() + instrument.quote()).toLowerCase(Locale.ROOT));
  }
}
