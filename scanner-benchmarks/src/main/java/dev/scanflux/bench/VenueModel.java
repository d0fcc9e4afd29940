package dev.scanflux.bench;

import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A venue as the harness models it: its name, its real rate limit, the concurrency its preset
 * declares, and where those figures come from. Also the arithmetic of the theoretical floor.
 *
 * @param name        the venue
 * @param limit       its rate limit
 * @param concurrency requests in flight its preset allows
 * @param origin      where the limit comes from, for the report
 */
record VenueModel(String name, RateLimitSpec limit, int concurrency, String origin) {

  /** Book depth every approach asks for. */
  static final int DEPTH = 20;

  VenueModel {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(origin, "origin");
  }

  /**
   * The five venues of the harness, those of the app's embedded default: their presets in
   * {@link Venues}, whose sources are built only to read the limit and concurrency (which
   * connects nothing) and closed at once.
   */
  static List<VenueModel> all() {
    return List.of(preset(Venues.binance()), preset(Venues.okx()), preset(Venues.bybit()),
        preset(Venues.kucoin()), preset(Venues.kraken()));
  }

  private static VenueModel preset(VenueBuilder builder) {
    try (MarketSource source = builder.build()) {
      return new VenueModel(source.venue(), source.rateLimit(), source.defaultConcurrency(),
          "preset Venues." + source.venue() + "()");
    }
  }

  /** The weight of one book of {@link #DEPTH} levels. */
  int bookWeight() {
    return limit.weight(RequestKind.BOOK, DEPTH);
  }

  /** Books per second the limit allows on average. */
  double booksPerSecond() {
    return limit.budget() * 1e9 / limit.window().toNanos() / bookWeight();
  }

  /** The theoretical floor of one cycle of {@code instruments} books: instruments x weight / rate. */
  double floorSeconds(int instruments) {
    return instruments / booksPerSecond();
  }

  /**
   * The fewest cycles (at least 3) over which this venue spends a whole number of windows'
   * budgets. A sliding-window limit lets a fresh window's budget go out at once and then makes
   * the venue wait for it to slide, so cycle times come in bursts and pauses; the mean over
   * such a number of cycles is the steady-state cycle time, whatever the phase.
   */
  int steadyCycles(int instruments) {
    long spent = (long) instruments * bookWeight();
    long budget = limit.budget();
    long period = budget / BigInteger.valueOf(budget).gcd(BigInteger.valueOf(spent)).longValue();
    return (int) (period * ((3 + period - 1) / period));
  }

  /** The set's floor: that of its slowest venue. */
  static double floorSeconds(List<VenueModel> set, int instruments) {
    return set.stream().mapToDouble(v -> v.floorSeconds(instruments)).max().orElseThrow();
  }

  /** The set's steady cycle count: that of its slowest venue (the others wait for it). */
  static int steadyCycles(List<VenueModel> set, int instruments) {
    VenueModel slowest = set.get(0);
    for (VenueModel v : set) {
      if (v.floorSeconds(instruments) > slowest.floorSeconds(instruments)) {
        slowest = v;
      }
    }
    return slowest.steadyCycles(instruments);
  }

  /** Spacing of a first-in-first-out throttle that sends books at exactly the limit. */
  Duration fifoSpacing() {
    return Duration.ofNanos(limit.window().toNanos() * bookWeight() / limit.budget());
  }
}
