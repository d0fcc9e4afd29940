package dev.scanflux.core;

import dev.scanflux.core.internal.ScanEngine;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.MarketSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Scans many venues at once and publishes what it finds as hot streams.
 *
 * <p>Each venue refreshes its instruments' books and tickers continuously, at its own pace: at
 * each free slot of its rate limit (paced evenly across the limit's window) it fetches a due
 * priority instrument (each at least every {@link Builder#priorityRefresh}), otherwise the
 * instrument fetched longest ago, with at most its concurrency in flight. Venues run in isolation:
 * a slow or failing venue never delays another. Every valid snapshot is published the moment it
 * arrives ({@link #snapshots()}, {@link #view()}, with each book's health); each time every venue
 * has completed a pass over its universe since the previous scan, a {@link Scan} is published
 * ({@link #scans()}, {@link #latest()}) holding the latest snapshot of every item received since
 * the previous scan.
 *
 * <h2>Streams</h2>
 * A venue whose options enable {@link VenueOptions#stream()} and whose source offers a {@link
 * dev.scanflux.core.spi.MarketStream} is also connected to its push stream. Streamed snapshots
 * are published the moment they arrive, and each cycle polls only what the stream does not keep
 * live: everything while the stream is down or has not yet connected, a resyncing or stale
 * instrument until its stream delivers again, through the same scheduler and budget. Dropped connections are reconnected with
 * exponential backoff and jitter. {@link VenueReport#stream()} and {@link
 * ScanListener#onStreamTransition} show every connection, drop, resync and fallback.
 *
 * <pre>{@code
 * try (Scanner scanner = Scanner.builder()
 *     .venue(binance)
 *     .venue(okx, VenueOptions.custom().concurrency(8).depth(50).build())
 *     .priority("BTC", "ETH", "SOL")
 *     .interval(Duration.ofSeconds(1))
 *     .build()
 *     .start()) {
 *   scanner.scans().subscribe(scan -> System.out.println(scan.report()));
 * }
 * }</pre>
 *
 * <h2>Threading</h2>
 * All timing (rate limiting, pacing, timeouts, backoff, refresh periods) uses the {@link
 * Scheduler} given to the builder, which is also the scanner's only clock; nothing sleeps or
 * blocks. Outputs are emitted serially, on the thread that delivered the data, so a subscriber
 * with unbounded demand ({@code subscribe(Consumer)}) runs on the scanner's thread and must be
 * quick. A subscriber that may be slow should say so with its demand, e.g. {@code
 * snapshots().publishOn(scheduler, 16)}: then it falls behind alone, and its output keeps only
 * the latest value per key (bounded memory) until it catches up, while scanning goes on. (Doing
 * that hop for every subscriber by default cost more than half the pipeline's throughput on two
 * cores, so it is the subscriber's choice.)
 *
 * <h2>Lifecycle</h2>
 * Nothing is sent until {@link #start()}. {@link #close()} cancels in-flight requests, stream
 * connections and timers, closes the streams and sources, releases the scanner's own threads, and completes every output.
 */
public interface Scanner extends AutoCloseable {

  /** A builder for a scanner. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Starts scanning; calling it again has no effect.
   *
   * @return this scanner
   * @throws IllegalStateException if the scanner is closed
   */
  Scanner start();

  /**
   * Every valid snapshot as it arrives, all venues merged; hot. A subscriber sees what arrives
   * after it subscribes. A subscriber without demand gets, when it asks again, only the latest
   * snapshot per venue, instrument and kind it missed. Completes on {@link #close()} or after
   * the last scan.
   */
  Flux<MarketSnapshot> snapshots();

  /** The latest snapshot per venue and instrument; reads never lock. */
  MarketView view();

  /**
   * One {@link Scan} each time every venue has completed a pass since the previous one; hot. A subscriber first gets the latest completed scan
   * at once (if there is one), then each new one; a slow subscriber skips to the newest.
   * Completes on {@link #close()} or after the last scan.
   */
  Flux<Scan> scans();

  /**
   * The latest completed scan: immediately if one exists, otherwise the first one to complete.
   * Never an older scan once a newer one completed. Completes empty if the scanner closes first.
   */
  Mono<Scan> latest();

  /** The venue names, in the order they were added. */
  List<String> venues();

  /** Stops scanning and frees every resource; idempotent. */
  @Override
  void close();

  /**
   * Builds a {@link Scanner}. Setters record; {@link #build()} validates everything and names
   * any bad argument with its allowed range. Not thread-safe.
   */
  final class Builder {
    private final List<ScanEngine.Venue> venues = new ArrayList<>();
    private List<String> priority = List.of();
    private Duration interval = Duration.ofSeconds(1);
    private Duration priorityRefresh = Duration.ofSeconds(1);
    private @Nullable Scheduler scheduler;
    private long maxCycles;
    private UniverseFilter filter = UniverseFilter.ofDefaults();
    private final List<ScanListener> listeners = new ArrayList<>();

    private Builder() {}

    /** Adds a venue with {@link VenueOptions#ofDefaults()}. */
    public Builder venue(MarketSource source) {
      return venue(source, VenueOptions.ofDefaults());
    }

    /** Adds a venue with its options. The scanner owns the source and closes it. */
    public Builder venue(MarketSource source, VenueOptions options) {
      venues.add(new ScanEngine.Venue(Objects.requireNonNull(source, "source"),
          Objects.requireNonNull(options, "options")));
      return this;
    }

    /**
     * Base currencies fetched first on every venue and refreshed at least every {@link
     * #priorityRefresh}, in this order, e.g. {@code BTC, ETH, SOL} (default none).
     */
    public Builder priority(String... bases) {
      return priority(List.of(bases));
    }

    /** Base currencies fetched first, in this order (default none). */
    public Builder priority(List<String> bases) {
      List<String> upper = new ArrayList<>();
      for (String b : bases) {
        upper.add(Objects.requireNonNull(b, "priority base").strip().toUpperCase(Locale.ROOT));
      }
      this.priority = List.copyOf(upper);
      return this;
    }

    /**
     * The least time between two fetches of the same ordinary (not priority) instrument, 0 to
     * 24 h (default 1 s). A venue whose whole universe takes longer than this to refresh at its
     * rate limit is not slowed by it; a small universe is refreshed this often instead of as fast
     * as the limit allows. {@code 0} refreshes every venue continuously at its limit. (It used to
     * be the pause between two lock-step cycles; each venue now runs at its own pace.)
     */
    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * The scheduler for every timer, and the scanner's only clock. Default: a parallel
     * scheduler of the scanner's own, disposed by {@link Scanner#close()}. A scheduler given
     * here is not disposed by the scanner.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How often each priority instrument is refreshed at least, on every venue whose options do
     * not say otherwise, 1 ms to 1 h (default 1 s). Where the priority set alone needs more than
     * a venue's budget, it is refreshed as often as half the budget allows, spread evenly, and
     * the other half keeps the rest of the universe moving.
     */
    public Builder priorityRefresh(Duration priorityRefresh) {
      this.priorityRefresh = Objects.requireNonNull(priorityRefresh, "priorityRefresh");
      return this;
    }

    /**
     * Stop after this many scans, completing every output; 0 runs until closed (default). Each
     * scan follows at least one pass of every venue, so every venue completes at least this many
     * passes.
     */
    public Builder maxCycles(long maxCycles) {
      this.maxCycles = maxCycles;
      return this;
    }

    /**
     * Which discovered instruments every venue scans, unless a venue has its own filter
     * (default {@link UniverseFilter#ofDefaults()}: test and leveraged tokens excluded).
     */
    public Builder filter(UniverseFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * Adds a listener that observes every request, snapshot and scan (default none). Listeners
     * run on the scanner's threads and must never block; see {@link ScanListener}.
     */
    public Builder listener(ScanListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Validates the configuration and builds an unstarted scanner.
     *
     * @throws IllegalArgumentException naming the bad argument and its allowed range
     */
    public Scanner build() {
      if (venues.isEmpty()) {
        throw new IllegalArgumentException("venues must contain at least 1 source but was empty");
      }
      Set<String> names = new HashSet<>();
      for (ScanEngine.Venue v : venues) {
        String name = v.source().venue();
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException("every source must name its venue, but "
              + v.source().getClass().getName() + " gave '" + name + "'");
        }
        if (v.source().rateLimit() == null) {
          throw new IllegalArgumentException("venue '" + name + "' must declare a rate limit");
        }
        if (!names.add(name)) {
          throw new IllegalArgumentException(
              "venue names must be unique but '" + v.source().venue() + "' was added twice");
        }
      }
      Set<String> bases = new HashSet<>();
      for (String b : priority) {
        if (b.isEmpty() || !bases.add(b)) {
          throw new IllegalArgumentException(
              "priority must hold distinct, non-blank bases but was " + priority);
        }
      }
      Checks.range("interval", interval, Duration.ZERO, Duration.ofHours(24));
      Checks.range("priorityRefresh", priorityRefresh, Duration.ofMillis(1), Duration.ofHours(1));
      if (maxCycles < 0) {
        throw new IllegalArgumentException(
            "maxCycles must be in [0, " + Long.MAX_VALUE + "] but was " + maxCycles);
      }
      return new ScanEngine(venues, priority, filter, interval, priorityRefresh, scheduler,
          maxCycles, listeners);
    }
  }
}
