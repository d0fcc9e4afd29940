package dev.scanflux.examples.strategies;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import reactor.core.publisher.Flux;

/**
 * Order-book walls: a level far larger than the levels around the touch on its side of the book.
 *
 * <p>For each scan, the latest book per venue and instrument is examined, if it is two-sided,
 * each side on its own. The <em>touch region</em> of a side is its levels priced within the
 * {@linkplain Builder#band(double) band} of the mid (bids at or above {@code mid * (1 - band)},
 * asks at or below {@code mid * (1 + band)}); their median size is the side's reference. A side
 * with fewer than {@linkplain Builder#minLevels(int) minLevels} levels in its touch region, or
 * with a median size of 0, has no reference and no walls. Every level of the side, in the touch
 * region or deeper, whose size is at least {@linkplain Builder#multiple(double) multiple} times
 * the median and whose notional ({@code price * size}, in quote units) is at least {@linkplain
 * Builder#minNotional(double) minNotional} is a wall.
 *
 * <p>Each wall is one {@link Signal} of kind {@value #KIND}, at the scan's completion time, with
 * the book's venue and instrument, the size as a multiple of the median as its strength, and the
 * book as evidence. Signals come in a deterministic order: by venue, then instrument, then bids
 * before asks, then from the touch outwards. A wall that stays is signalled again on every scan
 * that holds its book.
 *
 * <pre>{@code
 * Strategy<Signal> walls = OrderBookWalls.builder()
 *     .multiple(8)            // at least 8 times the median size near the touch
 *     .band(0.01)             // the touch region: within 1 % of the mid
 *     .minNotional(250_000)   // and worth at least 250 000 in quote currency
 *     .build();
 * scanner.scans().transform(walls).subscribe(System.out::println);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class OrderBookWalls implements Strategy<Signal> {

  /** The kind of every signal this strategy emits. */
  public static final String KIND = "order-book-wall";

  private final double multiple;
  private final double band;
  private final int minLevels;
  private final double minNotional;

  private OrderBookWalls(Builder b) {
    this.multiple = b.multiple;
    this.band = b.band;
    this.minLevels = b.minLevels;
    this.minNotional = b.minNotional;
  }

  /**
   * A builder with a multiple of 10, a band of 2 %, at least 5 levels for a median and no
   * minimum notional.
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
          walls(scan, book, Side.BID, out);
          walls(scan, book, Side.ASK, out);
        }
      }
    }
    return out;
  }

  private void walls(Scan scan, BookSnapshot book, Side side, List<Signal> out) {
    double mid = book.mid();
    double median = touchMedian(book, side, mid);
    if (!(median > 0)) {
      return;
    }
    for (int i = 0; i < side.levels(book); i++) {
      double price = side.price(book, i);
      double size = side.size(book, i);
      double times = size / median;
      // a finite size over a tiny median may overflow; such a multiple is no usable strength
      if (times >= multiple && times < Double.POSITIVE_INFINITY && price * size >= minNotional) {
        out.add(signal(scan, book, side, price, size, times, median,
            Math.abs(price - mid) / mid));
      }
    }
  }

  /** The median size of the side's levels within the band, or NaN if there are too few. */
  private double touchMedian(BookSnapshot book, Side side, double mid) {
    double[] sizes = new double[side.levels(book)];
    int n = 0;
    while (n < sizes.length && side.inBand(side.price(book, n), mid, band)) {
      sizes[n] = side.size(book, n);
      n++;
    }
    if (n < minLevels) {
      return Double.NaN;
    }
    Arrays.sort(sizes, 0, n);
    return n % 2 == 1 ? sizes[n / 2] : (sizes[n / 2 - 1] + sizes[n / 2]) * 0.5;
  }

  private static Signal signal(Scan scan, BookSnapshot book, Side side, double price, double size,
      double times, double median, double distance) {
    return Signal.builder(KIND, scan.completedAt())
        .description(String.format(Locale.ROOT,
            "%s wall on %s %s at %s: size %s, %.2f times the median %s, %.3f %% from mid",
            side.label, book.venue(), book.instrument(), price, size, times, median,
            distance * 100))
        .venues(book.venue())
        .instruments(book.instrument())
        .strength(times)
        .evidence(book)
        .build();
  }

  @Override
  public String toString() {
    return "OrderBookWalls{multiple " + multiple + ", band " + band + ", min levels " + minLevels
        + ", min notional " + minNotional + '}';
  }

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

    boolean inBand(double price, double mid, double band) {
      return this == BID ? price >= mid * (1 - band) : price <= mid * (1 + band);
    }
  }

  /** Configures an {@link OrderBookWalls}; setters check their argument at once. */
  public static final class Builder {
    private double multiple = 10;
    private double band = 0.02;
    private int minLevels = 5;
    private double minNotional;

    private Builder() {}

    /**
     * How many times the median size of the touch region a level must be to be a wall
     * (default 10).
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
     * The touch region's distance from the mid as a fraction, e.g. 0.02 for 2 % (default 0.02).
     *
     * @throws IllegalArgumentException if the band is not in (0, 1)
     */
    public Builder band(double band) {
      if (!(band > 0 && band < 1)) {
        throw new IllegalArgumentException("band must be in (0, 1) but was " + band);
      }
      this.band = band;
      return this;
    }

    /**
     * The fewest levels a side's touch region must have for its median to count (default 5).
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
     * The smallest notional, {@code price * size} in quote units, of a wall (default 0: any).
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
