package dev.scanflux.bench;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The refresh model checked over real sockets, side by side with a plain leaky-bucket client:
 * Binance and OKX presets against the embedded {@link VenueSimulator} (loopback HTTP, the venue's
 * wire format and real limit, 60 ± 20 ms), 100 instruments, books only, for {@link #RUN} of wall
 * time. Scanflux runs with priority BTC every second and the rest oldest first; the leaky bucket
 * uses the same preset's source (the same HTTP client and parsing), and sends books in list
 * order at 90 % of the limit's rate, the margin real clients keep (a client at exactly the limit
 * was refused by the simulator, as the model shows), with no priority. Each approach has its own
 * simulator, and all four run at once. Gaps are measured at the simulator, between the arrivals
 * of successive answered book requests of one instrument, after {@link #WARM_UP}.
 */
final class RealTimeRefresh {

  static final Duration RUN = Duration.ofSeconds(75);
  static final Duration WARM_UP = Duration.ofSeconds(20);
  static final double LEAKY_SHARE = 0.9;

  /**
   * One venue's and approach's figures (seconds, books per second).
   *
   * @param approach       "Scanflux" or "leaky bucket"
   * @param venue          the venue
   * @param booksPerSecond answered book requests per second after the warm-up
   * @param priorityMedian median gap of BTC
   * @param priorityMax    largest gap of BTC
   * @param tailMedian     median gap of the other books
   * @param tailMax        largest gap of any other book
   * @param throttled      429s the simulator served, whole run
   */
  record Result(String approach, String venue, double booksPerSecond, double priorityMedian,
      double priorityMax, double tailMedian, double tailMax, long throttled) {

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-12s %-8s books/s %6.2f  BTC med %6.3f max %6.3f"
              + "  tail med %6.2f max %6.2f  429s %d", approach, venue, booksPerSecond,
          priorityMedian, priorityMax, tailMedian, tailMax, throttled);
    }
  }

  private RealTimeRefresh() {}

  public static void main(String[] args) {
    run(100).forEach(System.out::println);
  }

  static List<Result> run(int instruments) {
    List<VenueSimulator> sims = new ArrayList<>();
    List<Disposable> running = new ArrayList<>();
    List<Runnable> measures = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    try {
      for (SimulatedVenue v : List.of(SimulatedVenue.BINANCE_SPOT, SimulatedVenue.OKX)) {
        VenueBuilder preset = v == SimulatedVenue.OKX ? Venues.okx() : Venues.binance();
        for (String approach : List.of("Scanflux", "leaky bucket")) {
          VenueSimulator sim = VenueSimulator.builder(v).instruments(instruments)
              .latency(Duration.ofMillis(40)).jitter(Duration.ofMillis(40)).seed(7).build();
          sims.add(sim);
          MarketSource source = preset.baseUrl(sim.start()).build();
          Instant from = Instant.now().plus(WARM_UP);
          running.add(approach.equals("Scanflux") ? scanflux(source) : leaky(source));
          measures.add(() -> results.add(measure(approach, source.venue(), sim, from)));
        }
      }
      Mono.delay(RUN).block();
      running.forEach(Disposable::dispose);
      measures.forEach(Runnable::run);
      return results;
    } finally {
      running.forEach(Disposable::dispose);
      sims.forEach(VenueSimulator::close);
    }
  }

  private static Disposable scanflux(MarketSource source) {
    Scanner scanner = Scanner.builder()
        .venue(source, VenueOptions.custom().tickers(false).depth(VenueModel.DEPTH).build())
        .priority(ScanCycleHarness.PRIORITY).priorityRefresh(Duration.ofSeconds(1))
        .interval(Duration.ZERO).build().start();
    return scanner::close;
  }

  private static Disposable leaky(MarketSource source) {
    List<Instrument> universe = source.instruments().block(Duration.ofSeconds(30));
    long spacing = (long) (source.rateLimit().window().toNanos()
        * source.rateLimit().weight(dev.scanflux.core.spi.RequestKind.BOOK, VenueModel.DEPTH)
        / (double) source.rateLimit().budget() / LEAKY_SHARE);
    Disposable loop = Flux.interval(Duration.ZERO, Duration.ofNanos(spacing))
        .onBackpressureDrop()
        .flatMap(n -> source.book(universe.get((int) (n % universe.size())), VenueModel.DEPTH)
            .onErrorResume(e -> Mono.empty()), 64)
        .subscribe();
    return () -> {
      loop.dispose();
      source.close();
    };
  }

  private static Result measure(String approach, String venue, VenueSimulator sim,
      Instant from) {
    Map<String, List<Instant>> arrivals = new HashMap<>();
    long answered = 0;
    long throttled = 0;
    Instant last = from;
    for (ServedRequest r : sim.requestLog()) {
      if (r.status() == 429) {
        throttled++;
      }
      if (r.symbol() == null || r.status() != 200 || !r.path().toLowerCase(Locale.ROOT)
          .contains("book") && !r.path().contains("depth")) {
        continue;
      }
      arrivals.computeIfAbsent(r.symbol().toUpperCase(Locale.ROOT), s -> new ArrayList<>())
          .add(r.time());
      if (!r.time().isBefore(from)) {
        answered++;
        last = r.time().isAfter(last) ? r.time() : last;
      }
    }
    List<Long> prio = new ArrayList<>();
    List<Long> tail = new ArrayList<>();
    for (Map.Entry<String, List<Instant>> e : arrivals.entrySet()) {
      List<Instant> t = e.getValue();
      boolean isPrio = e.getKey().startsWith(ScanCycleHarness.PRIORITY);
      for (int i = 1; i < t.size(); i++) {
        if (!t.get(i).isBefore(from)) {
          (isPrio ? prio : tail).add(Duration.between(t.get(i - 1), t.get(i)).toNanos());
        }
      }
    }
    double seconds = Duration.between(from, last).toNanos() / 1e9;
    return new Result(approach, venue, seconds <= 0 ? 0 : answered / seconds, median(prio),
        max(prio), median(tail), max(tail), throttled);
  }

  private static double median(List<Long> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
    return s[s.length / 2] / 1e9;
  }

  private static double max(List<Long> v) {
    return v.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9;
  }
}
