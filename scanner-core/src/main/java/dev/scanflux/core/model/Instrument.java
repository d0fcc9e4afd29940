package dev.scanflux.core.model;

import java.util.Locale;
import java.util.Objects;

/**
 * A tradable instrument in Scanflux's own symbol language, independent of any venue.
 *
 * <p>Spot instruments print as {@code BASE/QUOTE} ({@code BTC/USDT}); perpetual futures as
 * {@code BASE/QUOTE:perp} ({@code BTC/USDT:perp}). Currency codes are upper-cased, may contain
 * letters and digits ({@code 1000PEPE}) and are at most 32 characters long.
 *
 * @param base  the currency being priced, e.g. {@code BTC}
 * @param quote the currency the price is given in, e.g. {@code USDT}
 * @param kind  spot or perpetual
 */
public record Instrument(String base, String quote, Kind kind) implements Comparable<Instrument> {

  /** What kind of market an instrument trades in. */
  public enum Kind {
    /** Spot: the base currency itself changes hands. */
    SPOT,
    /** A perpetual future (swap) settled in the quote currency. */
    PERPETUAL
  }

  private static final String PERP_SUFFIX = ":perp";
  private static final int MAX_CODE_LENGTH = 32;

  /**
   * Validates and normalises the parts.
   *
   * @throws IllegalArgumentException if a code is empty, too long or not alphanumeric
   */
  public Instrument {
    base = code(base, "base");
    quote = code(quote, "quote");
    Objects.requireNonNull(kind, "kind");
  }

  /** A spot instrument, e.g. {@code Instrument.spot("BTC", "USDT")}. */
  public static Instrument spot(String base, String quote) {
    return new Instrument(base, quote, Kind.SPOT);
  }

  /** A perpetual future, e.g. {@code Instrument.perpetual("BTC", "USDT")}. */
  public static Instrument perpetual(String base, String quote) {
    return new Instrument(base, quote, Kind.PERPETUAL);
  }

  /**
   * Parses {@code BASE/QUOTE} (spot) or {@code BASE/QUOTE:perp} (perpetual), case-insensitively.
   *
   * @param symbol the symbol, e.g. {@code "BTC/USDT"} or {@code "eth/usdc:perp"}
   * @return the instrument
   * @throws IllegalArgumentException naming the symbol if it is not in that form
   */
  public static Instrument parse(String symbol) {
    Objects.requireNonNull(symbol, "symbol");
    String s = symbol.strip();
    Kind kind = Kind.SPOT;
    if (s.regionMatches(true, Math.max(0, s.length() - PERP_SUFFIX.length()), PERP_SUFFIX, 0,
        PERP_SUFFIX.length())) {
      kind = Kind.PERPETUAL;
      s = s.substring(0, s.length() - PERP_SUFFIX.length());
    }
    int slash = s.indexOf('/');
    if (slash <= 0 || slash != s.lastIndexOf('/') || slash == s.length() - 1) {
      throw new IllegalArgumentException(
          "symbol must look like BASE/QUOTE or BASE/QUOTE:perp but was '" + symbol + "'");
    }
    return new Instrument(s.substring(0, slash), s.substring(slash + 1), kind);
  }

  /** True for spot instruments. */
  public boolean isSpot() {
    return kind == Kind.SPOT;
  }

  /** Orders by base, then quote, then kind: a stable order for reports and files. */
  @Override
  public int compareTo(Instrument other) {
    int c = base.compareTo(other.base);
    if (c == 0) {
      c = quote.compareTo(other.quote);
    }
    return c != 0 ? c : kind.compareTo(other.kind);
  }

  /** The symbol in Scanflux's language: {@code BTC/USDT} or {@code BTC/USDT:perp}. */
  @Override
  public String toString() {
    return kind == Kind.SPOT ? base + '/' + quote : base + '/' + quote + PERP_SUFFIX;
  }

  private static String code(String value, String name) {
    Objects.requireNonNull(value, name);
    String code = value.strip().toUpperCase(Locale.ROOT);
    if (code.isEmpty() || code.length() > MAX_CODE_LENGTH) {
      throw new IllegalArgumentException(
          name + " must be 1 to " + MAX_CODE_LENGTH + " characters but was '" + value + "'");
    }
    for (int i = 0; i < code.length(); i++) {
      char ch = code.charAt(i);
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
        throw new IllegalArgumentException(
            name + " must contain only letters A-Z and digits but was '" + value + "'");
      }
    }
    return code;
  }
}
