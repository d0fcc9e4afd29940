package dev.scanflux.exchanges.venue.gate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Gate.io spot, natively, on API v4 ({@code https://api.gateio.ws/api/v4/spot}): discovery
 * {@code currency_pairs} (entries whose {@code trade_status} is {@code tradable}), books
 * {@code order_book?currency_pair=&limit=} (up to 100 levels), a ticker
 * {@code tickers?currency_pair=} and all tickers {@code tickers}. Errors come as HTTP 4xx with
 * {@code {"label","message"}}; HTTP 429 ({@code TOO_MANY_REQUESTS}) is throttling. Symbols are
 * {@code BTC_USDT}.
 *
 * <p>Native rather than XChange: XChange 5.2.1's Gate adapter fails with a
 * {@code NullPointerException} on a book without {@code current}, which Gate's recorded answers
 * lack. Here {@code current} (milliseconds) is the exchange time when present, the receive time
 * otherwise.
 */
public final class GateSource extends NativeSource {

  /** Gate.io spot: 200 requests per 10 s on each public endpoint. */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(200, Duration.ofSeconds(10));

  private static final String PREFIX = "/api/v4/spot/";
  private static final int MAX_DEPTH = 100;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public GateSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, PREFIX + "currency_pairs").map(pairs -> {
      if (!pairs.isArray()) {
        throw http.badData(what, "currency_pairs is not an array");
      }
      return listing(pairs, p -> "tradable".equals(p.path("trade_status").asText("")),
          p -> table.learnSpot(p.path("id").asText(""), p.path("base").asText(""),
              p.path("quote").asText("")));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> http.get(what, PREFIX + "order_book?currency_pair=" + p + "&limit="
            + Math.min(depth, MAX_DEPTH)))
        .map(json -> {
          Instant now = http.now();
          return book(what, instrument, json.path("bids"), json.path("asks"), depth,
              millis(json, "current", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> http.get(what, PREFIX + "tickers?currency_pair=" + p))
        .map(json -> {
          Instant now = http.now();
          return ticker(what, instrument, onlyTicker(what, json), now, now);
        }));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, http.get(what, PREFIX + "tickers").map(json -> tickerArray(what,
        json, table, "currency_pair", (i, t, now) -> ticker(what, i, t, now, now))));
  }

  /**
   * A ticker from one {@code tickers} entry, as the REST answer and the stream's
   * {@code spot.tickers} channel both write it.
   *
   * @throws dev.scanflux.core.spi.BadDataException if the best bid, best ask or last price is
   *     missing or not a number
   */
  TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant time,
      Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "highest_bid"),
        number(what, t, "lowest_ask"), number(what, t, "last"), optional(t, "base_volume"),
        optional(t, "quote_volume"), optional(t, "change_percentage") / 100, time, now);
  }

  /** Gate's pair of a spot instrument: the one discovery learnt, else {@code BASE_QUOTE}. */
  String symbol(Instrument instrument) {
    return table.symbol(instrument, instrument.base() + '_' + instrument.quote());
  }

  private Mono<String> pair(String what, Instrument instrument) {
    if (!instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this Gate.io source serves spot instruments only", null));
    }
    return Mono.just(URLEncoder.encode(symbol(instrument), StandardCharsets.UTF_8));
  }
}
