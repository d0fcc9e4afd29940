package dev.scanflux.bench;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ThrottledException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * An in-process model of one venue for the scan-cycle harness, meant to run on a virtual-time
 * scheduler: it answers every book request after a seeded round trip, enforces the venue's real
 * rate limit on its own side, and logs every request.
 *
 * <ul>
 *   <li><b>Latency.</b> Each request's round trip is drawn uniformly from {@code latency ±
 *       jitter} (seeded, so a run is repeatable) and the answer is delivered with {@code
 *       Mono.delay} on the given scheduler: no thread waits.
 *   <li><b>Limit.</b> The venue counts a request when it <em>arrives</em>, half a round trip
 *       after it was sent, over a sliding window of the limit's length: a request whose weight
 *       does not fit the budget left in the window ending at its arrival is refused with a
 *       {@link ThrottledException} (a 429, {@code Retry-After} 1 s) and counted. Refused
 *       requests use no budget, as on the simulator.
 *   <li><b>Answers.</b> Prebuilt books of 20 levels; tickers are not served (the harness
 *       scans books only).
 * </ul>
 *
 * <p>Not thread-safe: the harness drives it from the one thread that advances virtual time.
 */
final class VirtualVenue implements MarketSource {

  /** What the venue answers an over-limit request with, like Binance's {@code Retry-After}. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** One request as the venue saw it. */
  record Request(Instrument instrument, long startNanos, long arrivalNanos, boolean throttled) {}

  private final String venue;
  private final RateLimitSpec limit;
  private final int concurrency;
  private final Scheduler scheduler;
  private final long latencyNanos;
  private final long jitterNanos;
  private final SplittableRandom random;
  private final long windowNanos;
  private final List<Instrument> universe;
  private final Map<Instrument, BookSnapshot> books = new HashMap<>();
  /** Admitted arrivals as {arrival nanos, weight}, arrivals ascending. */
  private final ArrayDeque<long[]> window = new ArrayDeque<>();
  private final List<Request> log = new ArrayList<>();
  private long used;
  private long throttled;

  /**
   * @param venue       the venue's name
   * @param limit       the venue's real rate limit, enforced on arrival
   * @param concurrency the concurrency the venue's preset declares
   * @param universe    the instruments, in the venue's listing order
   * @param latency     the mean round trip
   * @param jitter      the largest deviation from the mean, at most {@code latency}
   * @param seed        the seed of the round trips
   * @param scheduler   the clock and timer, normally a virtual-time scheduler
   */
  VirtualVenue(String venue, RateLimitSpec limit, int concurrency, List<Instrument> universe,
      Duration latency, Duration jitter, long seed, Scheduler scheduler) {
    this.venue = Objects.requireNonNull(venue, "venue");
    this.limit = Objects.requireNonNull(limit, "limit");
    this.concurrency = concurrency;
    this.universe = List.copyOf(universe);
    this.latencyNanos = latency.toNanos();
    this.jitterNanos = jitter.toNanos();
    if (jitterNanos > latencyNanos) {
      throw new IllegalArgumentException("jitter must be at most latency but was " + jitter);
    }
    this.random = new SplittableRandom(seed);
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.windowNanos = limit.window().toNanos();
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    SplittableRandom prices = new SplittableRandom(seed ^ 0x5DEECE66DL);
    for (Instrument i : this.universe) {
      double mid = Math.pow(10, -2 + 6 * prices.nextDouble());
      double tick = mid * 1e-4;
      BookSnapshot.Builder b = BookSnapshot.builder(venue, i).exchangeTime(t);
      for (int l = 0; l < 20; l++) {
        b.bid(mid - tick * (l + 1), 1 + prices.nextDouble() * 10);
        b.ask(mid + tick * (l + 1), 1 + prices.nextDouble() * 10);
      }
      books.put(i, b.build());
    }
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public RateLimitSpec rateLimit() {
    return limit;
  }

  @Override
  public int defaultConcurrency() {
    return concurrency;
  }

  /** The universe in listing order; does not count as a request. */
  @Override
  public Mono<List<Instrument>> instruments() {
    return Mono.just(universe);
  }

  /** The universe in listing order. */
  List<Instrument> universe() {
    return universe;
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return Mono.defer(() -> {
      BookSnapshot book = books.get(instrument);
      if (book == null) {
        return Mono.error(new PermanentSourceException(venue, "unknown " + instrument, null));
      }
      long start = scheduler.now(TimeUnit.NANOSECONDS);
      long roundTrip = latencyNanos + (jitterNanos == 0 ? 0
          : random.nextLong(-jitterNanos, jitterNanos + 1));
      long oneWay = roundTrip / 2;
      int weight = limit.weight(RequestKind.BOOK, depth);
      return Mono.delay(Duration.ofNanos(oneWay), scheduler)
          .map(tick -> {
            long arrival = scheduler.now(TimeUnit.NANOSECONDS);
            boolean admitted = admit(arrival, weight);
            log.add(new Request(instrument, start, arrival, !admitted));
            if (!admitted) {
              throttled++;
            }
            return admitted;
          })
          .delayElement(Duration.ofNanos(roundTrip - oneWay), scheduler)
          .flatMap(admitted -> admitted ? Mono.just(book) : Mono.error(new ThrottledException(
              venue, "429 Too Many Requests: over " + limit.budget() + " weight per "
              + limit.window(), RETRY_AFTER)));
    });
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return Mono.error(new PermanentSourceException(venue, "the harness scans books only", null));
  }

  /** Requests refused for exceeding the limit (429s) so far. */
  long throttled() {
    return throttled;
  }

  /** Every request so far, in the order they arrived. */
  List<Request> requests() {
    return List.copyOf(log);
  }

  /** Counts a request arriving now, at {@code arrival}: arrivals come in time order. */
  private boolean admit(long arrival, int weight) {
    while (!window.isEmpty() && window.peekFirst()[0] + windowNanos <= arrival) {
      used -= window.pollFirst()[1];
    }
    if (used + weight > limit.budget()) {
      return false;
    }
    window.addLast(new long[] {arrival, weight});
    used += weight;
    return true;
  }

  @Override
  public String toString() {
    return "VirtualVenue{" + venue + ' ' + limit + ", " + universe.size() + " instruments}";
  }
}
