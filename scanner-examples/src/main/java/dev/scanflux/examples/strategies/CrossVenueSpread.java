package dev.scanflux.examples.strategies;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.util.ArrayList;
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
 * quotes as evidence. Instruments are visited in their natural order, so the output is
 * deterministic.
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

  /** The kind of every signal this strategy emits. */
  public static final String KIND = "cross-venue-spread";

  private final Map<String, Double> takerFees;
  private final double defaultTakerFee;
  private final double minEdge;

  private CrossVenueSpread(Builder b) {
    this.takerFees = Map.copyOf(b.takerFees);
    this.defaultTakerFee = b.defaultTakerFee;
    this.minEdge = b.minEdge;
  }

  /** A builder with no per-venue fees, a default taker fee of 0.1 % and a minimum edge of 0. */
  public static Builder builder() {
    return new Builder();
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
    List<Signal> out = new ArrayList<>();
    quotes.forEach((instrument, byVenue) -> {
      if (byVenue.size() > 1) {
        Signal signal = best(scan, instrument, byVenue);
        if (signal != null) {
          out.add(signal);
        }
      }
    });
    return out;
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
    return Signal.builder(KIND, scan.completedAt())
        .description(String.format(Locale.ROOT,
            "buy %s on %s at %s, sell on %s at %s: %.4f %% net of taker fees", instrument,
            buyVenue, buy.ask, sellVenue, sell.bid, bestEdge * 100))
        .venues(buyVenue, sellVenue)
        .instruments(instrument)
        .strength(bestEdge)
        .evidence(buy.snapshot, sell.snapshot)
        .build();
  }

  private double fee(String venue) {
    return takerFees.getOrDefault(venue, defaultTakerFee);
  }

  @Override
  public String toString() {
    return "CrossVenueSpread{fees " + new TreeMap<>(takerFees) + ", default fee " + defaultTakerFee
        + ", min edge " + minEdge + '}';
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

    private Builder() {}

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
