package dev.scanflux.simulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A deterministic synthetic market: the same seed and size give the same instruments and, for
 * the same sequence of requests at the same clock times, the same prices. The first instruments
 * are well-known coins at realistic prices; the rest are made-up codes ({@code SIM0031}) with
 * prices spread over eight orders of magnitude.
 *
 * <p>One market is shared by every simulated venue: markets of the same seed list each coin at
 * the same price, and each instrument's price follows the coin's one reference path (a function
 * of the coin and the clock only) with a small, slowly moving premium of its venue's, so an
 * instrument listed on several simulated venues trades near one price everywhere, a few basis
 * points apart, as on real venues.
 */
public final class SyntheticMarket {

  private static final String[] NAMES = {"BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA",
      "TRX", "AVAX", "LINK", "DOT", "LTC", "BCH", "NEAR", "ATOM", "UNI", "APT", "ARB", "OP",
      "FIL", "ETC", "XLM", "AAVE", "SUI", "INJ", "TIA", "SEI", "PEPE", "SHIB", "WIF"};
  private static final double[] PRICES = {64000, 3100, 145, 0.52, 580, 0.12, 0.45, 0.12, 28,
      14, 6.2, 72, 380, 5.1, 7.4, 8.3, 7.9, 0.8, 1.6, 4.1, 23, 0.1, 95, 1.1, 22, 6.5, 0.35,
      0.0000095, 0.000018, 2.1};

  private final List<SimInstrument> instruments;

  /**
   * @param seed      the random seed
   * @param size      number of instruments
   * @param quote     the quote currency of every instrument, e.g. {@code USDT}
   * @param perpetual whether the instruments are perpetual futures
   */
  public SyntheticMarket(long seed, int size, String quote, boolean perpetual) {
    this(seed, size, quote, perpetual, false, "", () -> 0L);
  }

  /**
   * @param seed         the random seed
   * @param size         number of instruments
   * @param quote        the quote currency of every instrument, e.g. {@code USDT}
   * @param perpetual    whether the instruments are perpetual futures
   * @param perThousand  whether coins priced below 0.001 are listed per thousand, as many
   *                     perpetual venues do ({@code 1000PEPE} at a thousand times PEPE's price)
   * @param venue        the venue's name, which sets its premium over the shared reference
   * @param clock        milliseconds now, which moves the shared reference
   */
  public SyntheticMarket(long seed, int size, String quote, boolean perpetual,
      boolean perThousand, String venue, LongSupplier clock) {
    SplittableRandom random = new SplittableRandom(seed);
    List<SimInstrument> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      String base;
      double price;
      if (i < NAMES.length) {
        base = NAMES[i];
        price = PRICES[i] * (0.9 + 0.2 * random.nextDouble());
        if (perThousand && PRICES[i] < 0.001) {
          base = "1000" + base;
          price *= 1000;
        }
      } else {
        base = String.format(java.util.Locale.ROOT, "SIM%04d", i);
        price = Math.pow(10, -4 + 8 * random.nextDouble());
      }
      list.add(new SimInstrument(i, base, quote, perpetual, price, seed,
          new SimInstrument.Reference(NAMES.length > i ? NAMES[i] : base, venue, clock)));
    }
    this.instruments = List.copyOf(list);
  }

  /** The instruments, in the market's order. */
  public List<SimInstrument> instruments() {
    return instruments;
  }
}
