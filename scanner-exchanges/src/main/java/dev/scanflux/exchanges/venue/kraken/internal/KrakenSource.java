package dev.scanflux.exchanges.venue.kraken.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.Aliases;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Kraken spot, natively over {@code /0/public}. Discovery is one {@code AssetPairs} request:
 * each pair is known by its key ({@code XXBTZUSD}, {@code SOLUSD}), the key Kraken's answers
 * are keyed by, and named from its {@code wsname} ({@code XBT/USD}, aliases mapped by
 * {@link Aliases}); dark-pool pairs ({@code .d}) are left out. Books are {@code Depth} (up to
 * 500 levels), tickers {@code Ticker} for one pair or, without a pair, all of them; a ticker's
 * change is from today's open {@code o}, its quote volume the 24 h volume times the 24 h
 * volume-weighted price.
 *
 * <p>Kraken answers {@code {"error":[…],"result":{…}}}: {@code EAPI:Rate limit exceeded} and
 * {@code EGeneral:Too many requests} are throttling, {@code EService:…} transient, anything else
 * permanent; HTTP statuses and {@code Retry-After} are read by the client first.
 */
public final class KrakenSource extends NativeSource {

  private static final int MAX_DEPTH = 500;

  private final SymbolTable table = new SymbolTable();

  /** @param settings the user's settings */
  public KrakenSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, get(what, "/0/public/AssetPairs").map(result -> {
      List<Instrument> out = new ArrayList<>();
      for (Map.Entry<String, JsonNode> pair : result.properties()) {
        Instrument i = learn(pair.getKey(), pair.getValue());
        if (i != null && !out.contains(i)) {
          out.add(i);
        }
      }
      return List.copyOf(out);
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> get(what, "/0/public/Depth?pair=" + p + "&count="
            + Math.min(depth, MAX_DEPTH)))
        .map(result -> {
          JsonNode b = only(what, result);
          Instant now = http.now();
          return book(what, instrument, b.path("bids"), b.path("asks"), depth, now, now);
        }));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, pair(what, instrument)
        .flatMap(p -> get(what, "/0/public/Ticker?pair=" + p))
        .map(result -> ticker(what, instrument, only(what, result), http.now())));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, afterDiscovery(table, get(what, "/0/public/Ticker")).map(result -> {
      Instant now = http.now();
      List<TickerSnapshot> out = new ArrayList<>();
      for (Map.Entry<String, JsonNode> t : result.properties()) {
        Instrument i = table.instrument(t.getKey());
        if (i != null) {
          out.add(ticker(what, i, t.getValue(), now));
        }
      }
      return List.copyOf(out);
    }));
  }

  /** Learns one listed pair; null if it is a dark pool or outside Scanflux's codes. */
  private @Nullable Instrument learn(String key, JsonNode pair) {
    String alt = pair.path("altname").asText("");
    if (key.endsWith(".d") || alt.endsWith(".d")) {
      return null;
    }
    String[] ws = pair.path("wsname").asText("").split("/", -1);
    String base = ws.length == 2 ? ws[0] : pair.path("base").asText("");
    String quote = ws.length == 2 ? ws[1] : pair.path("quote").asText("");
    return table.learnSpot(key, base, quote);
  }

  private TickerSnapshot ticker(String what, Instrument instrument, JsonNode t, Instant now) {
    double last = numberValue(what, t.path("c").path(0), "last");
    double open = optionalValue(t.path("o"));
    double volume = optionalValue(t.path("v").path(1));
    return new TickerSnapshot(venue(), instrument, numberValue(what, t.path("b").path(0), "bid"),
        numberValue(what, t.path("a").path(0), "ask"), last, volume,
        volume * optionalValue(t.path("p").path(1)),
        open > 0 ? (last - open) / open : Double.NaN, now, now);
  }

  /** The one entry of a one-pair answer, whatever key Kraken gave it. */
  private JsonNode only(String what, JsonNode result) {
    Iterator<JsonNode> values = result.elements();
    if (!values.hasNext()) {
      throw http.badData(what, "the answer holds no pair");
    }
    JsonNode v = values.next();
    if (!v.isObject()) {
      throw http.badData(what, "the pair's entry is not an object");
    }
    return v;
  }

  /** Kraken's key of a spot pair, as discovery listed it, else built from the asset names. */
  private Mono<String> pair(String what, Instrument instrument) {
    String base = instrument.base();
    String quote = instrument.quote();
    String fallback = Aliases.krakenLegacy(base) && Aliases.krakenLegacy(quote)
        ? Aliases.krakenAsset(base) + Aliases.krakenAsset(quote)
        : Aliases.krakenAltName(base) + Aliases.krakenAltName(quote);
    return spotSymbol(what, instrument, table, fallback);
  }

  /** GET, then check Kraken's envelope and return its {@code result}. */
  private Mono<JsonNode> get(String what, String pathAndQuery) {
    return http.get(what, pathAndQuery).map(json -> {
      JsonNode errors = json.path("error");
      if (errors.isArray() && !errors.isEmpty()) {
        String text = errors.toString();
        if (text.contains("EAPI:Rate limit exceeded")
            || text.contains("EGeneral:Too many requests")) {
          throw new ThrottledException(venue(), what + ": " + text, null);
        }
        if (text.contains("EService:")) {
          throw new TransientSourceException(venue(), what + ": " + text, null);
        }
        throw new PermanentSourceException(venue(), what + ": " + text, null);
      }
      JsonNode result = json.path("result");
      if (!result.isObject()) {
        throw http.badData(what, "no result object in the answer");
      }
      return result;
    });
  }
}
