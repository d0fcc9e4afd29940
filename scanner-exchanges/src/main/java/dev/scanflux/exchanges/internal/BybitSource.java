package dev.scanflux.exchanges.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Bybit spot, natively over the v5 market API (released XChange versions have no Bybit order
 * books): {@code /v5/market/instruments-info}, {@code /v5/market/orderbook} (up to 200 levels),
 * {@code /v5/market/tickers} (one or all). Answers are {@code {"retCode":0,"result":{...}}};
 * {@code retCode} 10006 ("Too many visits") and HTTP 403 "access too frequent" are throttling.
 * Symbols are {@code BTCUSDT}, mapped through discovery.
 */
public final class BybitSource extends NativeSource {

  /** Bybit's IP limit: 600 requests per 5 s across the market endpoints. */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(600, Duration.ofSeconds(5));

  private static final int MAX_DEPTH = 200;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public BybitSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/v5/market/instruments-info?category=spot")
        .map(result -> listing(result.path("list"),
            s -> "Trading".equals(s.path("status").asText()),
            s -> table.learn(s.path("symbol").asText(""), () -> Instrument.spot(
                s.path("baseCoin").asText(""), s.path("quoteCoin").asText(""))))));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    int limit = Math.min(depth, MAX_DEPTH);
    return classified(what, symbol(what, instrument)
        .flatMap(symbol -> get(what, "/v5/market/orderbook?category=spot&symbol="
            + encode(symbol) + "&limit=" + limit))
        .map(result -> {
          Instant now = http.now();
          return book(what, instrument, result.path("b"), result.path("a"), depth,
              millis(result, "ts", now), now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, symbol(what, instrument)
        .flatMap(symbol -> get(what, "/v5/market/tickers?category=spot&symbol="
            + encode(symbol)))
        .map(result -> {
          JsonNode t = result.path("list").path(0);
          if (t.isMissingNode()) {
            throw http.badData(what, "empty ticker list");
          }
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
    return classified(what, get(what, "/v5/market/tickers?category=spot").map(result -> {
      Instant now = http.now();
      List<TickerSnapshot> out = new ArrayList<>();
      for (JsonNode t : result.path("list")) {
        Instrument i = table.instrument(t.path("symbol").asText(""));
        if (i != null) {
          out.add(ticker(what, i, t, now));
        }
      }
      return List.copyOf(out);
    }));
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    return new TickerSnapshot(venue(), instrument, number(what, t, "bid1Price"),
        number(what, t, "ask1Price"), number(what, t, "lastPrice"), optional(t, "volume24h"),
        optional(t, "turnover24h"), optional(t, "price24hPcnt"), now, now);
  }

  /** GET, then check the envelope and return its {@code result}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return http.get(what, pathAndQuery).map(json -> {
      int code = json.path("retCode").asInt(-1);
      if (code == 0) {
        return json.path("result");
      }
      String msg = json.path("retMsg").asText("");
      if (code == 10006 || code == 10018) {
        throw new ThrottledException(venue(), what + ": retCode " + code + " " + msg, null);
      }
      if (code == -1) {
        throw http.badData(what, "no retCode in the answer");
      }
      throw new PermanentSourceException(venue(), what + ": retCode " + code + " " + msg, null);
    });
  }

  private Mono<String> symbol(String what, Instrument instrument) {
    if (!instrument.isSpot()) {
      return Mono.error(new PermanentSourceException(venue(),
          what + ": this Bybit source serves spot instruments only", null));
    }
    return Mono.just(table.symbol(instrument, instrument.base() + instrument.quote()));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
