package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.FakeSource.Call;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The per-venue scheduler, in virtual time: priority refresh under saturation, oldest-first
 * fairness, pacing across the window, the budget under jitter, venues independent of each
 * other, per-instrument backoff, priority sets larger than the budget, and stream fallback
 * through the budget.
 */
class SchedulingTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Instrument SOL = Instrument.spot("SOL", "USDT");
  private static final Duration LATENCY = Duration.ofMillis(50);

  private VirtualTimeScheduler vts;
  private final List<Scanner> scanners = new ArrayList<>();

  @BeforeEach
  void setUp() {
    vts = VirtualTimeScheduler.create();
  }

  @AfterEach
  void tearDown() {
    scanners.forEach(Scanner::close);
    vts.dispose();
  }

  private Scanner run(Scanner.Builder builder, Duration forHowLong) {
    Scanner s = builder.scheduler(vts).build();
    scanners.add(s);
    s.start();
    vts.advanceTimeBy(forHowLong);
    return s;
  }

  private static List<Instrument> withPriority(int ordinary, Instrument... priority) {
    List<Instrument> list = new ArrayList<>(List.of(priority));
    list.addAll(FakeSource.universe(ordinary));
    return list;
  }

  private static VenueOptions books() {
    return VenueOptions.custom().tickers(false).build();
  }

  /** Start times of each instrument's book requests after {@code from}. */
  private static Map<Instrument, List<Long>> bookStarts(FakeSource source, Duration from) {
    Map<Instrument, List<Long>> starts = new HashMap<>();
    for (Call c : source.calls()) {
      if (c.kind() == RequestKind.BOOK && c.startNanos() >= from.toNanos()) {
        starts.computeIfAbsent(c.instrument(), i -> new ArrayList<>()).add(c.startNanos());
      }
    }
    return starts;
  }

  private static long maxGap(List<Long> starts) {
    long max = 0;
    for (int i = 1; i < starts.size(); i++) {
      max = Math.max(max, starts.get(i) - starts.get(i - 1));
    }
    return max;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  @Test
  void priorityIsRefreshedEveryPriorityRefreshAndTheTailStaysNearTheFloorUnderSaturation() {
    // 20 requests/s, 2 priority books and 198 others: saturated, whatever the interval
    FakeSource a = new FakeSource("a", vts, withPriority(198, BTC, ETH))
        .limit(RateLimitSpec.of(20, Duration.ofSeconds(1))).concurrency(4);
    run(Scanner.builder().venue(a, books()).priority("BTC", "ETH").interval(Duration.ZERO)
        .priorityRefresh(Duration.ofSeconds(1)), Duration.ofMinutes(3));

    Map<Instrument, List<Long>> starts = bookStarts(a, Duration.ZERO); // the first minute too
    for (Instrument p : List.of(BTC, ETH)) {
      assertThat(seconds(maxGap(starts.get(p)))).as("%s largest refresh gap", p)
          .isLessThanOrEqualTo(1.0 + seconds(LATENCY.toNanos()));
    }
    // the floor: the tail's instruments x weight / what priority leaves of the rate
    double floor = 198 / (20.0 - 2.0);
    Map<Instrument, List<Long>> steady = bookStarts(a, Duration.ofSeconds(30));
    double worst = 0;
    for (Map.Entry<Instrument, List<Long>> e : steady.entrySet()) {
      if (!e.getKey().equals(BTC) && !e.getKey().equals(ETH)) {
        assertThat(e.getValue()).as("%s never starves", e.getKey()).hasSizeGreaterThan(10);
        worst = Math.max(worst, seconds(maxGap(e.getValue())));
      }
    }
    assertThat(worst).as("the tail's largest gap over the floor of %.1f s", floor)
        .isLessThanOrEqualTo(1.15 * floor);
  }

  @Test
  void aUniverseChangedMidPassKeepsOldestFirstAndNoInstrumentStarves() {
    List<Instrument> first = FakeSource.universe(40);
    FakeSource a = new FakeSource("a", vts, first)
        .limit(RateLimitSpec.of(10, Duration.ofSeconds(1))).concurrency(2);
    Scanner s = Scanner.builder().scheduler(vts).interval(Duration.ZERO)
        .venue(a, VenueOptions.custom().tickers(false).rediscoverEvery(Duration.ofSeconds(1))
            .build()).build();
    scanners.add(s);
    s.start();
    vts.advanceTimeBy(Duration.ofSeconds(6)); // mid-pass: a pass of 40 books takes about 4 s
    List<Instrument> second = new ArrayList<>(first.subList(10, 40));
    List<Instrument> added = List.of(Instrument.spot("NEW1", "USDT"),
        Instrument.spot("NEW2", "USDT"));
    second.addAll(added);
    a.listing(second);
    long changedAt = vts.now(java.util.concurrent.TimeUnit.NANOSECONDS);
    vts.advanceTimeBy(Duration.ofSeconds(60));

    Map<Instrument, List<Long>> after = bookStarts(a, Duration.ofNanos(changedAt));
    for (Instrument gone : first.subList(0, 10)) {
      assertThat(after.getOrDefault(gone, List.of())).as("%s is no longer listed", gone)
          .allSatisfy(t -> assertThat(t).isLessThan(changedAt + Duration.ofSeconds(2).toNanos()));
    }
    for (Instrument fresh : added) {
      assertThat(after.get(fresh)).as("%s, never fetched, goes first", fresh).isNotEmpty();
      assertThat(after.get(fresh).get(0) - changedAt).isLessThan(Duration.ofSeconds(3).toNanos());
    }
    double floor = 32 / (10.0 - 1.0); // rediscovery takes one request a second here
    for (Instrument i : second) {
      List<Long> starts = after.get(i);
      assertThat(starts).as("%s never starves", i).hasSizeGreaterThan(10);
      assertThat(seconds(maxGap(starts))).as("%s largest gap", i)
          .isLessThanOrEqualTo(1.15 * floor);
    }
    assertThat(s.view().health("a")).hasSize(32);
  }

  @Test
  void everyPassIsReportedPerVenueAtItsOwnPace() {
    FakeSource fast = new FakeSource("fast", vts, FakeSource.universe(10))
        .limit(RateLimitSpec.of(20, Duration.ofSeconds(1)));
    FakeSource slow = new FakeSource("slow", vts, FakeSource.universe(10))
        .limit(RateLimitSpec.of(2, Duration.ofSeconds(1)));
    List<PassEvent> passes = new java.util.concurrent.CopyOnWriteArrayList<>();
    run(Scanner.builder().venue(fast, books()).venue(slow, books()).interval(Duration.ZERO)
        .listener(new ScanListener() {
          @Override
          public void onPass(PassEvent pass) {
            passes.add(pass);
          }
        }), Duration.ofSeconds(60));

    List<PassEvent> fastPasses = passes.stream().filter(p -> p.venue().equals("fast")).toList();
    List<PassEvent> slowPasses = passes.stream().filter(p -> p.venue().equals("slow")).toList();
    assertThat(fastPasses).extracting(PassEvent::pass)
        .startsWith(1L, 2L, 3L).doesNotHaveDuplicates();
    assertThat(fastPasses).allSatisfy(p -> {
      assertThat(p.items()).isEqualTo(10);
      assertThat(p.gaveUp()).isZero();
    });
    // 10 books at 20 and at 2 a second (less the discovery's slot in the first pass)
    assertThat(fastPasses.get(3).duration()).isBetween(Duration.ofMillis(450),
        Duration.ofMillis(600));
    assertThat(slowPasses.get(3).duration()).isBetween(Duration.ofMillis(4_500),
        Duration.ofMillis(5_600));
    assertThat(fastPasses.size()).isGreaterThan(8 * slowPasses.size());
  }

  @Test
  void aLongWindowIsPacedNotSpentInABurstAndNeverExceededUnderJitter() {
    // 600 weight a minute: a burst would spend it in seconds, then idle for the rest
    RateLimitSpec limit = RateLimitSpec.of(600, Duration.ofMinutes(1));
    FakeSource a = new FakeSource("a", vts, FakeSource.universe(100)).limit(limit)
        .concurrency(8);
    FakeSource answers = new FakeSource("a", vts, FakeSource.universe(100));
    a.responder((kind, instrument, n) -> kind == RequestKind.INSTRUMENTS ? null
        : Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(0, 150)), vts)
            .map(t -> answers.bookOf(instrument)));
    run(Scanner.builder().venue(a, books()).interval(Duration.ZERO), Duration.ofMinutes(5));

    List<Long> starts = a.calls().stream().map(Call::startNanos).toList();
    long window = limit.window().toNanos();
    for (int i = 0, j = 0; i < starts.size(); i++) {
      while (starts.get(i) - starts.get(j) >= window) {
        j++;
      }
      assertThat(i - j + 1).as("requests sent in the minute before %d", i)
          .isLessThanOrEqualTo(limit.budget());
    }
    assertThat(seconds(maxGap(starts))).as("the largest pause between two requests")
        .isLessThan(0.5);
    long steady = starts.stream().filter(t -> t >= Duration.ofMinutes(1).toNanos()
        && t < Duration.ofMinutes(5).toNanos()).count();
    assertThat(steady / (4.0 * limit.budget())).as("budget used in steady state")
        .isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void aVenueKeepsItsOwnPaceNextToASlowAndAFailingVenue() {
    FakeSource alone = new FakeSource("fast", vts, FakeSource.universe(50))
        .limit(RateLimitSpec.of(50, Duration.ofSeconds(1)));
    run(Scanner.builder().venue(alone, books()).interval(Duration.ZERO), Duration.ofMinutes(2));
    int aloneCalls = alone.calls().size();
    scanners.forEach(Scanner::close);
    vts.dispose();
    vts = VirtualTimeScheduler.create();

    FakeSource fast = new FakeSource("fast", vts, FakeSource.universe(50))
        .limit(RateLimitSpec.of(50, Duration.ofSeconds(1)));
    FakeSource slow = new FakeSource("slow", vts, FakeSource.universe(200))
        .limit(RateLimitSpec.of(1, Duration.ofSeconds(1)));
    FakeSource failing = new FakeSource("failing", vts, FakeSource.universe(50))
        .responder((k, i, n) -> k == RequestKind.INSTRUMENTS ? null
            : Mono.error(new PermanentSourceException("failing", "HTTP 500", null)));
    run(Scanner.builder().venue(fast, books()).venue(slow, books())
        .venue(failing, books()).interval(Duration.ZERO), Duration.ofMinutes(2));

    assertThat((double) fast.calls().size() / aloneCalls).as("together over alone")
        .isBetween(0.99, 1.01);
    assertThat(slow.calls().size()).as("the slow venue at its own pace").isBetween(100, 122);
  }

  @Test
  void aFailingInstrumentBacksOffAndDoesNotEatTheBudget() {
    Instrument broken = Instrument.spot("C3", "USDT");
    FakeSource a = new FakeSource("a", vts, FakeSource.universe(20))
        .limit(RateLimitSpec.of(10, Duration.ofSeconds(1)))
        .responder((kind, instrument, n) -> broken.equals(instrument)
            ? Mono.error(new PermanentSourceException("a", "HTTP 400 unknown symbol", null))
            : null);
    Scanner s = run(Scanner.builder().venue(a, books()).interval(Duration.ZERO),
        Duration.ofMinutes(1));

    Map<Instrument, List<Long>> starts = bookStarts(a, Duration.ZERO);
    // the default policy backs a permanent failure off for its largest backoff, 5 s ± 50 %
    assertThat(starts.get(broken)).hasSizeBetween(8, 25);
    assertThat(starts.get(Instrument.spot("C4", "USDT"))).hasSizeGreaterThan(25);
    assertThat(s.view().health("a", broken)).get().satisfies(h -> {
      assertThat(h.state()).isEqualTo(BookHealth.State.FAILING);
      assertThat(h.lastError()).isEqualTo(ErrorClass.PERMANENT);
    });
    assertThat(s.view().health("a", Instrument.spot("C4", "USDT"))).get()
        .extracting(BookHealth::state, BookHealth::origin)
        .containsExactly(BookHealth.State.LIVE, BookHealth.Origin.POLL);
    assertThat(s.view().health("a")).hasSize(20);
    assertThat(s.view().health("a", Instrument.spot("NOPE", "USDT"))).isEmpty();
  }

  @Test
  void aPrioritySetLargerThanTheBudgetGetsHalfOfItSpreadEvenlyAndTheTailMovesOn() {
    // Kraken-like: one request a second, three priority books wanting one each every second
    FakeSource a = new FakeSource("a", vts, withPriority(20, BTC, ETH, SOL))
        .limit(RateLimitSpec.of(1, Duration.ofSeconds(1))).concurrency(1);
    run(Scanner.builder().venue(a, books()).priority("BTC", "ETH", "SOL")
        .interval(Duration.ZERO), Duration.ofMinutes(4));

    Map<Instrument, List<Long>> starts = bookStarts(a, Duration.ofSeconds(30));
    long priority = 0;
    long all = 0;
    for (Map.Entry<Instrument, List<Long>> e : starts.entrySet()) {
      all += e.getValue().size();
      if (List.of(BTC, ETH, SOL).contains(e.getKey())) {
        priority += e.getValue().size();
        assertThat(seconds(maxGap(e.getValue()))).as("%s spread evenly", e.getKey())
            .isLessThanOrEqualTo(8.0);
      } else {
        assertThat(e.getValue()).as("%s never starves", e.getKey()).hasSizeGreaterThan(3);
      }
    }
    assertThat((double) priority / all).as("priority's share").isBetween(0.45, 0.55);
  }

  @Test
  void aDroppedStreamFallsBackThroughTheBudgetPriorityFirst() {
    FakeStream stream = new FakeStream("a", vts);
    FakeSource a = new FakeSource("a", vts, withPriority(60, BTC))
        .limit(RateLimitSpec.of(5, Duration.ofSeconds(1))).stream(stream);
    VenueOptions options = VenueOptions.custom().tickers(false).stream(true)
        .instruments(withPriority(60, BTC)).build();
    Scanner s = run(Scanner.builder().venue(a, options).priority("BTC"), Duration.ofSeconds(1));
    stream.emit(StreamEvent.connected());
    for (Instrument i : withPriority(60, BTC)) {
      stream.emit(StreamEvent.update(a.bookOf(i)));
    }
    vts.advanceTimeBy(Duration.ofSeconds(20));
    long dropAt = vts.now(java.util.concurrent.TimeUnit.NANOSECONDS);
    int before = a.calls().size();
    stream.refuse(true);
    stream.drop();
    vts.advanceTimeBy(Duration.ofSeconds(30));

    List<Call> fallback = a.calls().subList(before, a.calls().size());
    assertThat(fallback.get(0).instrument()).as("priority falls back first").isEqualTo(BTC);
    assertThat(fallback.get(0).startNanos() - dropAt).isLessThan(Duration.ofMillis(5).toNanos());
    List<Long> starts = fallback.stream().map(Call::startNanos).toList();
    for (int i = 0, j = 0; i < starts.size(); i++) {
      while (starts.get(i) - starts.get(j) >= Duration.ofSeconds(1).toNanos()) {
        j++;
      }
      assertThat(i - j + 1).as("fallback requests in one second").isLessThanOrEqualTo(5);
    }
    assertThat(fallback.size()).as("the budget used while the stream is down")
        .isGreaterThan((int) (30 * 5 * 0.9));
    assertThat(s.view().health("a", BTC)).get().extracting(BookHealth::origin)
        .isEqualTo(BookHealth.Origin.POLL);
  }

  @Test
  void aFailedFirstDiscoveryIsRetriedAfterItsBackoffWithoutAnyOtherWakeUp() {
    // the first discovery answers bad data (a truncated list): nothing to scan yet; the lane
    // must wake itself at the retry's due time (the default backoff: 200 ms, at most 5 s), not
    // wait for some other event that never comes on a venue with nothing in flight
    FakeSource a = new FakeSource("a", vts, FakeSource.universe(10));
    a.responder((kind, instrument, n) -> kind == RequestKind.INSTRUMENTS && n == 0
        ? Mono.error(new BadDataException("a", "instruments: truncated JSON", null)) : null);
    run(Scanner.builder().venue(a, books()).interval(Duration.ofSeconds(1)),
        Duration.ofSeconds(10));

    List<Call> discoveries = a.calls().stream()
        .filter(c -> c.kind() == RequestKind.INSTRUMENTS).toList();
    assertThat(discoveries).as("discoveries").hasSizeGreaterThanOrEqualTo(2);
    assertThat(seconds(discoveries.get(1).startNanos() - discoveries.get(0).startNanos()))
        .as("the retry's delay").isLessThanOrEqualTo(5.0 + seconds(LATENCY.toNanos()));
    assertThat(bookStarts(a, Duration.ZERO)).as("books requested once discovered")
        .containsKeys(FakeSource.universe(10).toArray(Instrument[]::new));
  }
}
