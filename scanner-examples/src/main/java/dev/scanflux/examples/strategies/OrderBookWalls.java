package dev.scanflux.examples.strategies;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Order-book walls: runs of adjacent levels far larger than the levels around them, worth a
 * lot in quote currency, near the mid.
 *
 * <p>For each scan, the latest book per venue and instrument is examined, if it is two-sided,
 * each side on its own. The side's <em>region</em> is its levels within {@linkplain
 * Builder#maxDistance(double) maxDistance} of the mid; their median size is the reference (a
 * region of fewer than {@linkplain Builder#minLevels(int) minLevels} levels, or with a median
 * of 0, has none). A level of the region is <em>heavy</em> when its size is at least {@linkplain
 * Builder#multiple(double) multiple} times the median, and adjacent heavy levels are one wall:
 * its notional is the sum of {@code price * size} over its levels, in quote currency. A wall
 * worth at least {@linkplain Builder#minNotional(double) minNotional} is a candidate, and the
 * largest candidate of each side is the side's wall.
 *
 * <p>Each wall is one {@link Signal} of kind {@value #KIND}, at the scan's completion time, with
 * the book's venue and instrument, its notional as strength, the book as evidence, and as
 * subject the venue and side ({@code "binance bid"}), so that the wall on the next scan is the
 * same alert even when its price moves a tick. The description gives the figures for people:
 * {@code bid wall on binance BTC/USDT at 64,120.5: 1.2 M USDT (18.7 BTC) over 3 levels, 8.4 ×
 * the median level, 0.35 % from mid} (the price of its largest level). Of a scan's walls, the
 * {@linkplain Builder#top(int) top} by notional are signalled, largest first (ties by venue,
 * instrument, bid before ask). How long a wall must stand before anyone is told is the alert
 * layer's minimum lifetime ({@code AlertConfig.minLifetime}, the app's {@code --min-lifetime}):
 * this strategy looks at one scan at a time.
 *
 * <pre>{@code
 * Strategy<Signal> walls = OrderBookWalls.builder()
 *     .multiple(5)              // levels at least 5 times the median level
 *     .maxDistance(0.02)        // within 2 % of the mid
 *     .minNotional(250_000)     // and worth at least 250,000 in quote currency, all levels
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class OrderBookWalls implements Strategy<Signal> {

  /** The kind of every signal this strategy emits. */
  public static final String KIND = "order-book-wall";

  private final double multiple;
  private final double maxDistance;
  private final int minLevels;
  private final double minNotional;
  private final int top;

  private OrderBookWalls(Builder b) {
    this.top = b.top;
    this.multiple = b.multiple;
    this.maxDistance = b.maxDistance;
    this.minLevels = b.minLevels;
    this.minNotional = b.minNotional;
  }

  /**
   * A builder with a multiple of 5, a maximum distance of 2 %, at least 5 levels for a median,
   * a minimum notional of 100,000 (quote currency) and the top 10 walls per scan.
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Flux<Signal> apply(Flux<Scan> scans) {
    return scans.concatMapIterable(this::signals);
  }

  private List<Signal> signals(Scan scan) {
    Map<String, Map<Instrument, BookSnapshot>> latest = new TreeMap<>();
    for (BookSnapshot book : scan.books()) {
      latest.computeIfAbsent(book.venue(), v -> new TreeMap<>()).put(book.instrument(), book);
    }
    List<Signal> out = new ArrayList<>();
    for (Map<Instrument, BookSnapshot> byInstrument : latest.values()) {
      for (BookSnapshot book : byInstrument.values()) {
        if (book.isTwoSided()) {
          wall(scan, book, Side.BID, out);
          wall(scan, book, Side.ASK, out);
        }
      }
    }
    // stable: equal notionals keep the venue, instrument, side order
    out.sort(Comparator.comparingDouble(Signal::strength).reversed());
    return out.size() > top ? List.copyOf(out.subList(0, top)) : out;
  }

  /** Adds the side's largest wall, if it has one. */
  private void wall(Scan scan, BookSnapshot book, Side side, List<Signal> out) {
    double mid = book.mid();
    int region = 0;
    while (region < side.levels(book)
        && Math.abs(side.price(book, region) - mid) <= mid * maxDistance) {
      region++;
    }
    if (region < minLevels) {
      return;
    }
    double median = median(book, side, region);
    if (!(median > 0)) {
      return;
    }
    @Nullable Wall best = null;
    int i = 0;
    while (i < region) {
      if (!(side.size(book, i) >= multiple * median)) {
        i++;
        continue;
      }
      int first = i;
      double notional = 0;
      double size = 0;
      int largest = i;
      for (; i < region && side.size(book, i) >= multiple * median; i++) {
        notional += side.price(book, i) * side.size(book, i);
        size += side.size(book, i);
        if (side.size(book, i) > side.size(book, largest)) {
          largest = i;
        }
      }
      if (notional >= minNotional && notional < Double.POSITIVE_INFINITY
          && (best == null || notional > best.notional)) {
        best = new Wall(first, i - first, largest, notional, size,
            side.size(book, largest) / median, Math.abs(side.price(book, first) - mid) / mid);
      }
    }
    if (best != null) {
      out.add(signal(scan, book, side, best));
    }
  }

  private static double median(BookSnapshot book, Side side, int n) {
    double[] sizes = new double[n];
    for (int i = 0; i < n; i++) {
      sizes[i] = side.size(book, i);
    }
    Arrays.sort(sizes);
    return n % 2 == 1 ? sizes[n / 2] : (sizes[n / 2 - 1] + sizes[n / 2]) * 0.5;
  }

  private static Signal signal(Scan scan, BookSnapshot book, Side side, Wall w) {
    String at = Figures.price(side.price(book, w.largest), Figures.decimals(book));
    Instrument i = book.instrument();
    return Signal.builder(KIND, scan.completedAt())
        .description(String.format(Locale.ROOT,
            "%s wall on %s %s at %s: %s (%s) over %d %s, %s × the median level, %s from mid",
            side.label, book.venue(), i, at, Figures.amount(w.notional, i.quote()),
            Figures.amount(w.size, i.base()), w.levels, w.levels == 1 ? "level" : "levels",
            Figures.significant(w.times), Figures.percent(w.distance)))
        .venues(book.venue())
        .instruments(i)
        .subject(book.venue() + " " + side.label)
        .strength(w.notional)
        .evidence(book)
        .build();
  }

  /** The thresholds, e.g. for a log line. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "order-book walls: adjacent levels at least %s × the "
        + "median level within %s of mid (of at least %d levels), worth at least %s in quote "
        + "currency; the top %d per scan", Figures.significant(multiple),
        Figures.percent(maxDistance), minLevels, Figures.significant(minNotional), top);
  }

  /** One wall: its levels from the touch outwards, and its figures. */
  private record Wall(int first, int levels, int largest, double notional, double size,
      double times, double distance) {}

  /** One side of a book, read best level first. */
  private enum Side {
    BID("bid"),
    ASK("ask");

    final String label;

    Side(String label) {
      this.label = label;
    }

    int levels(BookSnapshot b) {
      return this == BID ? b.bidLevels() : b.askLevels();
    }

    double price(BookSnapshot b, int i) {
      return this == BID ? b.bidPrice(i) : b.askPrice(i);
    }

    double size(BookSnapshot b, int i) {
      return this == BID ? b.bidSize(i) : b.askSize(i);
    }
  }

  /** Configures an {@link OrderBookWalls}; setters check their argument at once. */
  public static final class Builder {
    private double multiple = 5;
    private double maxDistance = 0.02;
    private int minLevels = 5;
    private double minNotional = 100_000;
    private int top = 10;

    private Builder() {}

    /**
     * The most walls signalled per scan, the largest by notional (default 10).
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
     * How many times the median size of its side's region a level must be to be part of a
     * wall (default 5).
     *
     * @throws IllegalArgumentException if the multiple is not finite and more than 1
     */
    public Builder multiple(double multiple) {
      if (!(multiple > 1 && multiple < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "multiple must be finite and more than 1 but was " + multiple);
      }
      this.multiple = multiple;
      return this;
    }

    /**
     * How far from the mid, as a fraction, levels count: the region whose median is the
     * reference, and where walls are looked for (default 0.02, 2 %).
     *
     * @throws IllegalArgumentException if the distance is not in (0, 1)
     */
    public Builder maxDistance(double maxDistance) {
      if (!(maxDistance > 0 && maxDistance < 1)) {
        throw new IllegalArgumentException("maxDistance must be in (0, 1) but was "
            + maxDistance);
      }
      this.maxDistance = maxDistance;
      return this;
    }

    /**
     * The fewest levels a side's region must have for its median to count (default 5).
     *
     * @throws IllegalArgumentException if the count is less than 1
     */
    public Builder minLevels(int minLevels) {
      if (minLevels < 1) {
        throw new IllegalArgumentException("minLevels must be at least 1 but was " + minLevels);
      }
      this.minLevels = minLevels;
      return this;
    }

    /**
     * The smallest notional of a wall, the sum of {@code price * size} over its levels, in
     * quote currency (default 100,000).
     *
     * @throws IllegalArgumentException if the notional is not finite and at least 0
     */
    public Builder minNotional(double minNotional) {
      if (!(minNotional >= 0 && minNotional < Double.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException(
            "minNotional must be finite and at least 0 but was " + minNotional);
      }
      this.minNotional = minNotional;
      return this;
    }

    /** Builds the strategy. */
    public OrderBookWalls build() {
      return new OrderBookWalls(this);
    }
  }
}
