package dev.scanflux.bench;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The refresh harness: how fresh the per-venue scheduler keeps every book, in steady state and
 * over the whole run, against a plain leaky-bucket client, on the modelled venues of {@link
 * ScanCycleHarness} ({@link VirtualVenue}: 60 ± 20 ms, each venue's real limit enforced on
 * arrival), in virtual time.
 *
 * <p>Each run scans {@code instruments} books per venue (one priority, {@code BTC}, placed
 * mid-list) continuously for {@code 60 s + 3 floors} of the set's slowest venue, where a venue's
 * floor is its ordinary instruments x book weight / (its rate less what the priority book takes
 * at one refresh a second). Gaps are measured between the arrivals of successive answers at the
 * venue. Steady state starts after the slowest venue's first pass (one floor, plus 10 %).
 *
 * <p>Run with {@code java -cp scanner-benchmarks/target/benchmarks.jar
 * dev.scanflux.bench.RefreshHarness} after {@code mvn -pl scanner-benchmarks -am package}.
 */
final class RefreshHarness {

  static final Duration PRIORITY_REFRESH = Duration.ofSeconds(1);

  /** The approaches compared. */
  enum Approach {
    SCANFLUX("Scanflux: per-venue scheduler, priority BTC every 1 s, the rest oldest first"),
    LEAKY_BUCKET("leaky bucket: each venue on its own, books in list order paced at 90 % of the"
        + " limit (the margin real clients keep: one at the limit is refused under jitter), no"
        + " priority, refused requests lost");

    final String description;

    Approach(String description) {
      this.description = description;
    }
  }

