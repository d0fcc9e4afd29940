package dev.scanflux.examples.strategies;

import dev.scanflux.core.model.BookSnapshot;
import java.util.Locale;

/**
 * Numbers for people, as the example strategies write them in their signals: a price at its
 * instrument's precision with thousands separated ({@code 64,120.5}), an amount with its unit
 * and a magnitude ({@code 1.2 M USDT}), a fraction as a percentage ({@code 0.35 %}).
 *
 * <p>The model carries no tick size, so a price's precision is read from the book: the fewest
 * decimals (at most {@value #MAX_DECIMALS}) that write every price of the book exactly, which
 * for a venue's book is its tick's (and hides binary noise such as {@code 2466.9750000000004}).
 */
public final class Figures {

  /** The most decimals a price is written with. */
  public static final int MAX_DECIMALS = 10;

  private Figures() {}

  /**
   * The fewest decimals that write every given price exactly (to a relative 1e-9).
   *
   * @param prices positive prices
   * @return 0 to {@value #MAX_DECIMALS}
   */
  public static int decimals(double... prices) {
    int d = 0;
    for (double p : prices) {
      while (d < MAX_DECIMALS && !exact(p, d)) {
        d++;
      }
    }
    return d;
  }

  /** The decimals of a book's prices, both sides; see {@link #decimals(double...)}. */
  public static int decimals(BookSnapshot book) {
    double[] prices = new double[book.bidLevels() + book.askLevels()];
    int n = 0;
    for (int i = 0; i < book.bidLevels(); i++) {
      prices[n++] = book.bidPrice(i);
    }
    for (int i = 0; i < book.askLevels(); i++) {
      prices[n++] = book.askPrice(i);
    }
    return decimals(prices);
  }

  private static boolean exact(double p, int d) {
    double scaled = p * Math.pow(10, d);
    return Math.abs(scaled - Math.rint(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled));
  }

  /**
   * A price at {@code decimals} decimals, thousands separated: {@code price(64120.5, 1)} is
   * {@code 64,120.5}.
   *
   * @param price    the price
   * @param decimals 0 to {@value #MAX_DECIMALS}
   * @return the text
   */
  public static String price(double price, int decimals) {
    return String.format(Locale.ROOT, "%,." + Math.max(0, Math.min(MAX_DECIMALS, decimals)) + "f",
        price);
  }

  /**
   * An amount with three significant digits, a magnitude and a unit: {@code 950 USDT},
   * {@code 12.3 k USDT}, {@code 1.2 M USDT}, {@code 3.45 B PEPE}, {@code 0.0523 BTC}.
   *
   * @param amount the amount
   * @param unit   its unit, e.g. a currency code
   * @return the text
   */
  public static String amount(double amount, String unit) {
    double a = Math.abs(amount);
    String suffix = "";
    double v = amount;
    if (a >= 1e9) {
      v = amount / 1e9;
      suffix = " B";
    } else if (a >= 1e6) {
      v = amount / 1e6;
      suffix = " M";
    } else if (a >= 1e4) {
      v = amount / 1e3;
      suffix = " k";
    }
    return significant(v) + suffix + " " + unit;
  }

  /** A fraction as a percentage with two decimals: {@code 0.0035} is {@code 0.35 %}. */
  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f %%", fraction * 100);
  }

  /** Three significant digits, without trailing zeros: 1.2, 12.3, 123, 1,234, 0.0523. */
  static String significant(double v) {
    double a = Math.abs(v);
    if (a == 0) {
      return "0";
    }
    int digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2
        : Math.min(MAX_DECIMALS, 2 - (int) Math.floor(Math.log10(a)));
    String s = String.format(Locale.ROOT, "%,." + digits + "f", v);
    if (s.indexOf('.') >= 0) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s;
  }
}
