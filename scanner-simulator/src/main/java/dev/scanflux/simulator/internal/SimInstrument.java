package dev.scanflux.simulator.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * One simulated instrument: a random-walk mid price with a realistic book around it.
 *
 * <p>The walk advances one step per quote or book served, from a random generator seeded by the
 * market seed and the instrument's index, so the same sequence of requests yields the same data.
 * Thread-safe: every method that touches the walk is synchronized.
 */
public final class SimInstrument {

  private final int index;
  private final String base;
  private final String quote;
  private final boolean perpetual;
  private final int priceDecimals;
  private final int sizeDecimals;
  private final double tick;
  private final SplittableRandom random;
  private final double open24h;
  private final double listPrice;
  private double mid;
  private double high;
  private double low;
  private double volume;
  private long sequence;

  private final Reference reference;

  public SimInstrument(int index, String base, String quote, boolean perpetual, double price,
      long seed) {
    this(index, base, quote, perpetual, price, seed, new Reference(base, "", () -> 0L));
  }

  /**
   * @param reference the shared price path the instrument follows
   */
  public SimInstrument(int index, String base, String quote, boolean perpetual, double price,
      long seed, Reference reference) {
    this.reference = reference;
    this.index = index;
    this.base = base;
    this.quote = quote;
    this.perpetual = perpetual;
    int magnitude = (int) Math.floor(Math.log10(price));
    this.priceDecimals = Math.max(0, 5 - magnitude);
    this.tick = Math.pow(10, -priceDecimals);
    this.sizeDecimals = Math.max(0, Math.min(8, magnitude + 2));
    this.random = new SplittableRandom(seed * 1_000_003L + index);
    this.mid = price;
    this.listPrice = price;
    this.open24h = price * (1 + 0.05 * (random.nextDouble() - 0.5));
    this.high = Math.max(price, open24h) * (1 + 0.02 * random.nextDouble());
    this.low = Math.min(price, open24h) * (1 - 0.02 * random.nextDouble());
    this.volume = 1_000_000 / price * (1 + 50 * random.nextDouble());
  }

  /** Position in the market's list. */
  public int index() {
    return index;
  }

  /** Base currency code, e.g. {@code BTC}. */
  public String base() {
    return base;
  }

  /** Quote currency code, e.g. {@code USDT}. */
  public String quote() {
    return quote;
  }

  /** True for a perpetual future. */
  public boolean perpetual() {
    return perpetual;
  }

  /** Decimals of the price tick. */
  public int priceDecimals() {
    return priceDecimals;
  }

  /** Decimals of the size step. */
  public int sizeDecimals() {
    return sizeDecimals;
  }

  /** The price tick as text, e.g. {@code 0.01}. */
  public String tickText() {
    return BigDecimal.ONE.movePointLeft(priceDecimals).toPlainString();
  }

  /** The size step as text, e.g. {@code 0.0001}. */
  public String stepText() {
    return BigDecimal.ONE.movePointLeft(sizeDecimals).toPlainString();
  }

  /** A price as the venue writes it, at the tick's decimals. */
  public String px(double price) {
    return BigDecimal.valueOf(price).setScale(priceDecimals, RoundingMode.HALF_UP)
        .toPlainString();
  }

  /** A size as the venue writes it, at the step's decimals (never zero). */
  public String qty(double size) {
    BigDecimal q = BigDecimal.valueOf(size).setScale(sizeDecimals, RoundingMode.HALF_UP);
    return q.signum() == 0 ? stepText() : q.toPlainString();
  }

  /**
   * Advances the walk and returns the book: {@code depth} levels per side, best first.
   *
   * @param crossed when true the best bid is put above the best ask (a fault)
   */
  public synchronized Book book(int depth, boolean crossed) {
    step();
    double[] bids = new double[depth * 2];
    double[] asks = new double[depth * 2];
    long bidTicks = (long) Math.floor(mid / tick) - random.nextInt(2);
    long askTicks = Math.max(bidTicks + 1, (long) Math.ceil(mid / tick) + random.nextInt(2));
    if (crossed) {
      long shift = askTicks - bidTicks + 2;
      bidTicks += shift;
    }
    for (int i = 0; i < depth; i++) {
      bids[2 * i] = bidTicks * tick;
      bids[2 * i + 1] = size(i);
      asks[2 * i] = askTicks * tick;
      asks[2 * i + 1] = size(i);
      bidTicks -= 1 + random.nextInt(3);
      askTicks += 1 + random.nextInt(3);
    }
    return new Book(++sequence, bids, asks);
  }

