package dev.scanflux.core.spi;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A venue's rate limit: a weight budget per sliding time window, and the weight of each request.
 *
 * <p>For example Binance spot allows 6,000 weight per minute and weighs an order book by its
 * depth; OKX allows 40 book requests per 2 seconds; Kraken about one request per second:
 *
 * <pre>{@code
 * RateLimitSpec binance = RateLimitSpec.of(6000, Duration.ofMinutes(1))
 *     .withBookWeight(depth -> depth <= 100 ? 5 : depth <= 500 ? 25 : 50)
 *     .withWeight(RequestKind.TICKERS, 80);
 * RateLimitSpec kraken = RateLimitSpec.parse("1/1s");
 * }</pre>
 *
 * <p>Every request weighs 1 unless told otherwise. No single request may weigh more than the
 * budget. Instances are immutable.
 */
public final class RateLimitSpec {

  private static final Pattern TEXT =
      Pattern.compile("(\\d+)\\s*/\\s*(\\d*)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  private final int budget;
  private final Duration window;
  private final Map<RequestKind, Integer> weights;
  private final @Nullable IntUnaryOperator bookWeight;

  private RateLimitSpec(int budget, Duration window, Map<RequestKind, Integer> weights,
      @Nullable IntUnaryOperator bookWeight) {
    this.budget = budget;
    this.window = window;
    this.weights = weights;
    this.bookWeight = bookWeight;
  }

  /**
   * A budget of {@code budget} weight per sliding {@code window}; every request weighs 1.
   *
   * @param budget the weight allowed per window, 1 to 1,000,000
   * @param window the window, 1 ms to 24 h
   * @throws IllegalArgumentException naming the argument and its range
   */
  public static RateLimitSpec of(int budget, Duration window) {
    Objects.requireNonNull(window, "window");
    if (budget < 1 || budget > 1_000_000) {
      throw new IllegalArgumentException("budget must be in [1, 1000000] but was " + budget);
    }
    if (window.compareTo(Duration.ofMillis(1)) < 0 || window.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException("window must be in [1ms, 24h] but was " + window);
    }
    return new RateLimitSpec(budget, window, new EnumMap<>(RequestKind.class), null);
  }

  /**
   * Parses {@code WEIGHT/WINDOW}, e.g. {@code 1200/10s}, {@code 6000/1m}, {@code 40/2s},
   * {@code 1/s}. Units: ms, s, m, h.
   *
   * @throws IllegalArgumentException naming the text if it is not in that form
   */
  public static RateLimitSpec parse(String text) {
    Matcher m = TEXT.matcher(Objects.requireNonNull(text, "text").strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "rate limit must look like WEIGHT/WINDOW, e.g. 1200/10s or 6000/1m, but was '" + text
              + "'");
    }
    long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
    Duration window = switch (m.group(3).toLowerCase(Locale.ROOT)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
    return of(Integer.parseInt(m.group(1)), window);
  }

  /**
   * This limit with another weight for one kind of request.
   *
   * @param kind   the request kind
   * @param weight its weight, 1 to the budget
   */
  public RateLimitSpec withWeight(RequestKind kind, int weight) {
    Objects.requireNonNull(kind, "kind");
    checkWeight(kind.name(), weight);
    EnumMap<RequestKind, Integer> copy = new EnumMap<>(RequestKind.class);
    copy.putAll(weights);
    copy.put(kind, weight);
    return new RateLimitSpec(budget, window, copy, bookWeight);
  }

  /**
   * This limit with a book weight that depends on the requested depth, as on Binance.
   *
   * @param depthToWeight from depth (levels per side) to weight; must give 1 to the budget
   */
  public RateLimitSpec withBookWeight(IntUnaryOperator depthToWeight) {
    return new RateLimitSpec(budget, window, weights,
        Objects.requireNonNull(depthToWeight, "depthToWeight"));
  }

  /** This limit with another budget per window, the weights unchanged. */
  public RateLimitSpec withBudget(int budget, Duration window) {
    RateLimitSpec base = of(budget, window);
    for (Map.Entry<RequestKind, Integer> e : weights.entrySet()) {
      base = base.withWeight(e.getKey(), Math.min(e.getValue(), budget));
    }
    return bookWeight == null ? base : base.withBookWeight(bookWeight);
  }

  /** The weight allowed per window. */
  public int budget() {
    return budget;
  }

  /** The sliding window. */
  public Duration window() {
    return window;
  }

  /**
   * The weight of one request.
   *
   * @param kind  the kind of request
   * @param depth the book depth asked for (ignored for other kinds)
   * @return the weight, 1 to the budget
   * @throws IllegalArgumentException if a depth-dependent weight falls outside that range
   */
  public int weight(RequestKind kind, int depth) {
    if (kind == RequestKind.BOOK && bookWeight != null) {
      return checkWeight("book weight at depth " + depth, bookWeight.applyAsInt(depth));
    }
    return weights.getOrDefault(kind, 1);
  }

  /** Requests of weight 1 per second this limit allows on average. */
  public double ratePerSecond() {
    return budget * 1e9 / window.toNanos();
  }

  @Override
  public String toString() {
    return budget + "/" + window.toString().substring(2).toLowerCase(Locale.ROOT)
        + (weights.isEmpty() ? "" : " " + weights)
        + (bookWeight == null ? "" : " book weight by depth");
  }

  private int checkWeight(String name, int weight) {
    if (weight < 1 || weight > budget) {
      throw new IllegalArgumentException(
          name + " weight must be in [1, " + budget + "] but was " + weight);
    }
    return weight;
  }
}
