package dev.scanflux.core.model;

import dev.scanflux.core.model.InvalidSnapshotException.Defect;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * An order book: bid levels best (highest) first and ask levels best (lowest) first.
 *
 * <p>Levels are held in two primitive arrays, one per side, prices and sizes interleaved, so a
 * 20-level book is three objects. Build one with {@link #builder(String, Instrument)} (no copy)
 * or {@link #of} (copies its arrays). Construction rejects, with an {@link
 * InvalidSnapshotException} naming venue and instrument: a price that is not finite and
 * positive, a size that is negative or not finite, bids not strictly descending, asks not
 * strictly ascending, and a crossed or locked book (best bid at or above best ask). Either side
 * may be empty.
 *
 * <p>Sizes are always read in base units ({@link #bidSize}), so books of different venues
 * compare directly. Where a venue quotes sizes in contracts (perpetuals on OKX, KuCoin, Gate.io),
 * the source declares the {@link #contractSize()} and the raw contract counts stay available
 * ({@link #bidContracts}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BookSnapshot implements MarketSnapshot {

  private final String venue;
  private final Instrument instrument;
  private final double[] bids;
  private final double[] asks;
  private final double contractSize;
  private final Instant exchangeTime;
  private final Instant receivedAt;

  private BookSnapshot(String venue, Instrument instrument, double[] bids, double[] asks,
      double contractSize, Instant exchangeTime, Instant receivedAt) {
    this.venue = Snapshots.venue(venue);
    this.contractSize = contractSize;
    this.instrument = Objects.requireNonNull(instrument, "instrument");
    this.exchangeTime = Objects.requireNonNull(exchangeTime, "exchangeTime");
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    this.bids = bids;
    this.asks = asks;
    checkSide(bids, true);
    checkSide(asks, false);
    if (bids.length > 0 && asks.length > 0 && bids[0] >= asks[0]) {
      throw invalid(Defect.CROSSED_BOOK, "best bid " + bids[0] + " >= best ask " + asks[0]);
    }
  }

  /** A copy of a valid book with other times, sharing its levels: nothing to validate again. */
  private BookSnapshot(BookSnapshot b, Instant exchangeTime, Instant receivedAt) {
    this.venue = b.venue;
    this.instrument = b.instrument;
    this.bids = b.bids;
    this.asks = b.asks;
    this.contractSize = b.contractSize;
    this.exchangeTime = exchangeTime;
    this.receivedAt = receivedAt;
  }

  /**
   * A book from per-side price and size arrays, which are copied.
   *
   * @throws InvalidSnapshotException if the data is invalid (see the class description), or
   *     if a side's price and size arrays differ in length
   */
  public static BookSnapshot of(String venue, Instrument instrument, double[] bidPrices,
      double[] bidSizes, double[] askPrices, double[] askSizes, Instant exchangeTime,
      Instant receivedAt) {
    Builder b = new Builder(venue, instrument, Math.max(bidPrices.length, askPrices.length));
    b.exchangeTime(exchangeTime).receivedAt(receivedAt);
    if (bidPrices.length != bidSizes.length || askPrices.length != askSizes.length) {
      throw b.malformed("price and size arrays differ in length: bids " + bidPrices.length
          + "/" + bidSizes.length + ", asks " + askPrices.length + "/" + askSizes.length);
    }
    for (int i = 0; i < bidPrices.length; i++) {
      b.bid(bidPrices[i], bidSizes[i]);
    }
    for (int i = 0; i < askPrices.length; i++) {
      b.ask(askPrices[i], askSizes[i]);
    }
    return b.build();
  }

  /**
   * A builder that collects levels without copying; the usual way for sources to make books.
   *
   * @param venue      the venue's name
   * @param instrument the instrument
   * @return a new builder; not thread-safe
   */
  public static Builder builder(String venue, Instrument instrument) {
    return new Builder(venue, instrument, 20);
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public Instrument instrument() {
    return instrument;
  }

  @Override
  public Instant exchangeTime() {
    return exchangeTime;
  }

  @Override
  public Instant receivedAt() {
    return receivedAt;
  }

  @Override
  public BookSnapshot withReceivedAt(Instant receivedAt) {
    Instant exchange = exchangeTime.equals(this.receivedAt) ? receivedAt : exchangeTime;
    return new BookSnapshot(this, exchange, Objects.requireNonNull(receivedAt, "receivedAt"));
  }

  /** Number of bid levels. */
  public int bidLevels() {
    return bids.length >> 1;
  }

  /** Number of ask levels. */
  public int askLevels() {
    return asks.length >> 1;
  }

  /**
   * Base units per contract: 1 for books quoted in base units (every spot book), otherwise the
   * venue's contract multiplier, e.g. 0.01 BTC for an OKX BTC-USDT-SWAP contract.
   */
  public double contractSize() {
    return contractSize;
  }

  /** Size of bid level {@code i} as the venue quoted it: contracts, or base units for spot. */
  public double bidContracts(int i) {
    return bids[(checkLevel(i, bids) << 1) + 1];
  }

  /** Size of ask level {@code i} as the venue quoted it: contracts, or base units for spot. */
  public double askContracts(int i) {
    return asks[(checkLevel(i, asks) << 1) + 1];
  }

  /** Price of bid level {@code i}, 0 being the best. */
  public double bidPrice(int i) {
    return bids[checkLevel(i, bids) << 1];
  }

  /** Size of bid level {@code i} in base units, 0 being the best. */
  public double bidSize(int i) {
    return bidContracts(i) * contractSize;
  }

  /** Price of ask level {@code i}, 0 being the best. */
  public double askPrice(int i) {
    return asks[checkLevel(i, asks) << 1];
  }

  /** Size of ask level {@code i} in base units, 0 being the best. */
  public double askSize(int i) {
    return askContracts(i) * contractSize;
  }

  /** The highest bid, or NaN when there are no bids. */
  public double bestBid() {
    return bids.length > 0 ? bids[0] : Double.NaN;
  }

  /** The lowest ask, or NaN when there are no asks. */
  public double bestAsk() {
    return asks.length > 0 ? asks[0] : Double.NaN;
  }

  /** True when both sides have at least one level, so mid and spread are defined. */
  public boolean isTwoSided() {
    return bids.length > 0 && asks.length > 0;
  }

  /** The mid price, or NaN unless {@link #isTwoSided()}. */
  public double mid() {
    return (bestBid() + bestAsk()) * 0.5;
  }

  /** Best ask minus best bid (always positive), or NaN unless {@link #isTwoSided()}. */
  public double spread() {
    return bestAsk() - bestBid();
  }

  /**
   * Total bid size priced within {@code fraction} of the mid, e.g. 0.01 for 1 %: the liquidity
   * a market sell could take before moving the price that far.
   *
   * @param fraction a distance from mid, at least 0
   * @return the size in base units; 0 when the book is one-sided
   */
  public double bidSizeWithin(double fraction) {
    return sizeWithin(bids, mid() * (1 - checkFraction(fraction)), true) * contractSize;
  }

  /** Total ask size priced within {@code fraction} of the mid; see {@link #bidSizeWithin}. */
  public double askSizeWithin(double fraction) {
    return sizeWithin(asks, mid() * (1 + checkFraction(fraction)), false) * contractSize;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof BookSnapshot b && venue.equals(b.venue)
        && instrument.equals(b.instrument) && exchangeTime.equals(b.exchangeTime)
        && receivedAt.equals(b.receivedAt) && Double.compare(contractSize, b.contractSize) == 0
        && Arrays.equals(bids, b.bids)
        && Arrays.equals(asks, b.asks));
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(venue, instrument, exchangeTime, receivedAt, contractSize);
    return 31 * (31 * h + Arrays.hashCode(bids)) + Arrays.hashCode(asks);
  }

  @Override
  public String toString() {
    return "BookSnapshot{" + venue + ' ' + instrument + " bid " + bestBid() + " ask "
        + bestAsk() + " levels " + bidLevels() + '/' + askLevels()
        + (contractSize == 1 ? "" : " contract " + contractSize) + " at " + exchangeTime
        + " received " + receivedAt + '}';
  }

  private static double sizeWithin(double[] side, double limit, boolean bid) {
    double total = 0;
    if (Double.isNaN(limit)) {
      return total;
    }
    for (int i = 0; i < side.length; i += 2) {
      if (bid ? side[i] < limit : side[i] > limit) {
        break;
      }
      total += side[i + 1];
    }
    return total;
  }

  private static double checkFraction(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1) but was " + fraction);
    }
    return fraction;
  }

  private static int checkLevel(int i, double[] side) {
    return Objects.checkIndex(i, side.length >> 1);
  }

  private void checkSide(double[] side, boolean bid) {
    String name = bid ? "bid" : "ask";
    for (int i = 0; i < side.length; i += 2) {
      double price = side[i];
      double size = side[i + 1];
      if (!(price > 0) || price == Double.POSITIVE_INFINITY) {
        throw invalid(Defect.INVALID_PRICE, name + " level " + (i >> 1) + " price " + price);
      }
      if (!(size >= 0) || size == Double.POSITIVE_INFINITY) {
        throw invalid(Defect.INVALID_SIZE, name + " level " + (i >> 1) + " size " + size);
      }
      if (i > 0 && (bid ? price >= side[i - 2] : price <= side[i - 2])) {
        throw invalid(Defect.UNSORTED_LEVELS, name + " level " + (i >> 1) + " price " + price
            + (bid ? " is not below " : " is not above ") + side[i - 2]);
      }
    }
  }

  private InvalidSnapshotException invalid(Defect defect, String detail) {
    return new InvalidSnapshotException(venue, instrument.toString(), defect, detail);
  }

  /**
   * Collects levels for a {@link BookSnapshot}; add bids best first and asks best first. Not
   * thread-safe; {@link #build()} validates and may be called once.
   */
  public static final class Builder {
    private final String venue;
    private final Instrument instrument;
    private double[] bids;
    private double[] asks;
    private int bidCount;
    private int askCount;
    private Instant exchangeTime = Instant.EPOCH;
    private Instant receivedAt = Instant.EPOCH;
    private double contractSize = 1;
    private boolean exchangeTimeSet;
    private boolean built;

    private Builder(String venue, Instrument instrument, int expectedDepth) {
      this.venue = Snapshots.venue(venue);
      this.instrument = Objects.requireNonNull(instrument, "instrument");
      int capacity = Math.max(1, expectedDepth) * 2;
      this.bids = new double[capacity];
      this.asks = new double[capacity];
    }

    /** Adds the next bid level (the next lower price); size in contracts if declared. */
    public Builder bid(double price, double size) {
      checkNotBuilt();
      if (bidCount + 2 > bids.length) {
        bids = Arrays.copyOf(bids, bids.length * 2);
      }
      bids[bidCount++] = price;
      bids[bidCount++] = size;
      return this;
    }

    /** Adds the next ask level (the next higher price); size in contracts if declared. */
    public Builder ask(double price, double size) {
      checkNotBuilt();
      if (askCount + 2 > asks.length) {
        asks = Arrays.copyOf(asks, asks.length * 2);
      }
      asks[askCount++] = price;
      asks[askCount++] = size;
      return this;
    }

    /**
     * Declares that the sizes given to {@link #bid} and {@link #ask} are contracts of {@code
     * size} base units each (default 1: sizes in base units).
     *
     * @throws IllegalArgumentException if the size is not finite and positive
     */
    public Builder contractSize(double size) {
      if (!(size > 0) || size == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("contractSize must be finite and above 0 but was "
            + size);
      }
      this.contractSize = size;
      return this;
    }

    /** When the venue produced the book; defaults to the receive time. */
    public Builder exchangeTime(Instant exchangeTime) {
      this.exchangeTime = Objects.requireNonNull(exchangeTime, "exchangeTime");
      this.exchangeTimeSet = true;
      return this;
    }

    /** When the book was received, on the scanner's clock; defaults to the epoch. */
    public Builder receivedAt(Instant receivedAt) {
      this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
      return this;
    }

    /**
     * Validates and builds the book.
     *
     * @throws InvalidSnapshotException if the levels are invalid
     */
    public BookSnapshot build() {
      checkNotBuilt();
      built = true;
      double[] b = bidCount == bids.length ? bids : Arrays.copyOf(bids, bidCount);
      double[] a = askCount == asks.length ? asks : Arrays.copyOf(asks, askCount);
      return new BookSnapshot(venue, instrument, b, a, contractSize,
          exchangeTimeSet ? exchangeTime : receivedAt, receivedAt);
    }

    private void checkNotBuilt() {
      if (built) {
        throw new IllegalStateException("build() was already called: the levels belong to the book");
      }
    }

    InvalidSnapshotException malformed(String detail) {
      return new InvalidSnapshotException(venue, instrument.toString(), Defect.MALFORMED, detail);
    }
  }
}
