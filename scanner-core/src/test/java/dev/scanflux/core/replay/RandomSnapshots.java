package dev.scanflux.core.replay;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Random books and tickers with edge values, for property-style tests. Deterministic per seed. */
public final class RandomSnapshots {

  /** Prices and sizes that stress number formatting, all finite and positive. */
  static final double[] EDGE_PRICES = {
      Double.MIN_VALUE, 1e-300, 2.2250738585072014E-308, 1e-12, 0.1 + 0.2, 1.0 / 3, 0.5, 1.0,
      9_007_199_254_740_993.0, 1e21, 1e300, Double.MAX_VALUE / 2, Math.nextDown(Double.MAX_VALUE),
      Double.MAX_VALUE, 123456.789, 4.35, 100.0, 0.000001234};

  static final String[] VENUES = {
      "binance", "okx", "kraken", "币安", "Ωmega", "🚀rocket", "quote\"back\\slash", "tab\tnew\nline",
      "ünïcödé", "ʁuss", "a"};

  static final Instant[] EDGE_TIMES = {
      Instant.EPOCH, Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochSecond(0, 1),
      Instant.parse("1677-09-21T00:12:44Z"), Instant.parse("2262-04-11T23:47:16.854775807Z"),
      Instant.parse("2262-04-11T23:47:17Z"), Instant.parse("+10000-01-01T00:00:00.000000001Z"),
      Instant.parse("-10000-01-01T00:00:00Z"), Instant.MIN, Instant.MAX,
      Instant.parse("2025-01-31T12:00:00.123456789Z")};

  private final Random random;

  public RandomSnapshots(long seed) {
    this.random = new Random(seed);
  }

  /** {@code n} random snapshots, sorted by receive time (stably). */
  public List<MarketSnapshot> sorted(int n) {
    List<MarketSnapshot> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(random.nextBoolean() ? book() : ticker());
    }
    out.sort(Comparator.comparing(MarketSnapshot::receivedAt));
    return out;
  }

  BookSnapshot book() {
    int bids = random.nextInt(4) == 0 ? 0 : random.nextInt(25);
    int asks = random.nextInt(4) == 0 ? 0 : random.nextInt(25);
    double[] prices = distinctPrices(bids + asks);
    BookSnapshot.Builder b = BookSnapshot.builder(venue(), instrument());
    for (int i = bids - 1; i >= 0; i--) {
      b.bid(prices[i], size());
    }
    for (int i = bids; i < bids + asks; i++) {
      b.ask(prices[i], size());
    }
    Instant received = time();
    b.receivedAt(received);
    if (random.nextBoolean()) {
      b.exchangeTime(time());
    }
    if (random.nextInt(4) == 0) { // a perpetual quoted in contracts
      b.contractSize(new double[] {0.001, 0.01, 0.1, 1e-7, 10, 1000}[random.nextInt(6)]);
    }
    return b.build();
  }

  TickerSnapshot ticker() {
    double[] p = distinctPrices(2);
    Instant received = time();
    Instant exchange = random.nextBoolean() ? received : time();
    return new TickerSnapshot(venue(), instrument(), p[0], p[1], price(), optionalVolume(),
        optionalVolume(), optionalChange(), exchange, received);
  }

  private double[] distinctPrices(int n) {
    double[] out = new double[n];
    int filled = 0;
    while (filled < n) {
      double p = price();
      boolean dup = false;
      for (int i = 0; i < filled; i++) {
        dup |= out[i] == p;
      }
      if (!dup) {
        out[filled++] = p;
      }
    }
    Arrays.sort(out);
    return out;
  }

  private double price() {
    return switch (random.nextInt(4)) {
      case 0 -> EDGE_PRICES[random.nextInt(EDGE_PRICES.length)];
      case 1 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL) + Double.MIN_VALUE;
      default -> Math.round(random.nextDouble() * 1e8) / 100.0 + 0.01;
    };
  }

  private double size() {
    return switch (random.nextInt(6)) {
      case 0 -> 0.0;
      case 1 -> -0.0;
      case 2 -> EDGE_PRICES[random.nextInt(EDGE_PRICES.length)];
      default -> random.nextDouble() * 1000;
    };
  }

  private double optionalVolume() {
    return switch (random.nextInt(4)) {
      case 0 -> Double.NaN;
      case 1 -> 0.0;
      case 2 -> EDGE_PRICES[random.nextInt(EDGE_PRICES.length)];
      default -> random.nextDouble() * 1e9;
    };
  }

  private double optionalChange() {
    return switch (random.nextInt(5)) {
      case 0 -> Double.NaN;
      case 1 -> -0.0;
      case 2 -> -Double.MAX_VALUE;
      default -> random.nextGaussian() * 0.1;
    };
  }

  private String venue() {
    if (random.nextInt(5) == 0) {
      StringBuilder sb = new StringBuilder();
      int len = 1 + random.nextInt(12);
      while (sb.length() < len) {
        int cp = random.nextInt(0x10FFFF);
        if (Character.isValidCodePoint(cp) && (cp < 0xD800 || cp > 0xDFFF)
            && !Character.isWhitespace(cp)) {
          sb.appendCodePoint(cp);
        }
      }
      return "v" + sb;
    }
    return VENUES[random.nextInt(VENUES.length)];
  }

  private Instrument instrument() {
    String base = code();
    String quote = code();
    return random.nextInt(3) == 0 ? Instrument.perpetual(base, quote) : Instrument.spot(base, quote);
  }

  private String code() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    int len = 1 + random.nextInt(random.nextInt(8) == 0 ? 32 : 6);
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private Instant time() {
    if (random.nextInt(10) == 0) {
      return EDGE_TIMES[random.nextInt(EDGE_TIMES.length)];
    }
    return Instant.ofEpochSecond(1_600_000_000L + random.nextInt(200_000_000),
        random.nextInt(1_000_000_000));
  }
}
