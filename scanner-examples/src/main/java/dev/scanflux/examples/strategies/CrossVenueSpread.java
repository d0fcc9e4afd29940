package dev.scanflux.examples.strategies;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Cross-venue arbitrage: an instrument's best bid on one venue above its best ask on another, by
 * more than both venues' taker fees.
 *
 * <p>For each scan, the latest two-sided quote per venue and instrument is taken from its books
 * and tickers (whichever arrived last). For every instrument quoted on two or more venues, the
 * best pair is the one that buys at the ask on one venue and sells at the bid on another with the
 * highest net edge, {@code bid * (1 - sellFee) / (ask * (1 + buyFee)) - 1}. When that edge exceeds
 * the minimum, one {@link Signal} of kind {@value #KIND} is emitted, at the scan's completion
 * time, with venues {@code [buy venue, sell venue]}, the net edge as its strength, and the two
 * quotes as evidence. Its subject is {@code spread}: one opportunity per instrument, so with
 * alerts it stays one alert when the best pair of venues changes. Of a scan's opportunities the
 * {@linkplain Builder#top(int) top} by edge are emitted, best first (ties in the instruments'
 * natural order), then the mismatches in that order, so the output is deterministic.
 *
 * <h2>Mismatches</h2>
 * A gross spread (a venue's bid over another's ask) beyond the {@linkplain
 * Builder#maxSpread(double) sanity bound} is no opportunity: it is nearly always two different
 * assets listed under one name (a known trap), a stale quote, or a mis-scaled price. Such an
 * instrument gives no {@value #KIND} signal but one of kind {@value #MISMATCH_KIND}, with the
 * gross spread as strength and subject {@code mismatch}, for the caller to count and report;
 * {@link #isOpportunity(Signal)} tells the two apart.
 *
 * <pre>{@code
 * Strategy<Signal> arb = CrossVenueSpread.builder()
 *     .takerFee("binance", 0.001)
 *     .takerFee("okx", 0.0008)
 *     .minEdge(0.0005)
 *     .build();
 * scanner.scans().transform(arb).subscribe(System.out::println);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class CrossVenueSpread implements Strategy<Signal> {

  /** The kind of the opportunities this strategy emits. */
  public static final String KIND = "cross-venue-spread";

  /** The kind of the mismatches, spreads beyond the sanity bound, this strategy emits. */
  public static final String MISMATCH_KIND = "cross-venue-mismatch";

  private final Map<String, Double> takerFees;
  private final double defaultTakerFee;
  private final double minEdge;
  private final double maxSpread;
  private final int top;

  private CrossVenueSpread(Builder b) {
    this.top = b.top;
    this.takerFees = Map.copyOf(b.takerFees);
    this.defaultTakerFee = b.defaultTakerFee;
    this.minEdge = b.minEdge;
    this.maxSpread = b.maxSpread;
  }

  /**
   * A builder with no per-venue fees, a default taker fee of 0.1 %, a minimum edge of 0, a
   * sanity bound of 5 % and the top 10 opportunities per scan.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether a signal is an opportunity ({@value #KIND}) rather than a mismatch.
   *
   * @param signal a signal of this strategy
   * @return true for an opportunity
   */
  public static boolean isOpportunity(Signal signal) {
    return KIND.equals(signal.kind());
  }

  @Override
  public Flux<Signal> apply(Flux<Scan> scans) {
    return scans.concatMapIterable(this::signals);
  }

  private List<Signal> signals(Scan scan) {
    Map<Instrument, Map<String, Quote>> quotes = new TreeMap<>();
    for (MarketSnapshot s : scan.snapshots()) {
      Quote q = Quote.of(s);
      if (q != null) {
        quotes.computeIfAbsent(s.instrument(), i -> new TreeMap<>()).put(s.venue(), q);
      }
    }
    List<Signal> opportunities = new ArrayList<>();
    List<Signal> mismatches = new ArrayList<>();
    quotes.forEach((instrument, byVenue) -> {
      if (byVenue.size() > 1) {
        Signal mismatch = mismatch(scan, instrument, byVenue);
        if (mismatch != null) {
          mismatches.add(mismatch);
        } else {
          Signal signal = best(scan, instrument, byVenue);
          if (signal != null) {
            opportunities.add(signal);
          }
        }
      }
    });
    // stable: equal edges keep the instruments' order
    opportunities.sort(Comparator.comparingDouble(Signal::strength).reversed());
    List<Signal> out = new ArrayList<>(opportunities.subList(0,
        Math.min(top, opportunities.size())));
    out.addAll(mismatches);
    return out;
  }

  /** A mismatch signal if the highest bid and the lowest ask are too far apart, else null. */
  private @Nullable Signal mismatch(Scan scan, Instrument instrument,
      Map<String, Quote> byVenue) {
    @Nullable Quote high = null;
    @Nullable Quote low = null;
    for (Quote q : byVenue.values()) {
      if (high == null || q.bid > high.bid) {
        high = q;
      }
      if (low == null || q.ask < low.ask) {
        low = q;
      }
    }
    if (high == null || low == null || high == low) {
      return null;
    }
    double gross = high.bid / low.ask - 1;
    if (!(gross > maxSpread)) {
      return null;
    }
    int decimals = Figures.decimals(high.bid, low.ask);
    return Signal.builder(MISMATCH_KIND, scan.completedAt())
        .description(String.format(Locale.ROOT,
            "%s bid %s on %s is %s above the ask %s on %s, beyond the %s sanity bound: "
                + "probably not the same asset, not an opportunity", instrument,
            Figures.price(high.bid, decimals), high.snapshot.venue(), Figures.percent(gross),
            Figures.price(low.ask, decimals), low.snapshot.venue(), Figures.percent(maxSpread)))
        .venues(low.snapshot.venue(), high.snapshot.venue())
        .instruments(instrument)
        .subject("mismatch")
        .strength(gross)
        .evidence(low.snapshot, high.snapshot)
        .build();
  }

  private @Nullable Signal best(Scan scan, Instrument instrument, Map<String, Quote> byVenue) {
    @Nullable Quote buy = null;
    @Nullable Quote sell = null;
    double bestEdge = minEdge;
    for (Quote b : byVenue.values()) {
      double cost = b.ask * (1 + fee(b.snapshot.venue()));
      for (Quote s : byVenue.values()) {
        if (s != b) {
          double edge = s.bid * (1 - fee(s.snapshot.venue())) / cost - 1;
          if (edge > bestEdge) {
            bestEdge = edge;
            buy = b;
            sell = s;
          }
        }
      }
    }
    if (buy == null || sell == null) {
      return null;
    }
    String buyVenue = buy.snapshot.venue();
    String sellVenue = sell.snapshot.venue();
    int decimals = Figures.decimals(buy.ask, sell.bid);
    return Signal.builder(KIND, scan.completedAt())
        .description(String.format(Locale.ROOT,
            "buy %s on %s at %s, sell on %s at %s: %.3f %% net of taker fees", instrument,
            buyVenue, Figures.price(buy.ask, decimals), sellVenue,
            Figures.price(sell.bid, decimals), bestEdge * 100))
        .venues(buyVenue, sellVenue)
        .instruments(instrument)
        .subject("spread")
        .strength(bestEdge)
        .evidence(buy.snapshot, sell.snapshot)
        .build();
  }

  private double fee(String venue) {
    return takerFees.getOrDefault(venue, defaultTakerFee);
  }

  @Override
  public String toString() {
    return "cross-venue spread: net of taker fees " + new TreeMap<>(takerFees) + " (default "
        + Figures.percent(defaultTakerFee) + ") above " + Figures.percent(minEdge)
        + ", the top " + top + " per scan; gross spreads beyond " + Figures.percent(maxSpread)
        + " are mismatches";
  }

  /** A venue's best bid and ask for one instrument, and the snapshot they came from. */
  private record Quote(double bid, double ask, MarketSnapshot snapshot) {
    static @Nullable Quote of(MarketSnapshot s) {
      if (s instanceof BookSnapshot b) {
        return b.isTwoSided() ? new Quote(b.bestBid(), b.bestAsk(), b) : null;
      }
      TickerSnapshot t = (TickerSnapshot) s;
      return new Quote(t.bid(), t.ask(), t);
    }
  }

  /** Configures a {@link CrossVenueSpread}; setters check their argument at once. */
  public static final class Builder {
    private final Map<String, Double> takerFees = new HashMap<>();
    private double defaultTakerFee = 0.001;
    private double minEdge;
    private double maxSpread = 0.05;
    private int top = 10;

    private Builder() {}

    /**
     * The most opportunities signalled per scan, the best net edges (default 10); mismatches
     * are all signalled.
     *
     * @throws IllegalArgumentException if the count is less than 1
     */
    public Builder top(int top) {
      if (top < 1) {
        throw new IllegalArgumentException("top must be at least 1 but was " + top);
      }
      this.top = top;
      return this;
    }

    /**
     * The sanity bound: a gross spread (best bid over best ask, across venues) beyond it is a
     * mismatch, not an opportunity (default 0.05, 5 %).
     *
     * @throws IllegalArgumentException if the bound is not finite and more than 0
     */
    public Builder maxSpread(double maxSpread) {
      if (!(maxSpread > 0 && maxSpread < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "maxSpread must be finite and more than 0 but was " + maxSpread);
      }
      this.maxSpread = maxSpread;
      return this;
    }

    /**
     * A venue's taker fee as a fraction, e.g. 0.001 for 0.1 %.
     *
     * @throws IllegalArgumentException if the fee is not in [0, 0.1]
     */
    public Builder takerFee(String venue, double fee) {
      takerFees.put(Objects.requireNonNull(venue, "venue"), fee("takerFee", fee));
      return this;
    }

    /**
     * The taker fee of venues without their own (default 0.001).
     *
     * @throws IllegalArgumentException if the fee is not in [0, 0.1]
     */
    public Builder defaultTakerFee(double fee) {
      this.defaultTakerFee = fee("defaultTakerFee", fee);
      return this;
    }

    /**
     * The net edge, as a fraction, that a spread must exceed to be signalled (default 0: any
     * profit after fees).
     *
     * @throws IllegalArgumentException if the edge is not in [0, 1)
     */
    public Builder minEdge(double minEdge) {
      if (!(minEdge >= 0 && minEdge < 1)) {
        throw new IllegalArgumentException("minEdge must be in [0, 1) but was " + minEdge);
      }
      this.minEdge = minEdge;
      return this;
    }

    /** Builds the strategy. */
    public CrossVenueSpread build() {
      return new CrossVenueSpread(this);
    }

    private static double fee(String name, double fee) {
      if (!(fee >= 0 && fee <= 0.1)) {
        throw new IllegalArgumentException(name + " must be in [0, 0.1] but was " + fee);
      }
      return fee;
    }
  }
}
