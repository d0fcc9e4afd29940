package dev.scanflux.core.model;

import java.util.Objects;

/**
 * Raised when market data fails validation: the data never becomes a snapshot.
 *
 * <p>The message names the venue, the instrument and the defect, e.g. {@code binance BTC/USDT:
 * crossed book: best bid 101.0 >= best ask 100.0}.
 */
public final class InvalidSnapshotException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** What was wrong with the data. */
  public enum Defect {
    /** The best bid is at or above the best ask. */
    CROSSED_BOOK,
    /** A price is zero, negative, infinite or NaN. */
    INVALID_PRICE,
    /** A size or volume is negative, infinite or NaN. */
    INVALID_SIZE,
    /** Bids are not strictly descending or asks not strictly ascending. */
    UNSORTED_LEVELS,
    /** Price and size arrays differ in length, or a required field is missing. */
    MALFORMED
  }

  private final String venue;
  private final String instrument;
  private final Defect defect;

  /**
   * @param venue      the venue that sent the data
   * @param instrument the instrument it was about, as text
   * @param defect     what was wrong
   * @param detail     the specifics, e.g. the offending value and level
   */
  public InvalidSnapshotException(String venue, String instrument, Defect defect, String detail) {
    super(venue + ' ' + instrument + ": " + describe(defect) + ": " + detail);
    this.venue = Objects.requireNonNull(venue, "venue");
    this.instrument = Objects.requireNonNull(instrument, "instrument");
    this.defect = Objects.requireNonNull(defect, "defect");
  }

  /** The venue that sent the data. */
  public String venue() {
    return venue;
  }

  /** The instrument the data was about, as text. */
  public String instrument() {
    return instrument;
  }

  /** What was wrong. */
  public Defect defect() {
    return defect;
  }

  private static String describe(Defect defect) {
    return defect.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
  }
}
