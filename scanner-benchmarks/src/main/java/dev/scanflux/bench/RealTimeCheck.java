package dev.scanflux.bench;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * The virtual-time model checked over real sockets: Scanflux with the real presets against the
 * embedded {@link VenueSimulator} (loopback HTTP, the venue's wire format and real limit, 40 ms
 * latency plus up to 40 ms jitter, i.e. 60 ± 20 ms), one venue per scanner, all at once, in
 * real time. Kraken is left out: at one book per second a steady cycle of 100 books takes
 * minutes. The venues discover their instruments (one gated request in cycle 1, which is not in
 * the mean); XChange loads its metadata inside that request.
 */
final class RealTimeCheck {

  /**
   * One venue's figures.
   *
   * @param venue              the venue
   * @param instruments        instruments scanned
   * @param cycles             cycles run; the first is not in the mean
   * @param cycleSeconds       mean cycle time of cycles 2 and on, wall clock
   * @param floorSeconds       instruments x weight / rate
   * @param throttled          429s in the simulator's request log
   * @param firstPriorityMs    median over cycles 2 and on of cycle start to the BTC book
   * @param priorityRoundTripMs median round trip of those BTC requests
   * @param wallSeconds        how long the venue's run took
   */
  record Result(String venue, int instruments, int cycles, double cycleSeconds,
      double floorSeconds, long throttled, double firstPriorityMs, double priorityRoundTripMs,
      double wallSeconds) {

    double ratio() {
      return cycleSeconds / floorSeconds;
    }
  }

  private RealTimeCheck() {}

  /** Runs Binance, OKX and Hyperliquid at {@code instruments} each, concurrently. */
  static List<Result> run(int instruments) {
    List<VenueSimulator> sims = new ArrayList<>();
    List<Runner> runners = new ArrayList<>();
    try {
      add(runners, sims, SimulatedVenue.BINANCE_SPOT, Venues.binance(), instruments);
      add(runners, sims, SimulatedVenue.OKX, Venues.okx(), instruments);
      add(runners, sims, SimulatedVenue.HYPERLIQUID, Venues.hyperliquid(), instruments);
      long t0 = System.nanoTime();
      for (Runner r : runners) {
        r.started = System.nanoTime();
        r.scanner.start();
      }
      Flux.fromIterable(runners)
          .flatMap(r -> r.scanner.scans().last().doOnNext(s -> r.ended = System.nanoTime()))
          .blockLast(Duration.ofMinutes(5));
      List<Result> results = new ArrayList<>();
      for (int i = 0; i < runners.size(); i++) {
        results.add(runners.get(i).result(sims.get(i)));
      }
      System.out.printf("real-time check: %.1f s%n", (System.nanoTime() - t0) / 1e9);
      return results;
    } finally {
      runners.forEach(r -> r.scanner.close());
      sims.forEach(VenueSimulator::close);
    }
  }

  private static void add(List<Runner> runners, List<VenueSimulator> sims, SimulatedVenue venue,
      VenueBuilder preset, int instruments) {
    VenueSimulator sim = VenueSimulator.builder(venue).instruments(instruments)
        .latency(Duration.ofMillis(40)).jitter(Duration.ofMillis(40)).seed(7).build();
    sims.add(sim);
    String url = sim.start();
    VenueModel model;
    try (var probe = preset.build()) {
      model = new VenueModel(probe.venue(), probe.rateLimit(), probe.defaultConcurrency(), "");
    }
    runners.add(new Runner(model, preset.baseUrl(url), instruments));
  }

  /** One venue's scanner and what its listener saw. */
  private static final class Runner {
    final VenueModel model;
    final Scanner scanner;
    final int cycles;
    final int instruments;
    final Map<Long, Instant> starts = new ConcurrentHashMap<>();
    final Map<Long, Instant> ends = new ConcurrentHashMap<>();
    final Map<Long, RequestEvent> priority = new ConcurrentHashMap<>();
    volatile long started;
    volatile long ended;

    Runner(VenueModel model, VenueBuilder source, int instruments) {
      this.model = model;
      this.instruments = instruments;
      this.cycles = 1 + model.steadyCycles(instruments);
      this.scanner = Scanner.builder()
          .venue(source.build(), VenueOptions.custom().tickers(false)
              .depth(VenueModel.DEPTH).build())
          .priority(ScanCycleHarness.PRIORITY).interval(Duration.ZERO).maxCycles(cycles)
          .listener(new ScanListener() {
            @Override
            public void onRequest(RequestEvent e) {
              Instrument i = e.instrument();
              if (e.kind() == RequestKind.BOOK && e.succeeded() && i != null
                  && i.base().equals(ScanCycleHarness.PRIORITY)) {
                priority.putIfAbsent(e.cycle(), e);
              }
            }

            @Override
            public void onScan(Scan scan) {
              starts.put(scan.report().cycle(), scan.report().startedAt());
              ends.put(scan.report().cycle(), scan.report().startedAt()
                  .plus(scan.report().duration()));
            }
          })
          .build();
    }

    Result result(VenueSimulator sim) {
      double mean = Duration.between(ends.get(1L), ends.get((long) cycles)).toNanos() / 1e9
          / (cycles - 1);
      long throttled = sim.requestLog().stream().mapToInt(ServedRequest::status)
          .filter(s -> s == 429).count();
      double[] first = new double[cycles - 1];
      double[] rtt = new double[cycles - 1];
      for (long c = 2; c <= cycles; c++) {
        RequestEvent e = priority.get(c);
        first[(int) c - 2] = e == null ? Double.POSITIVE_INFINITY
            : Duration.between(starts.get(c), e.start().plus(e.roundTrip())).toNanos() / 1e6;
        rtt[(int) c - 2] = e == null ? Double.NaN : e.roundTrip().toNanos() / 1e6;
      }
      Arrays.sort(first);
      Arrays.sort(rtt);
      return new Result(model.name(), instruments, cycles, mean,
          model.floorSeconds(instruments), throttled, first[first.length / 2],
          rtt[rtt.length / 2], (ended - started) / 1e9);
    }
  }
}
