package dev.scanflux.core.model;

import dev.scanflux.core.model.InvalidSnapshotException.Defect;
import java.time.Instant;
import java.util.Objects;

/**
 * A venue's ticker for one instrument: best bid and ask, last trade, and 24-hour statistics.
 *
 * <p>Bid, ask and last are required: each must be finite and positive, and the bid must be below
 * the ask. The 24-hour figures are optional because not every venue reports all of them: each is
 * {@code NaN} exactly when the venue did not report it ({@link Double#isNaN} tells), and is
 * otherwise finite, volumes never negative. Anything else is rejected with an {@link
 * InvalidSnapshotException} naming venue and instrument.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TickerSnapshot implements MarketSnapshot {

  private final String venue;
  private final Instrument instrument;
  private final double bid;
  private final double ask;
  private final double last;
  private final double baseVolume24h;
  private final double quoteVolume24h;
  private final double change24h;
  private final Instant exchangeTime;
  private final Instant receivedAt;

  /**
   * Validates and creates a ticker.
   *
   * @param venue          the venue's name
   * @param instrument     the instrument
   * @param bid            best bid
   * @param ask            best ask
   * @param last           last trade price
   * @param baseVolume24h  24 h volume in base units, or NaN if not reported
   * @param quoteVolume24h 24 h volume in quote units, or NaN if not reported
   * @param change24h      24 h price change as a fraction (0.05 is +5 %), or NaN if not reported
   * @param exchangeTime   when the venue produced it
   * @param receivedAt     when it was received, on the scanner's clock
   * @throws InvalidSnapshotException if a value is invalid
   */
  public TickerSnapshot(String venue, Instrument instrument, double bid, double ask, double last,
      double baseVolume24h, double quoteVolume24h, double change24h, Instant exchangeTime,
      Instant receivedAt) {
    this.venue = Snapshots.venue(venue);
    this.instrument = Objects.requireNonNull(instrument, "instrument");
    this.exchangeTime = Objects.requireNonNull(exchangeTime, "exchangeTime");
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    this.bid = price("bid", bid);
    this.ask = price("ask", ask);
    this.last = price("last", last);
    if (bid >= ask) {
      throw invalid(Defect.CROSSED_BOOK, "bid " + bid + " >= ask " + ask);
    }
    this.baseVolume24h = volume("baseVolume24h", baseVolume24h);
    this.quoteVolume24h = volume("quoteVolume24h", quoteVolume24h);
    if (Double.isInfinite(change24h)) {
      throw invalid(Defect.INVALID_PRICE, "change24h " + change24h);
    }
    this.change24h = change24h;
  }

  /** A copy of a valid ticker with other times: nothing to validate again. */
  private TickerSnapshot(TickerSnapshot t, Instant exchangeTime, Instant receivedAt) {
    this.venue = t.venue;
    this.instrument = t.instrument;
    this.bid = t.bid;
    this.ask = t.ask;
    this.last = t.last;
    this.baseVolume24h = t.baseVolume24h;
    this.quoteVolume24h = t.quoteVolume24h;
    this.change24h = t.change24h;
    this.exchangeTime = exchangeTime;
    this.receivedAt = receivedAt;
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
  public TickerSnapshot withReceivedAt(Instant receivedAt) {
    Instant exchange = exchangeTime.equals(this.receivedAt) ? receivedAt : exchangeTime;
    return new TickerSnapshot(this, exchange, Objects.requireNonNull(receivedAt, "receivedAt"));
  }

  /** Best bid. */
  public double bid() {
    return bid;
  }

  /** Best ask. */
  public double ask() {
    return ask;
  }

  /** Last trade price. */
  public double last() {
    return last;
  }

  /** Mid of bid and ask. */
  public double mid() {
    return (bid + ask) * 0.5;
  }

  /** 24 h volume in base units, or NaN if the venue does not report it. */
  public double baseVolume24h() {
    return baseVolume24h;
  }

  /** 24 h volume in quote units, or NaN if the venue does not report it. */
  public double quoteVolume24h() {
    return quoteVolume24h;
  }

  /** 24 h price change as a fraction (0.05 is +5 %), or NaN if the venue does not report it. */
  public double change24h() {
    return change24h;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof TickerSnapshot t && venue.equals(t.venue)
        && instrument.equals(t.instrument) && same(bid, t.bid) && same(ask, t.ask)
        && same(last, t.last) && same(baseVolume24h, t.baseVolume24h)
        && same(quoteVolume24h, t.quoteVolume24h) && same(change24h, t.change24h)
        && exchangeTime.equals(t.exchangeTime) && receivedAt.equals(t.receivedAt));
  }

  @Override
  public int hashCode() {
    return Objects.hash(venue, instrument, bid, ask, last, baseVolume24h, quoteVolume24h,
        change24h, exchangeTime, receivedAt);
  }

  @Override
  public String toString() {
    return "TickerSnapshot{" + venue + ' ' + instrument + " bid " + bid + " ask " + ask
        + " last " + last + " vol24h " + baseVolume24h + '/' + quoteVolume24h + " change24h "
        + change24h + " at " + exchangeTime + " received " + receivedAt + '}';
  }

  private static boolean same(double a, double b) {
    return Double.compare(a, b) == 0;
  }

  private double price(String name, double value) {
    if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
      throw invalid(Defect.INVALID_PRICE, name + ' ' + value);
    }
    return value;
  }

  private double volume(String name, double value) {
    if (value < 0 || Double.isInfinite(value)) {
      throw invalid(Defect.INVALID_SIZE, name + ' ' + value);
    }
    return value;
  }

  private InvalidSnapshotException invalid(Defect defect, String detail) {
    return new InvalidSnapshotException(venue, instrument.toString(), defect, detail);
  }
}