  /**
   * One venue's figures in one run (seconds).
   *
   * @param approach       the approach
   * @param venue          the venue
   * @param together       whether the five venues ran together
   * @param instruments    books scanned on the venue
   * @param floor          the tail's floor refresh period
   * @param priorityMedian median gap of the priority book, steady state
   * @param priorityMax    largest gap of the priority book, steady state
   * @param priorityMaxAll largest gap of the priority book over the whole run, from its first
   *                       arrival
   * @param priorityAge    time-averaged age of the priority book, steady state
   * @param tailMedian     median gap of the ordinary books, steady state
   * @param tailMax        largest gap of any ordinary book, steady state
   * @param budgetUsed     weight that arrived over what the limit allows, steady state
   * @param throttled      requests the venue refused (429s), whole run
   */
  record Result(Approach approach, String venue, boolean together, int instruments, double floor,
      double priorityMedian, double priorityMax, double priorityMaxAll, double priorityAge,
      double tailMedian, double tailMax, double budgetUsed, long throttled) {

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%-12s %-8s %-8s %5d  floor %7.2f s  prio med %6.3f max"
              + " %6.3f (all %6.3f) age %6.3f  tail med %7.2f max %7.2f (%.3f x floor)  budget"
              + " %5.1f%%  429s %d", approach == Approach.SCANFLUX ? "Scanflux" : "leaky",
          venue, together ? "together" : "alone", instruments, floor, priorityMedian, priorityMax,
          priorityMaxAll, priorityAge, tailMedian, tailMax, tailMax / floor, budgetUsed * 100,
          throttled);
    }
  }

  private final List<VenueModel> models;

  RefreshHarness(List<VenueModel> models) {
    this.models = List.copyOf(models);
  }

  public static void main(String[] args) {
    RefreshHarness h = new RefreshHarness(VenueModel.all());
    int[] sizes = args.length == 0 ? new int[] {100, 400, 1000, 2000}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    for (int size : sizes) {
      h.run(size).forEach(System.out::println);
    }
  }

  /** Every approach at every size. */
  List<Result> runAll(int... sizes) {
    List<Result> out = new ArrayList<>();
    for (int size : sizes) {
      out.addAll(run(size));
    }
    return out;
  }

  /** Every approach on every venue alone and on all five together. */
  List<Result> run(int instruments) {
    List<Result> out = new ArrayList<>();
    for (Approach a : Approach.values()) {
      for (VenueModel m : models) {
        out.addAll(run(a, List.of(m), instruments, false));
      }
      out.addAll(run(a, models, instruments, true));
    }
    return out;
  }

  /** The tail's floor: its books x weight / (the rate less the priority book's refreshes). */
  static double floor(VenueModel m, int instruments) {
    double rate = m.booksPerSecond();
    double priority = Math.min(rate / 2, 1e9 / PRIORITY_REFRESH.toNanos());
    return (instruments - 1) / (rate - priority);
  }

  List<Result> run(Approach approach, List<VenueModel> set, int instruments, boolean together) {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try {
      List<Instrument> universe = ScanCycleHarness.universe(instruments);
      List<VirtualVenue> venues = new ArrayList<>();
      long seed = 1;
      for (VenueModel m : set) {
        venues.add(new VirtualVenue(m.name(), m.limit(), m.concurrency(), universe,
            ScanCycleHarness.LATENCY, ScanCycleHarness.JITTER, seed++, vts));
      }
      double slowest = set.stream().mapToDouble(m -> floor(m, instruments)).max().orElseThrow();
      long duration = (long) ((60 + 3 * slowest) * 1e9);
      Disposable running = approach == Approach.SCANFLUX ? scanflux(venues, vts)
          : leakyBucket(set, venues, vts);
      vts.advanceTimeBy(Duration.ofNanos(duration));
      running.dispose();
      long steadyFrom = (long) (1.1 * slowest * 1e9);
      List<Result> results = new ArrayList<>();
      for (int v = 0; v < set.size(); v++) {
        results.add(measure(approach, set.get(v), venues.get(v), instruments, together,
            steadyFrom, duration));
      }
      return results;
    } finally {
      vts.dispose();
    }
  }

  private static Disposable scanflux(List<VirtualVenue> venues, VirtualTimeScheduler vts) {
    Scanner.Builder b = Scanner.builder().scheduler(vts).interval(Duration.ZERO)
        .priority(ScanCycleHarness.PRIORITY).priorityRefresh(PRIORITY_REFRESH);
    for (VirtualVenue v : venues) {
      b.venue(v, VenueOptions.custom().instruments(v.universe()).tickers(false)
          .depth(VenueModel.DEPTH).build());
    }
    Scanner scanner = b.build().start();
    return scanner::close;
  }

  private static Disposable leakyBucket(List<VenueModel> set, List<VirtualVenue> venues,
      VirtualTimeScheduler vts) {
    List<Disposable> loops = new ArrayList<>();
    for (int v = 0; v < venues.size(); v++) {
      VirtualVenue venue = venues.get(v);
      List<Instrument> universe = venue.universe();
      long spacing = (long) (set.get(v).fifoSpacing().toNanos() / RealTimeRefresh.LEAKY_SHARE);
      loops.add(Flux.interval(Duration.ZERO, Duration.ofNanos(spacing), vts)
          .onBackpressureDrop()
          .flatMap(n -> venue.book(universe.get((int) (n % universe.size())), VenueModel.DEPTH)
              .onErrorResume(e -> reactor.core.publisher.Mono.empty()), Integer.MAX_VALUE)
          .subscribe());
    }
    return () -> loops.forEach(Disposable::dispose);
  }

  private static Result measure(Approach approach, VenueModel m, VirtualVenue venue,
      int instruments, boolean together, long steadyFrom, long end) {
    Map<Instrument, List<Long>> arrivals = new HashMap<>();
    long weight = 0;
    for (VirtualVenue.Request r : venue.requests()) {
      if (r.throttled()) {
        continue;
      }
      arrivals.computeIfAbsent(r.instrument(), i -> new ArrayList<>()).add(r.arrivalNanos());
      if (r.arrivalNanos() >= steadyFrom) {
        weight += m.bookWeight();
      }
    }
    Instrument priority = Instrument.spot(ScanCycleHarness.PRIORITY, "USDT");
    List<Long> p = arrivals.getOrDefault(priority, List.of());
    List<Long> pGaps = gaps(p, steadyFrom);
    List<Long> pGapsAll = gaps(p, Long.MIN_VALUE);
    double age = averageAge(p, steadyFrom, end);
    List<Long> tail = new ArrayList<>();
    long tailMax = 0;
    for (Map.Entry<Instrument, List<Long>> e : arrivals.entrySet()) {
      if (!e.getKey().equals(priority)) {
        List<Long> g = gaps(e.getValue(), steadyFrom);
        tail.addAll(g);
        for (long x : g) {
          tailMax = Math.max(tailMax, x);
        }
        // a book that stopped arriving: its gap runs to the end
        if (!e.getValue().isEmpty()) {
          tailMax = Math.max(tailMax, end - e.getValue().get(e.getValue().size() - 1));
        }
      }
    }
    double allowed = m.limit().budget() * (double) (end - steadyFrom) / m.limit().window().toNanos();
    return new Result(approach, m.name(), together, instruments, floor(m, instruments),
        s(median(pGaps)), s(max(pGaps)), s(max(pGapsAll)), age, s(median(tail)), s(tailMax),
        weight / allowed, venue.throttled());
  }

  /** Gaps between successive arrivals, of those whose later arrival is at or after {@code from}. */
  private static List<Long> gaps(List<Long> arrivals, long from) {
    List<Long> out = new ArrayList<>();
    for (int i = 1; i < arrivals.size(); i++) {
      if (arrivals.get(i) >= from) {
        out.add(arrivals.get(i) - arrivals.get(i - 1));
      }
    }
    return out;
  }

  /** The book's age averaged over [from, end), from its first arrival on: seconds. */
  private static double averageAge(List<Long> arrivals, long from, long end) {
    double area = 0;
    long covered = 0;
    long last = Long.MIN_VALUE;
    long cursor = from;
    for (long a : arrivals) {
      if (a >= end) {
        break;
      }
      if (a > cursor && last != Long.MIN_VALUE) {
        area += sawTooth(last, cursor, a);
        covered += a - cursor;
      }
      last = a;
      cursor = Math.max(cursor, a);
    }
    if (last != Long.MIN_VALUE && end > cursor) {
      area += sawTooth(last, cursor, end);
      covered += end - cursor;
    }
    return covered == 0 ? 0 : area / (covered / 1e9);
  }

  /** The integral of the age {@code t - last} over [t0, t1), in seconds squared. */
  private static double sawTooth(long last, long t0, long t1) {
    double a = (t0 - last) / 1e9;
    double b = (t1 - last) / 1e9;
    return (b * b - a * a) / 2;
  }

  private static long median(List<Long> values) {
    if (values.isEmpty()) {
      return 0;
    }
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static double s(long nanos) {
    return nanos / 1e9;
  }

  static long nanos(VirtualTimeScheduler vts) {
    return vts.now(TimeUnit.NANOSECONDS);
  }
}
