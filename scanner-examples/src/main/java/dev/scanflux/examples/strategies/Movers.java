package dev.scanflux.examples.strategies;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * 24-hour movers and volume spikes, from tickers.
 *
 * <p>For each scan, the latest ticker per venue and instrument is examined:
 * <ul>
 *   <li><b>Mover</b> (kind {@value #MOVER_KIND}): its 24 h change is at least {@linkplain
 *       Builder#minChange(double) minChange} up or down. Strength: the size of the change, e.g.
 *       0.07 for -7 %. Evidence: the ticker.
 *   <li><b>Volume spike</b> (kind {@value #SPIKE_KIND}): its 24 h quote volume is at least
 *       {@linkplain Builder#volumeFactor(double) volumeFactor} times the <em>reference</em>: the
 *       same venue and instrument's quote volume in the earliest of the previous {@linkplain
 *       Builder#lookbackScans(int) lookbackScans} scans that had one above 0. With the default
 *       60, the reference is the value of 60 scans earlier, or of the first later scan that had
 *       one. Strength: the current volume divided by the reference. Evidence: the reference
 *       ticker, then the current one.
 * </ul>
 * A figure a venue does not report ({@code NaN}) is skipped: it neither signals nor serves as a
 * reference. Scans are counted as the strategy receives them (a replay makes no scan for a window
 * without data).
 *
 * <p>One opportunity is one signal: the venues where an instrument moved the same way (or had a
 * volume spike) are one signal of that instrument, with those venues strongest first, the
 * strongest figure as its strength, and as subject the direction ({@code up} or {@code down})
 * or {@code volume}; so with alerts the same move is one alert whichever venues show it. Of each
 * kind, at most the {@linkplain Builder#top(int) top} strongest signals of a scan are emitted, at
 * the scan's completion time: movers first, then volume spikes, each by strength (strongest
 * first), ties by instrument, then subject. A condition that lasts is signalled again on every
 * scan it holds. Descriptions give the figures for people: {@code SOL/USDT up 7.12 % in 24 h on
 * binance, last 152.31; also okx 6.90 %}.
 *
 * <pre>{@code
 * Strategy<Signal> movers = Movers.builder()
 *     .minChange(0.10)        // at least 10 % up or down in 24 h
 *     .volumeFactor(2)        // or 24 h quote volume doubled
 *     .lookbackScans(30)      // compared with up to 30 scans earlier
 *     .top(5)                 // the 5 strongest of each kind per scan
 *     .build();
 * scanner.scans().transform(movers).subscribe(System.out::println);
 * }</pre>
 *
 * <p>Immutable and thread-safe. The volume history lives in each subscription to the applied
 * strategy, never in this object: every subscription starts with an empty history, and one
 * instance may serve many streams at once. A history holds at most {@code lookbackScans} tickers
 * per venue and instrument, and forgets a pair that has not reported a volume for that long.
 */
public final class Movers implements Strategy<Signal> {

  /** The kind of the signals for 24 h price movers. */
  public static final String MOVER_KIND = "mover-24h";

  /** The kind of the signals for 24 h quote volume spikes. */
  public static final String SPIKE_KIND = "volume-spike";

  private static final Comparator<Signal> STRONGEST_FIRST = Comparator
      .comparingDouble(Signal::strength).reversed()
      .thenComparing((Signal s) -> s.instruments().get(0))
      .thenComparing(Signal::subject);

  private final double minChange;
  private final double volumeFactor;
  private final int lookbackScans;
  private final int top;

  private Movers(Builder b) {
    this.minChange = b.minChange;
    this.volumeFactor = b.volumeFactor;
    this.lookbackScans = b.lookbackScans;
    this.top = b.top;
  }

  /**
   * A builder with a minimum change of 5 %, a volume factor of 1.5, a lookback of 60 scans and
   * the top 10 of each kind.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Each subscription keeps its own volume history; scans arrive one at a time, so it needs no
   * locking.
   */
  @Override
  public Flux<Signal> apply(Flux<Scan> scans) {
    return Flux.defer(() -> {
      VolumeHistory history = new VolumeHistory();
      return scans.concatMapIterable(scan -> signals(scan, history));
    });
  }

  private List<Signal> signals(Scan scan, VolumeHistory history) {
    Map<Key, TickerSnapshot> latest = new TreeMap<>();
    for (TickerSnapshot t : scan.tickers()) {
      latest.put(new Key(t.venue(), t.instrument()), t);
    }
    Map<Opportunity, List<Move>> movers = new TreeMap<>();
    Map<Opportunity, List<Spike>> spikes = new TreeMap<>();
    history.startScan();
    latest.forEach((key, ticker) -> {
      double change = ticker.change24h();
      if (Math.abs(change) >= minChange) {
        movers.computeIfAbsent(new Opportunity(key.instrument, change >= 0 ? "up" : "down"),
            o -> new ArrayList<>()).add(new Move(ticker));
      }
      if (!Double.isNaN(ticker.quoteVolume24h())) {
        @Nullable Seen reference = history.referenceThenAdd(key, ticker);
        if (reference != null) {
          double ratio = ticker.quoteVolume24h() / reference.ticker.quoteVolume24h();
          if (ratio >= volumeFactor) {
            spikes.computeIfAbsent(new Opportunity(key.instrument, "volume"),
                o -> new ArrayList<>()).add(new Spike(ticker, reference.ticker,
                history.scans - reference.scan, ratio));
          }
        }
      }
    });
    List<Signal> moverSignals = new ArrayList<>();
    movers.forEach((o, moves) -> moverSignals.add(mover(scan, o, moves)));
    List<Signal> spikeSignals = new ArrayList<>();
    spikes.forEach((o, list) -> spikeSignals.add(spike(scan, o, list)));
    List<Signal> out = new ArrayList<>(strongest(moverSignals));
    out.addAll(strongest(spikeSignals));
    return out;
  }

  private List<Signal> strongest(List<Signal> signals) {
    return signals.stream().sorted(STRONGEST_FIRST).limit(top).toList();
  }

  private static Signal mover(Scan scan, Opportunity o, List<Move> moves) {
    List<Move> sorted = new ArrayList<>(moves);
    sorted.sort(Comparator.comparingDouble((Move m) -> -Math.abs(m.ticker.change24h()))
        .thenComparing(m -> m.ticker.venue()));
    TickerSnapshot best = sorted.get(0).ticker;
    StringBuilder d = new StringBuilder(String.format(Locale.ROOT, "%s %s %s in 24 h on %s, "
            + "last %s", o.instrument, o.subject, Figures.percent(Math.abs(best.change24h())),
        best.venue(), Figures.price(best.last(),
            Figures.decimals(best.bid(), best.ask(), best.last()))));
    Signal.Builder b = Signal.builder(MOVER_KIND, scan.completedAt()).instruments(o.instrument)
        .subject(o.subject).strength(Math.abs(best.change24h()));
    for (int i = 0; i < sorted.size(); i++) {
      TickerSnapshot t = sorted.get(i).ticker;
      if (i > 0) {
        d.append(i == 1 ? "; also " : ", ").append(t.venue()).append(' ')
            .append(Figures.percent(Math.abs(t.change24h())));
      }
      b.venues(t.venue()).evidence(t);
    }
    return b.description(d.toString()).build();
  }

  private static Signal spike(Scan scan, Opportunity o, List<Spike> list) {
    List<Spike> sorted = new ArrayList<>(list);
    sorted.sort(Comparator.comparingDouble((Spike s) -> -s.ratio)
        .thenComparing(s -> s.ticker.venue()));
    Spike best = sorted.get(0);
    String quote = o.instrument.quote();
    StringBuilder d = new StringBuilder(String.format(Locale.ROOT,
        "%s 24 h quote volume %s on %s, %s × the %s of %d %s earlier", o.instrument,
        Figures.amount(best.ticker.quoteVolume24h(), quote), best.ticker.venue(),
        Figures.significant(best.ratio), Figures.amount(best.reference.quoteVolume24h(), quote),
        best.scansEarlier, best.scansEarlier == 1 ? "scan" : "scans"));
    Signal.Builder b = Signal.builder(SPIKE_KIND, scan.completedAt()).instruments(o.instrument)
        .subject(o.subject).strength(best.ratio);
    for (int i = 0; i < sorted.size(); i++) {
      Spike s = sorted.get(i);
      if (i > 0) {
        d.append(i == 1 ? "; also " : ", ").append(s.ticker.venue()).append(' ')
            .append(Figures.significant(s.ratio)).append(" ×");
      }
      b.venues(s.ticker.venue()).evidence(s.reference, s.ticker);
    }
    return b.description(d.toString()).build();
  }

  /** An instrument and a direction (or {@code volume}), ordered by instrument, then subject. */
  private record Opportunity(Instrument instrument, String subject)
      implements Comparable<Opportunity> {
    @Override
    public int compareTo(Opportunity other) {
      int c = instrument.compareTo(other.instrument);
      return c != 0 ? c : subject.compareTo(other.subject);
    }
  }

  /** One venue's move. */
  private record Move(TickerSnapshot ticker) {}

  /** One venue's volume spike against its reference. */
  private record Spike(TickerSnapshot ticker, TickerSnapshot reference, long scansEarlier,
      double ratio) {}

  /** The thresholds, e.g. for a log line. */
  @Override
  public String toString() {
    return "24 h movers at least " + Figures.percent(minChange) + " up or down, and volume "
        + "spikes at least " + Figures.significant(volumeFactor) + " × the 24 h quote volume of "
        + "up to " + lookbackScans + " scans earlier; the top " + top + " of each per scan";
  }

  /** A venue and instrument, ordered by venue, then instrument. */
  private record Key(String venue, Instrument instrument) implements Comparable<Key> {
    @Override
    public int compareTo(Key other) {
      int c = venue.compareTo(other.venue);
      return c != 0 ? c : instrument.compareTo(other.instrument);
    }
  }

  /** A ticker with a quote volume above 0, and the number of the scan it came in. */
  private record Seen(long scan, TickerSnapshot ticker) {}

  /**
   * One subscription's quote volumes of the last {@code lookbackScans} scans, per venue and
   * instrument. Confined to the subscription: used by one scan at a time.
   */
  private final class VolumeHistory {
    private final Map<Key, ArrayDeque<Seen>> seen = new HashMap<>();
    private long scans;

    /** Counts a new scan and forgets what is now older than the lookback. */
    void startScan() {
      scans++;
      long oldest = scans - lookbackScans;
      seen.values().removeIf(q -> {
        while (!q.isEmpty() && q.peekFirst().scan < oldest) {
          q.pollFirst();
        }
        return q.isEmpty();
      });
    }

    /**
     * The earliest ticker of the lookback, if any; then records this one if its quote volume,
     * which must be reported, is above 0.
     */
    @Nullable Seen referenceThenAdd(Key key, TickerSnapshot ticker) {
      ArrayDeque<Seen> q = seen.get(key);
      Seen first = q == null ? null : q.peekFirst();
      if (ticker.quoteVolume24h() > 0) {
        seen.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(new Seen(scans, ticker));
      }
      return first;
    }
  }

  /** Configures a {@link Movers}; setters check their argument at once. */
  public static final class Builder {
    private double minChange = 0.05;
    private double volumeFactor = 1.5;
    private int lookbackScans = 60;
    private int top = 10;

    private Builder() {}

    /**
     * The smallest 24 h change, up or down, of a mover, as a fraction: 0.05 for 5 %
     * (default 0.05).
     *
     * @throws IllegalArgumentException if the change is not finite and more than 0
     */
    public Builder minChange(double minChange) {
      if (!(minChange > 0 && minChange < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "minChange must be finite and more than 0 but was " + minChange);
      }
      this.minChange = minChange;
      return this;
    }

    /**
     * How many times its reference a 24 h quote volume must be to be a spike (default 1.5).
     *
     * @throws IllegalArgumentException if the factor is not finite and more than 1
     */
    public Builder volumeFactor(double volumeFactor) {
      if (!(volumeFactor > 1 && volumeFactor < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "volumeFactor must be finite and more than 1 but was " + volumeFactor);
      }
      this.volumeFactor = volumeFactor;
      return this;
    }

    /**
     * How many scans back a volume spike's reference may come from (default 60).
     *
     * @throws IllegalArgumentException if the count is less than 1
     */
    public Builder lookbackScans(int lookbackScans) {
      if (lookbackScans < 1) {
        throw new IllegalArgumentException(
            "lookbackScans must be at least 1 but was " + lookbackScans);
      }
      this.lookbackScans = lookbackScans;
      return this;
    }

    /**
     * The most signals of each kind per scan, the strongest ones (default 10).
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

    /** Builds the strategy. */
    public Movers build() {
      return new Movers(this);
    }
  }
}
