package dev.scanflux.bench;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ThrottledException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The scan-cycle harness: Scanflux and the approaches users would otherwise take, on the same
 * modelled venues ({@link VirtualVenue}: 60 ± 20 ms round trips, each venue's real limit
 * enforced on arrival), for each venue alone and all five together, at several universe sizes.
 * Everything runs in virtual time, so a matrix that would take hours of real time (Kraken
 * allows about one book per second) takes seconds.
 *
 * <p>Each run scans the same fixed universe back to back, with no pause between cycles, for
 * {@code 1 + steady} cycles, where {@code steady} is {@link VenueModel#steadyCycles} of the
 * set's slowest venue; the cycle time reported is the mean of cycles 2 and on. Every approach
 * is measured the same way.
 */
final class ScanCycleHarness {

  /** The base fetched first by Scanflux; placed mid-list in every venue's listing. */
  static final String PRIORITY = "BTC";
  static final Duration LATENCY = Duration.ofMillis(60);
  static final Duration JITTER = Duration.ofMillis(20);
  private static final Duration HORIZON = Duration.ofDays(30);

  /** The ways to scan that the harness compares. */
  enum Approach {
    SCANFLUX("Scanflux", "the real Scanner: per-venue weighted sliding-window limiter, preset"
        + " concurrency, priority BTC"),
    SEQUENTIAL("sequential", "one request at a time, venue after venue, no limiter"),
    UNBOUNDED("unbounded parallel", "every request of every venue at once, no limiter"
        + " (a naive gather); refused requests are lost"),
    FIFO("FIFO throttle", "per venue, requests released in list order at weight x window /"
        + " budget, no priority, no concurrency bound (ccxt style); refused requests are lost");

    final String label;
    final String description;

    Approach(String label, String description) {
      this.label = label;
      this.description = description;
    }
  }

  /**
   * One run's figures.
   *
   * @param approach          the approach
   * @param venues            the venues scanned together
   * @param instruments       instruments per venue
   * @param cycles            cycles run; the first is not in the mean
   * @param cycleSeconds      mean cycle time of cycles 2 and on
   * @param floorSeconds      the slowest venue's instruments x weight / rate
   * @param throttled         requests the venues refused (429s), all cycles
   * @param lost              books that never arrived (refused and not retried), all cycles
   * @param requests          requests sent, all cycles
   * @param firstPriorityColdMs   from the start of cycle 1 to a BTC book from every venue
   * @param priorityWaitColdMs    from the start of cycle 1 until the last venue's BTC request
   *                              was sent: the priority snapshot's delay beyond its round trip
   * @param firstPrioritySteadyMs median over cycles 2 and on of the time to a BTC book from
   *                              every venue; infinite when lost in most cycles
   */
  record Result(Approach approach, List<String> venues, int instruments, int cycles,
      double cycleSeconds, double floorSeconds, long throttled, long lost, long requests,
      double firstPriorityColdMs, double priorityWaitColdMs, double firstPrioritySteadyMs) {

    double ratio() {
      return cycleSeconds / floorSeconds;
    }

    String set() {
      return venues.size() == 1 ? venues.get(0) : venues.size() + " together";
    }
  }

  private final List<VenueModel> models;
  private final long seed;

  ScanCycleHarness(List<VenueModel> models, long seed) {
    this.models = List.copyOf(models);
    this.seed = seed;
  }

  /** Every approach, each venue alone and all together, at each size. */
  List<Result> runAll(int... sizes) {
    List<Result> results = new ArrayList<>();
    for (int size : sizes) {
      for (Approach a : Approach.values()) {
        for (VenueModel m : models) {
          results.add(run(a, List.of(m), size));
        }
        results.add(run(a, models, size));
      }
    }
    return results;
  }

  /** One approach on one set of venues at one size. */
  Result run(Approach approach, List<VenueModel> set, int size) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try {
      List<VirtualVenue> venues = new ArrayList<>();
      for (int i = 0; i < set.size(); i++) {
        VenueModel m = set.get(i);
        venues.add(new VirtualVenue(m.name(), m.limit(), m.concurrency(), universe(size),
            LATENCY, JITTER, seed * 31 + size * 7L + models.indexOf(m), vts));
      }
      int cycles = 1 + VenueModel.steadyCycles(set, size);
      Timeline t = approach == Approach.SCANFLUX ? scanflux(venues, cycles, vts)
          : baseline(approach, set, venues, cycles, vts);
      long throttled = 0;
      long requests = 0;
      for (VirtualVenue v : venues) {
        throttled += v.throttled();
        requests += v.requests().size();
      }
      return new Result(approach, set.stream().map(VenueModel::name).toList(), size, cycles,
          t.meanCycleSeconds(), VenueModel.floorSeconds(set, size), throttled, t.lost,
          requests, t.firstPriorityMs(1), t.priorityWaitMs(1), t.steadyFirstPriorityMs());
    } finally {
      vts.dispose();
    }
  }

  /**
   * A venue's listing: {@code size} instruments in the venue's order, with the priority base
   * placed in the middle, so that an approach without priority reaches it only half-way.
   */
  static List<Instrument> universe(int size) {
    List<Instrument> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(i == size / 2 ? Instrument.spot(PRIORITY, "USDT")
          : Instrument.spot(String.format(Locale.ROOT, "X%04d", i), "USDT"));
    }
    return List.copyOf(list);
  }

  private Timeline scanflux(List<VirtualVenue> venues, int cycles, VirtualTimeScheduler vts) {
    Timeline t = new Timeline(venues.size(), cycles);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < venues.size(); i++) {
      index.put(venues.get(i).venue(), i);
    }
    Scanner.Builder b = Scanner.builder().scheduler(vts).interval(Duration.ZERO)
        .maxCycles(cycles).priority(PRIORITY)
        .listener(new ScanListener() {
          @Override
          public void onRequest(RequestEvent e) {
            Instrument i = e.instrument();
            if (e.kind() == RequestKind.BOOK && e.succeeded() && i != null
                && i.base().equals(PRIORITY)) {
              t.priority((int) e.cycle(), index.get(e.venue()), nanos(e.start()),
                  nanos(e.start().plus(e.roundTrip())));
            }
          }

          @Override
          public void onScan(Scan scan) {
            Instant start = scan.report().startedAt();
            t.cycle((int) scan.report().cycle(), nanos(start),
                nanos(start.plus(scan.report().duration())));
            t.lost += scan.report().venues().values().stream().mapToLong(v -> v.gaveUp()).sum();
          }
        });
    for (VirtualVenue v : venues) {
      b.venue(v, VenueOptions.custom().instruments(v.universe()).tickers(false)
          .depth(VenueModel.DEPTH).build());
    }
    try (Scanner scanner = b.build()) {
      scanner.start();
      vts.advanceTimeBy(HORIZON);
    }
    return t;
  }

  private Timeline baseline(Approach approach, List<VenueModel> set, List<VirtualVenue> venues,
      int cycles, VirtualTimeScheduler vts) {
    Timeline t = new Timeline(venues.size(), cycles);
    List<FifoThrottle> throttles = new ArrayList<>();
    for (VenueModel m : set) {
      throttles.add(new FifoThrottle(m.fifoSpacing().toNanos(), vts));
    }
    Function<Integer, Mono<Void>> cycle = n -> switch (approach) {
      case SEQUENTIAL -> Flux.range(0, venues.size())
          .concatMap(v -> Flux.fromIterable(venues.get(v).universe())
              .concatMap(i -> fetch(t, n, v, venues.get(v), i, vts)))
          .then();
      case UNBOUNDED -> Flux.range(0, venues.size())
          .flatMap(v -> Flux.fromIterable(venues.get(v).universe())
              .flatMap(i -> fetch(t, n, v, venues.get(v), i, vts), Integer.MAX_VALUE),
              Integer.MAX_VALUE)
          .then();
      case FIFO -> Flux.range(0, venues.size())
          .flatMap(v -> Flux.fromIterable(venues.get(v).universe())
              .flatMap(i -> throttles.get(v).slot().then(fetch(t, n, v, venues.get(v), i, vts)),
                  Integer.MAX_VALUE),
              Integer.MAX_VALUE)
          .then();
      default -> throw new IllegalArgumentException(approach.name());
    };
    Disposable run = Flux.range(1, cycles)
        .concatMap(n -> Mono.defer(() -> {
          long start = vts.now(TimeUnit.NANOSECONDS);
          return cycle.apply(n).doOnSuccess(x -> t.cycle(n, start,
              vts.now(TimeUnit.NANOSECONDS)));
        }))
        .subscribe();
    vts.advanceTimeBy(HORIZON);
    run.dispose();
    return t;
  }

  /** One book request of a baseline: a refused one is lost, as the approach has no retry. */
  private static Mono<Void> fetch(Timeline t, int cycle, int venueIndex, VirtualVenue venue,
      Instrument instrument, VirtualTimeScheduler vts) {
    return Mono.defer(() -> {
      long start = vts.now(TimeUnit.NANOSECONDS);
      return venue.book(instrument, VenueModel.DEPTH)
          .doOnNext(b -> {
            if (instrument.base().equals(PRIORITY)) {
              t.priority(cycle, venueIndex, start, vts.now(TimeUnit.NANOSECONDS));
            }
          })
          .then()
          .onErrorResume(ThrottledException.class, e -> {
            t.lost++;
            return Mono.empty();
          });
    });
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /**
   * A first-in-first-out throttle: each request is released {@code spacing} after the previous
   * one, in the order they ask, whatever happened to earlier requests.
   */
  static final class FifoThrottle {
    private final long spacingNanos;
    private final VirtualTimeScheduler clock;
    private long next = Long.MIN_VALUE;

    FifoThrottle(long spacingNanos, VirtualTimeScheduler clock) {
      this.spacingNanos = spacingNanos;
      this.clock = clock;
    }

    /** Completes when this request's turn comes. */
    Mono<Void> slot() {
      return Mono.defer(() -> {
        long now = clock.now(TimeUnit.NANOSECONDS);
        long at = Math.max(now, next);
        next = at + spacingNanos;
        return at == now ? Mono.empty()
            : Mono.delay(Duration.ofNanos(at - now), clock).then();
      });
    }
  }

  /** Cycle boundaries and priority arrivals of one run, in virtual nanoseconds. */
  static final class Timeline {
    private final long[] starts;
    private final long[] ends;
    private final long[][] prioritySent;
    private final long[][] priorityArrived;
    long lost;

    Timeline(int venues, int cycles) {
      starts = new long[cycles + 1];
      ends = new long[cycles + 1];
      Arrays.fill(ends, -1);
      prioritySent = new long[cycles + 1][venues];
      priorityArrived = new long[cycles + 1][venues];
      for (int c = 0; c <= cycles; c++) {
        Arrays.fill(priorityArrived[c], -1);
      }
    }

    void cycle(int n, long start, long end) {
      starts[n] = start;
      ends[n] = end;
    }

    void priority(int cycle, int venue, long sent, long arrived) {
      if (priorityArrived[cycle][venue] < 0) {
        prioritySent[cycle][venue] = sent;
        priorityArrived[cycle][venue] = arrived;
      }
    }

    double meanCycleSeconds() {
      int last = ends.length - 1;
      if (ends[last] < 0 || ends[1] < 0) {
        throw new IllegalStateException("the run did not finish its cycles");
      }
      return (ends[last] - ends[1]) / 1e9 / (last - 1);
    }

    /** Time to the priority book of every venue; infinite if one never arrived. */
    double firstPriorityMs(int cycle) {
      long worst = 0;
      for (long a : priorityArrived[cycle]) {
        if (a < 0) {
          return Double.POSITIVE_INFINITY;
        }
        worst = Math.max(worst, a - starts[cycle]);
      }
      return worst / 1e6;
    }

    /** How long after the cycle's start the last venue's priority request was sent. */
    double priorityWaitMs(int cycle) {
      long worst = 0;
      for (int v = 0; v < prioritySent[cycle].length; v++) {
        if (priorityArrived[cycle][v] < 0) {
          return Double.POSITIVE_INFINITY;
        }
        worst = Math.max(worst, prioritySent[cycle][v] - starts[cycle]);
      }
      return worst / 1e6;
    }

    double steadyFirstPriorityMs() {
      double[] all = new double[starts.length - 2];
      for (int c = 2; c < starts.length; c++) {
        all[c - 2] = firstPriorityMs(c);
      }
      Arrays.sort(all);
      return all[all.length / 2];
    }
  }
}
