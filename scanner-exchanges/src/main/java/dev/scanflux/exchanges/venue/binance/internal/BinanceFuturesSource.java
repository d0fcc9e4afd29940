package dev.scanflux.exchanges.venue.binance.internal;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Binance USD-M perpetual futures, natively over {@code /fapi/v1}, and any venue that speaks
 * the same API (AsterDEX). Native because XChange 5.2.1 replaces any futures base URL with
 * Binance's own and its futures ticker has no bid or ask: here a ticker is
 * {@code ticker/bookTicker} (bid, ask) joined with {@code ticker/24hr} (last, volumes, change),
 * sent together; the bulk tickers join the two all-symbol variants the same way. Book limits are
 * rounded up to the ones Binance accepts (5, 10, 20, 50, 100, 500, 1,000). Instruments are
 * {@code BTC/USDT:perp} for the perpetual {@code BTCUSDT}.
 */
public final class BinanceFuturesSource extends NativeSource {

  /**
   * 2,400 weight per minute; depth 2 (up to 50 levels), 5 (100), 10 (500), 20 (1,000); a ticker
   * 3 (book ticker 2 and 24 h ticker 1); all tickers 45 (5 and 40); exchange info 1.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(2400, Duration.ofMinutes(1))
      .withBookWeight(depth -> depthWeight(limitFor(depth)))
      .withWeight(RequestKind.TICKER, 3)
      .withWeight(RequestKind.TICKERS, 45)
      .withWeight(RequestKind.INSTRUMENTS, 1);

  private static final int[] LIMITS = {5, 10, 20, 50, 100, 500, 1000};

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public BinanceFuturesSource(SourceSettings settings) {
    super(settings);
  }

  /** The smallest limit Binance accepts that covers {@code depth}; at most 1,000. */
  static int limitFor(int depth) {
    for (int l : LIMITS) {
      if (depth <= l) {
        return l;
      }
    }
    return LIMITS[LIMITS.length - 1];
  }

  static int depthWeight(int limit) {
    return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.get(what, "/fapi/v1/exchangeInfo").map(info -> {
      return listing(info.path("symbols"),
          s -> "PERPETUAL".equals(s.path("contractType").asText())
              && "TRADING".equals(s.path("status").asText()),
          s -> table.learn(s.path("symbol").asText(""), () -> Instrument.perpetual(
              s.path("baseAsset").asText(""), s.path("quoteAsset").asText(""))));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(s -> http.get(what, "/fapi/v1/depth?symbol=" + s + "&limit=" + limitFor(depth)))
        .map(json -> {
          Instant now = http.now();
          return book(what, instrument, json.path("bids"), json.path("asks"), depth,
              millis(json, "E", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument).flatMap(s -> Mono.zip(
            http.get(what, "/fapi/v1/ticker/bookTicker?symbol=" + s),
            http.get(what, "/fapi/v1/ticker/24hr?symbol=" + s)))
        .map(pair -> ticker(what, instrument, pair.getT1(), pair.getT2(), http.now())));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, Mono.zip(http.get(what, "/fapi/v1/ticker/bookTicker"),
            http.get(what, "/fapi/v1/ticker/24hr"))
        .map(pair -> {
          Map<String, JsonNode> stats = new HashMap<>();
          for (JsonNode t : pair.getT2()) {
            stats.put(t.path("symbol").asText(""), t);
          }
          Instant now = http.now();
          List<TickerSnapshot> out = new ArrayList<>();
          for (JsonNode book : pair.getT1()) {
            String symbol = book.path("symbol").asText("");
            Instrument i = table.instrument(symbol);
            JsonNode day = stats.get(symbol);
            if (i != null && day != null) {
              out.add(ticker(what, i, book, day, now));
            }
          }
          return List.copyOf(out);
        }));
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode book, JsonNode day,
      Instant now) {
    double change = optional(day, "priceChangePercent");
    return new TickerSnapshot(venue(), instrument, number(what, book, "bidPrice"),
        number(what, book, "askPrice"), number(what, day, "lastPrice"), optional(day, "volume"),
        optional(day, "quoteVolume"), change / 100, millis(book, "time", now), now);
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this source serves perpetual futures only", null));
    }
    return Mono.just(URLEncoder.encode(
        table.symbol(instrument, instrument.base() + instrument.quote()), StandardCharsets.UTF_8));
  }
}