  /**
   * Advances the walk and returns the ticker.
   *
   * @param crossed when true the bid is put above the ask (a fault)
   */
  public synchronized Ticker ticker(boolean crossed) {
    Book b = book(1, crossed);
    double last = random.nextBoolean() ? b.bids()[0] : b.asks()[0];
    volume += b.bids()[1];
    return new Ticker(b.bids()[0], b.bids()[1], b.asks()[0], b.asks()[1], last, open24h,
        Math.max(high, last), Math.min(low, last), volume, volume * last);
  }

  /**
   * The multiplier of a contract worth about {@code notional} in quote units at the listing
   * price: the power of ten that puts one contract's value in {@code (notional / 10, notional]},
   * e.g. 0.001 BTC for 100 USDT at 64,000. Fixed for the instrument's life, like a venue's.
   *
   * @param notional the value of one contract the venue aims at, in quote units
   */
  public BigDecimal contractSize(double notional) {
    int exponent = (int) Math.floor(Math.log10(notional / listPrice));
    return BigDecimal.ONE.scaleByPowerOfTen(exponent).stripTrailingZeros();
  }

  /**
   * A size in base units as whole contracts of {@code contractSize}, at least one.
   *
   * @param size         base units
   * @param contractSize base units per contract
   */
  public static long contracts(double size, BigDecimal contractSize) {
    return Math.max(1, Math.round(size / contractSize.doubleValue()));
  }

  /** The current mid without advancing the walk. */
  public synchronized double mid() {
    return mid;
  }

  /**
   * One step of the walk: a random move, pulled a tenth of the way back to the shared reference
   * with this venue's premium, so the instrument stays within a few basis points of the same
   * instrument on the other simulated venues.
   */
  private void step() {
    double target = listPrice * reference.factor();
    mid *= Math.exp(0.0004 * random.nextGaussian());
    mid = Math.max(tick * 50, mid + 0.1 * (target - mid));
    high = Math.max(high, mid);
    low = Math.min(low, mid);
  }

  private double size(int level) {
    double notional = 500 + 20_000 * random.nextDouble() * (1 + level * 0.3);
    return Math.max(Math.pow(10, -sizeDecimals), notional / mid);
  }

  /**
   * The price path one coin follows on every simulated venue: a function of the coin and the
   * clock only (a swing of up to 1% over ten minutes, its phase the coin's), times a premium of
   * the venue's own (up to 8 basis points, drifting over two minutes).
   *
   * @param coin  the coin's common code, the same on every venue ({@code PEPE} for
   *              {@code 1000PEPE})
   * @param venue the venue's name
   * @param clock milliseconds now
   */
  public record Reference(String coin, String venue, LongSupplier clock) {

    /** The factor over the listing price now. */
    double factor() {
      double t = clock.getAsLong();
      double coinPhase = (coin.hashCode() & 0xffff) / 65536.0 * 2 * Math.PI;
      double venuePhase = ((venue + coin).hashCode() & 0xffff) / 65536.0 * 2 * Math.PI;
      double swing = 0.01 * Math.sin(2 * Math.PI * t / 600_000 + coinPhase);
      double premium = 0.0005 * Math.sin(2 * Math.PI * t / 120_000 + venuePhase)
          + 0.0003 * Math.cos(venuePhase);
      return (1 + swing) * (1 + premium);
    }
  }

  /**
   * A book: prices and sizes interleaved per side, best first.
   *
   * @param sequence a per-instrument update id
   * @param bids     bid levels, price then size
   * @param asks     ask levels, price then size
   */
  public record Book(long sequence, double[] bids, double[] asks) {
    /** Levels per side. */
    public int depth() {
      return bids.length / 2;
    }
  }

  /**
   * A ticker.
   *
   * @param bid         best bid
   * @param bidSize     size at the best bid
   * @param ask         best ask
   * @param askSize     size at the best ask
   * @param last        last trade
   * @param open        price 24 h ago
   * @param high        24 h high
   * @param low         24 h low
   * @param volume      24 h volume in base units
   * @param quoteVolume 24 h volume in quote units
   */
  public record Ticker(double bid, double bidSize, double ask, double askSize, double last,
      double open, double high, double low, double volume, double quoteVolume) {
    /** Change over 24 h as a fraction. */
    public double change() {
      return (last - open) / open;
    }
  }
}
