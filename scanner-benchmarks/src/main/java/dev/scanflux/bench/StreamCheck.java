package dev.scanflux.bench;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Streamed venues in real time: each venue whose preset has a push stream runs alone against
 * the embedded {@link VenueSimulator} (REST and WebSocket on loopback, the venue's wire formats,
 * 40 ms + up to 40 ms REST latency, the WebSocket side changing every subscribed book and ticker
 * every {@link #TICK}). A strategy subscribes {@code snapshots()} on its own thread, as a slow
 * strategy should ({@code publishOn}). The REST limit is lifted (in the simulator and the
 * scanner) so that the first, polled cycle ends within the warm-up on every venue, Kraken's one
 * request a second included: this measures the stream, not polling. After the warm-up it
 * measures, per venue:
 *
 * <ul>
 *   <li>messages per second the venue pushed, and snapshots per second the strategy received;
 *   <li>venue-to-strategy latency: the strategy's wall clock minus the venue's timestamp in the
 *       message (venues stamp milliseconds, so this carries up to 1 ms of truncation);
 *   <li>arrival-to-strategy latency: from the engine stamping the snapshot on arrival to the
 *       strategy, on the scanner's clock (nanoseconds): the library's own share;
 *   <li>resyncs, rejected messages and REST fetches during the measurement (all zero when the
 *       stream keeps up).
 * </ul>
 */
final class StreamCheck {

  static final Duration TICK = Duration.ofMillis(10);
  static final Duration WARM_UP = Duration.ofSeconds(4);
  static final Duration MEASURE = Duration.ofSeconds(10);
  static final int INSTRUMENTS = 50;

  /**
   * The venues tried, in the simulator's order: every simulated venue with a WebSocket side whose
   * preset has a stream (a new streamed preset joins the table by itself).
   */
  static final List<SimulatedVenue> CANDIDATES = List.of(SimulatedVenue.values());

  /**
   * One venue's figures over the measurement.
   *
   * @param venue           the venue
   * @param instruments     instruments streamed (books and tickers)
   * @param pushedPerSecond messages the simulator sent per second
   * @param receivedPerSecond snapshots the strategy received per second
   * @param wireP50Ms       venue timestamp to strategy, median
   * @param wireP99Ms       venue timestamp to strategy, 99th percentile
   * @param arrivalP50Us    engine arrival to strategy, median
   * @param arrivalP99Us    engine arrival to strategy, 99th percentile
   * @param resyncs         books rebuilt during the measurement
   * @param rejected        messages rejected during the measurement
   * @param polled          REST fetches during the measurement
   */
  record Result(String venue, int instruments, double pushedPerSecond,
      double receivedPerSecond, double wireP50Ms, double wireP99Ms, double arrivalP50Us,
      double arrivalP99Us, long resyncs, long rejected, long polled) {}

  private StreamCheck() {}

  /** Runs every streamed venue, one after another. */
  static List<Result> run() {
    List<Result> results = new ArrayList<>();
    for (SimulatedVenue v : CANDIDATES) {
      if (v.hasWebsocket() && preset(v).hasStream()) {
        results.add(runOne(v));
      }
    }
    return results;
  }

  /**
   * The preset whose source speaks {@code v}'s wire format (the simulator knows no client): the
   * preset named as the simulated venue, in lower case with dashes, {@code BINANCE_SPOT} being
   * Binance's spot preset {@code binance}.
   */
  static VenueBuilder preset(SimulatedVenue v) {
    String name = v.name().toLowerCase(Locale.ROOT).replace('_', '-');
    return Venues.preset(name.endsWith("-spot") ? name.substring(0, name.length() - 5) : name);
  }

  private static Result runOne(SimulatedVenue v) {
    Scheduler strategyThread = Schedulers.newSingle("strategy", true);
    try (VenueSimulator sim = simulator(v, INSTRUMENTS, TICK)) {
      List<Scan> scans = new CopyOnWriteArrayList<>();
      Probe probe = new Probe();
      try (Scanner scanner = streamed(v, sim).build()) {
        String venue = scanner.venues().get(0);
        MarketView view = scanner.view();
        Disposable strategy = scanner.snapshots().publishOn(strategyThread, 256)
            .subscribe(s -> probe.seen(s, view));
        Disposable reports = scanner.scans().subscribe(scans::add);
        scanner.start();
        pause(WARM_UP);
        long sent0 = sim.wsMessagesSent();
        int scans0 = scans.size();
        probe.measuring = true;
        long t0 = System.nanoTime();
        pause(MEASURE);
        probe.measuring = false;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long sent = sim.wsMessagesSent() - sent0;
        strategy.dispose();
        reports.dispose();
        long resyncs = 0;
        long rejected = 0;
        long polled = 0;
        for (Scan s : scans.subList(scans0, scans.size())) {
          for (VenueReport r : s.report().venues().values()) {
            StreamReport st = r.stream();
            resyncs += st.resynced();
            rejected += st.rejected();
            polled += r.requests();
          }
        }
        Result r = probe.result(venue, sent / seconds, seconds, resyncs, rejected,
            polled);
        System.out.println(r);
        return r;
      }
    } finally {
      strategyThread.dispose();
    }
  }

  /**
   * An unstarted simulator of {@code v}: {@code instruments} instruments, 40 ms + up to 40 ms
   * REST latency and no REST limit, its WebSocket changing every subscribed book and ticker every
   * {@code tick}.
   */
  static VenueSimulator simulator(SimulatedVenue v, int instruments, Duration tick) {
    return VenueSimulator.builder(v).instruments(instruments).latency(Duration.ofMillis(40))
        .jitter(Duration.ofMillis(40)).seed(7).rateLimit(false).websocket(true)
        .streamInterval(tick).build();
  }

  /**
   * A scanner of {@code v} on the simulator (started here), streamed, 20 levels, its REST limit
   * lifted so that the first, polled cycle ends within a warm-up.
   */
  static Scanner.Builder streamed(SimulatedVenue v, VenueSimulator sim) {
    String url = sim.start();
    MarketSource source = preset(v).baseUrl(url).streamUrl(sim.websocketUrl()).build();
    return Scanner.builder()
        .venue(source, VenueOptions.custom().stream(true).depth(20)
            .rateLimit(source.rateLimit().withBudget(100_000, Duration.ofSeconds(1)))
            .concurrency(16).build())
        .interval(Duration.ofSeconds(1));
  }

  /** Parks the calling (benchmark main) thread; the scanner runs on its own threads. */
  static void pause(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** What the strategy thread saw while measuring; synchronized, as two threads read it. */
  static final class Probe {
    volatile boolean measuring;
    private long[] wireNanos = new long[1 << 16];
    private long[] arrivalNanos = new long[1 << 16];
    private int n;

    synchronized void seen(MarketSnapshot s, MarketView view) {
      if (!measuring) {
        return;
      }
      Instant now = Instant.now();
      Instant engineNow = view.now();
      if (n == wireNanos.length) {
        wireNanos = Arrays.copyOf(wireNanos, n * 2);
        arrivalNanos = Arrays.copyOf(arrivalNanos, n * 2);
      }
      wireNanos[n] = Duration.between(s.exchangeTime(), now).toNanos();
      arrivalNanos[n] = Duration.between(s.receivedAt(), engineNow).toNanos();
      n++;
    }

    synchronized Result result(String venue, double pushedPerSecond, double seconds, long resyncs,
        long rejected, long polled) {
      long[] wire = Arrays.copyOf(wireNanos, n);
      long[] arrival = Arrays.copyOf(arrivalNanos, n);
      Arrays.sort(wire);
      Arrays.sort(arrival);
      return new Result(venue, INSTRUMENTS, pushedPerSecond, n / seconds,
          pct(wire, 0.50) / 1e6, pct(wire, 0.99) / 1e6, pct(arrival, 0.50) / 1e3,
          pct(arrival, 0.99) / 1e3, resyncs, rejected, polled);
    }

    static double pct(long[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
  }
}
