package dev.scanflux.exchanges.venue.hyperliquid.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.internal.Levels;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.SymbolTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Hyperliquid perpetuals, natively: everything is a {@code POST /info}. Discovery is
 * {@code meta}; a book is {@code l2Book} (at most 20 levels per side); a ticker is the top of
 * {@code l2Book} (Hyperliquid has no per-coin ticker: last is the mid, no 24 h figures); bulk
 * tickers are {@code metaAndAssetCtxs}, whose bid and ask are the impact prices, last the mark
 * price. Instruments are {@code COIN/USDC:perp}.
 */
public final class HyperliquidSource extends NativeSource {

  /**
   * 1,200 weight per minute; {@code l2Book} weighs 2, {@code meta} and
   * {@code metaAndAssetCtxs} 20.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(1200, Duration.ofMinutes(1))
      .withWeight(RequestKind.BOOK, 2)
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 20)
      .withWeight(RequestKind.INSTRUMENTS, 20);

  private static final String QUOTE = "USDC";

  private final SymbolTable coins = new SymbolTable();

  /** @param settings the user's settings */
  public HyperliquidSource(SourceSettings settings) {
    super(settings);
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    String what = "instruments";
    return classified(what, http.post(what, "/info", "{\"type\":\"meta\"}").map(meta -> {
      JsonNode universe = meta.path("universe");
      if (!universe.isArray()) {
        throw http.badData(what, "meta has no universe");
      }
      return listing(universe, asset -> !asset.path("isDelisted").asBoolean(false),
          asset -> instrument(asset.path("name").asText("")));
    }));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return badDepth(depth);
    }
    String what = "book " + instrument;
    return classified(what, l2Book(what, instrument)
        .map(json -> book(venue(), instrument, json, depth, http.now())));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    String what = "ticker " + instrument;
    return classified(what, l2Book(what, instrument).map(json -> {
      Instant now = http.now();
      JsonNode bid = json.path("levels").path(0).path(0);
      JsonNode ask = json.path("levels").path(1).path(0);
      if (bid.isMissingNode() || ask.isMissingNode()) {
        throw http.badData(what, "the book has an empty side");
      }
      double b = number(what, bid, "px");
      double a = number(what, ask, "px");
      return new TickerSnapshot(venue(), instrument, b, a, (a + b) / 2, Double.NaN, Double.NaN,
          Double.NaN, time(json, now), now);
    }));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    String what = "tickers";
    return classified(what, http.post(what, "/info", "{\"type\":\"metaAndAssetCtxs\"}")
        .map(json -> {
      JsonNode universe = json.path(0).path("universe");
      JsonNode contexts = json.path(1);
      if (!universe.isArray() || !contexts.isArray() || universe.size() != contexts.size()) {
        throw http.badData(what, "metaAndAssetCtxs is not [meta, contexts] of equal length");
      }
      Instant now = http.now();
      List<TickerSnapshot> out = new ArrayList<>(universe.size());
      for (int k = 0; k < universe.size(); k++) {
        Instrument i = instrument(universe.get(k).path("name").asText(""));
        JsonNode ctx = contexts.get(k);
        if (i != null && hasImpactPrices(ctx)) {
          out.add(ticker(venue(), i, ctx, now));
        }
      }
      return List.copyOf(out);
    }));
  }

  /**
   * A book from an {@code l2Book}, as the info endpoint answers it and the {@code l2Book}
   * channel pushes it: {@code {"coin", "time", "levels": [bids, asks]}}, each level
   * {@code {"px", "sz", "n"}}, in any order (put best first, see {@link Levels}).
   *
   * @param depth levels per side wanted, at most those sent
   * @param now   the receive time, and the exchange time if the book has none
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the book is crossed, unsorted or
   *     holds a missing or invalid price or size
   */
  static BookSnapshot book(String venue, Instrument instrument, JsonNode l2Book, int depth,
      Instant now) {
    BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument).receivedAt(now)
        .exchangeTime(time(l2Book, now));
    JsonNode levels = l2Book.path("levels");
    Levels bids = Levels.bids();
    for (JsonNode level : levels.path(0)) {
      bids.add(optional(level, "px"), optional(level, "sz"));
    }
    Levels asks = Levels.asks();
    for (JsonNode level : levels.path(1)) {
      asks.add(optional(level, "px"), optional(level, "sz"));
    }
    bids.into(b, depth);
    asks.into(b, depth);
    return b.build();
  }

  /**
   * A ticker from one asset context, as {@code metaAndAssetCtxs} lists them and the
   * {@code activeAssetCtx} channel pushes them: bid and ask are the impact prices, last the mark
   * price, the 24 h change the mark against {@code prevDayPx}, volumes {@code dayBaseVlm} and
   * {@code dayNtlVlm} (NaN where absent).
   *
   * @param ctx a context with impact prices, see {@link #hasImpactPrices}
   * @param now the exchange and receive time: contexts carry no time
   * @throws dev.scanflux.core.model.InvalidSnapshotException if a price is missing or invalid
   */
  static TickerSnapshot ticker(String venue, Instrument instrument, JsonNode ctx, Instant now) {
    JsonNode impact = ctx.path("impactPxs");
    double mark = optional(ctx, "markPx");
    double prev = optional(ctx, "prevDayPx");
    return new TickerSnapshot(venue, instrument, optionalValue(impact.path(0)),
        optionalValue(impact.path(1)), mark, optional(ctx, "dayBaseVlm"),
        optional(ctx, "dayNtlVlm"), prev > 0 ? mark / prev - 1 : Double.NaN, now, now);
  }

  /** True if the context has its two impact prices, which a ticker's bid and ask need. */
  static boolean hasImpactPrices(JsonNode ctx) {
    JsonNode impact = ctx.path("impactPxs");
    return impact.isArray() && impact.size() >= 2;
  }

  /**
   * The coin of an instrument, e.g. {@code BTC} for {@code BTC/USDC:perp}, or null for an
   * instrument Hyperliquid does not list: it lists perpetuals quoted in USDC only.
   */
  static @Nullable String coin(Instrument instrument) {
    return instrument.isSpot() || !instrument.quote().equals(QUOTE) ? null : instrument.base();
  }

  private Mono<JsonNode> l2Book(String what, Instrument instrument) {
    if (coin(instrument) == null) {
      return Mono.error(new dev.scanflux.core.spi.PermanentSourceException(venue(),
          what + ": Hyperliquid lists perpetuals quoted in USDC only", null));
    }
    String coin = coins.symbol(instrument, instrument.base());
    return http.post(what, "/info", "{\"type\":\"l2Book\",\"coin\":\"" + coin + "\"}")
        .map(json -> {
          if (json.isNull() || !json.path("levels").isArray()) {
            throw http.badData(what, "no such coin or no levels: " + abbreviate(json));
          }
          return json;
        });
  }

  /** Coins such as {@code @107} name spot pairs, not perpetuals: no instrument of ours. */
  private @Nullable Instrument instrument(String coin) {
    return coins.learn(coin, () -> Instrument.perpetual(coin, QUOTE));
  }

  private static Instant time(JsonNode json, Instant fallback) {
    JsonNode t = json.path("time");
    return t.canConvertToLong() ? Instant.ofEpochMilli(t.asLong()) : fallback;
  }

  private static String abbreviate(JsonNode json) {
    String s = json.toString();
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
