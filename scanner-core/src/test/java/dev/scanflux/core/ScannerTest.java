package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.FakeSource.Call;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ScannerTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Instrument SOL = Instrument.spot("SOL", "USDT");

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

  private Scanner.Builder builder() {
    return Scanner.builder().scheduler(vts).interval(Duration.ofSeconds(1));
  }

  private Scanner started(Scanner.Builder builder) {
    Scanner s = builder.build();
    scanners.add(s);
    return s.start();
  }

  private FakeSource fake(String venue, List<Instrument> instruments) {
    return new FakeSource(venue, vts, instruments);
  }

  private static VenueOptions.Builder books() {
    return VenueOptions.custom().tickers(false);
  }

  @Test
  void priorityInstrumentsComeFirstAndAreRefreshedEveryPriorityRefreshOnEveryVenue() {
    List<Instrument> universe = new ArrayList<>(FakeSource.universe(40));
    universe.add(7, SOL);
    universe.add(20, ETH);
    universe.add(BTC); // last in the venue's own order
    FakeSource a = fake("a", universe).concurrency(1);
    FakeSource b = fake("b", universe).concurrency(3);

    StepVerifier.withVirtualTime(() -> started(builder()
                .venue(a).venue(b).priority("BTC", "ETH", "SOL").maxCycles(3)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .expectNextCount(3)
        .verifyComplete();

    for (FakeSource source : List.of(a, b)) {
      List<Call> calls = source.calls().stream()
          .filter(c -> c.kind() != RequestKind.INSTRUMENTS).toList();
      assertThat(calls.subList(0, 6)).extracting(Call::instrument)
          .containsExactly(BTC, BTC, ETH, ETH, SOL, SOL);
      for (Instrument p : List.of(BTC, ETH, SOL)) {
        List<Long> starts = calls.stream()
            .filter(c -> c.kind() == RequestKind.BOOK && c.instrument().equals(p))
            .map(Call::startNanos).toList();
        assertThat(starts).hasSizeGreaterThan(6);
        for (int i = 1; i < starts.size(); i++) {
          assertThat(starts.get(i) - starts.get(i - 1)).as("%s refresh gap %d", p, i)
              .isBetween(Duration.ofMillis(900).toNanos(), Duration.ofMillis(1_050).toNanos());
        }
      }
      Map<Instrument, Long> perInstrument = new HashMap<>();
      for (Call c : calls) {
        if (c.kind() == RequestKind.BOOK && !List.of(BTC, ETH, SOL).contains(c.instrument())) {
          perInstrument.merge(c.instrument(), 1L, Long::sum);
        }
      }
      assertThat(perInstrument).hasSize(40);
      long least = perInstrument.values().stream().mapToLong(Long::longValue).min().orElseThrow();
      long most = perInstrument.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      assertThat(least).as("every ordinary book once per pass").isGreaterThanOrEqualTo(3);
      assertThat(most - least).as("oldest first: none refreshed twice before another once")
          .isLessThanOrEqualTo(1);
    }
  }

  @Test
  void bulkTickersComeRightAfterThePriorityInstruments() {
    FakeSource a = fake("a", FakeSource.universe("X", "BTC", "Y")).concurrency(1).bulkTickers();

    StepVerifier.withVirtualTime(() -> started(builder().venue(a).priority("BTC").maxCycles(1))
                .scans(), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMinutes(1))
        .assertNext(scan -> {
          assertThat(scan.tickers()).extracting(MarketSnapshot::instrument)
              .containsExactlyInAnyOrder(BTC, Instrument.spot("X", "USDT"),
                  Instrument.spot("Y", "USDT"));
          assertThat(scan.report().venues().get("a").requests()).isEqualTo(1 + 1 + 3);
        })
        .verifyComplete();

    assertThat(a.calls()).extracting(Call::kind).containsExactly(RequestKind.INSTRUMENTS,
        RequestKind.BOOK, RequestKind.TICKERS, RequestKind.BOOK, RequestKind.BOOK);
    assertThat(a.calls().get(1).instrument()).isEqualTo(BTC);
  }

  @Test
  void concurrencyIsNeverExceeded() {
    FakeSource a = fake("a", FakeSource.universe(200)).concurrency(3);
    FakeSource b = fake("b", FakeSource.universe(200));

    StepVerifier.withVirtualTime(() -> started(builder().venue(a)
                .venue(b, VenueOptions.custom().concurrency(7).build()).maxCycles(2)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .expectNextCount(2)
        .verifyComplete();

    assertThat(a.peakInFlight()).isEqualTo(3);
    assertThat(b.peakInFlight()).isEqualTo(7);
    // two passes, and at most the requests of the next pass in flight when the scanner stopped
    assertThat(a.calls().size()).isBetween(1 + 2 * 400, 1 + 2 * 400 + 3);
  }

  @Test
  void rateLimitIsNeverExceededInAnySlidingWindowAndIsUsedFully() {
    RateLimitSpec limit = RateLimitSpec.of(20, Duration.ofSeconds(1))
        .withWeight(RequestKind.TICKER, 2).withBookWeight(depth -> 3);
    FakeSource a = fake("a", FakeSource.universe(100)).limit(limit).concurrency(16)
        .latency(Duration.ofMillis(30));
    List<Scan> scans = new CopyOnWriteArrayList<>();

    StepVerifier.withVirtualTime(() -> started(builder().venue(a).maxCycles(2)).scans()
                .doOnNext(scans::add), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .expectNextCount(2)
        .verifyComplete();

    List<Call> calls = a.calls();
    long window = TimeUnit.SECONDS.toNanos(1);
    for (Call first : calls) {
      long weight = calls.stream()
          .filter(c -> c.startNanos() >= first.startNanos()
              && c.startNanos() < first.startNanos() + window)
          .mapToLong(c -> limit.weight(c.kind(), 20)).sum();
      assertThat(weight).as("weight in the window from %d ns", first.startNanos())
          .isLessThanOrEqualTo(20);
    }
    // 100 books x 3 + 100 tickers x 2 = 500 weight at 20/s: a 25 s floor per cycle
    VenueReport second = scans.get(1).report().venues().get("a");
    assertThat(second.weightUsed()).isEqualTo(500);
    assertThat(second.duration()).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(27));
    assertThat(second.utilisation()).isBetween(0.9, 1.05);
    assertThat(second.throttles()).isZero();
  }

  @Test
  void retryAfterPausesTheWholeVenue() {
    Duration retryAfter = Duration.ofSeconds(7);
    FakeSource a = fake("a", FakeSource.universe(30)).concurrency(2)
        .responder((kind, instrument, n) -> n == 5
            ? Mono.error(new ThrottledException("a", "HTTP 429", retryAfter)) : null);

    StepVerifier.withVirtualTime(() -> started(builder().venue(a, books().build()).maxCycles(1))
                .scans(), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .assertNext(scan -> {
          VenueReport r = scan.report().venues().get("a");
          assertThat(r.throttles()).isEqualTo(1);
          assertThat(r.retries()).isEqualTo(1);
          assertThat(r.gaveUp()).isZero();
          assertThat(scan.books()).hasSize(30);
        })
        .verifyComplete();

    List<Call> calls = a.calls();
    long throttledAt = calls.get(5).startNanos() + Duration.ofMillis(50).toNanos();
    List<Call> after = calls.subList(7, calls.size()); // call 6 was in flight already
    assertThat(after).allSatisfy(c -> assertThat(c.startNanos())
        .isGreaterThanOrEqualTo(throttledAt + retryAfter.toNanos())
        .as("no request during the pause")
        .isNotNull());
    assertThat(calls.stream().filter(c -> c.startNanos() > throttledAt
        && c.startNanos() < throttledAt + retryAfter.toNanos())).isEmpty();
  }

  @Test
  void transientFailuresBackOffExponentiallyWithBoundedJitter() {
    RetryPolicy policy = RetryPolicy.custom().maxRetries(3)
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10)).jitter(0.5).build();
    Duration latency = Duration.ofMillis(50);
    FakeSource a = fake("a", FakeSource.universe(60)).concurrency(64).latency(latency)
        .responder((kind, instrument, n) -> kind == RequestKind.BOOK
            ? Mono.error(new TransientSourceException("a", "HTTP 503", null)) : null);

    StepVerifier.withVirtualTime(() -> started(builder()
                .venue(a, books().retry(policy).build()).maxCycles(1)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .assertNext(scan -> {
          VenueReport r = scan.report().venues().get("a");
          // each book tried once and retried 3 times in the pass (one given up early may have
          // begun its next pass, after its own longer backoff, before the last one gave up)
          assertThat(r.failures(ErrorClass.TRANSIENT)).isBetween(60L * 4, 60L * 4 + 5);
          assertThat(r.retries()).isBetween(60L * 3, 60L * 3 + 5);
          assertThat(r.gaveUp()).isEqualTo(60);
          assertThat(scan.books()).isEmpty();
        })
        .verifyComplete();

    Map<Instrument, List<Long>> starts = a.calls().stream()
        .filter(c -> c.kind() == RequestKind.BOOK)
        .collect(Collectors.groupingBy(Call::instrument,
            Collectors.mapping(Call::startNanos, Collectors.toList())));
    Set<Long> firstGaps = new HashSet<>();
    for (List<Long> s : starts.values()) {
      assertThat(s).hasSizeGreaterThanOrEqualTo(4);
      for (int retry = 1; retry <= 3; retry++) {
        long nominal = Duration.ofSeconds(1L << (retry - 1)).toNanos();
        long backoff = s.get(retry) - s.get(retry - 1) - latency.toNanos();
        assertThat(backoff).as("backoff before retry %d", retry)
            .isBetween(nominal / 2, nominal * 3 / 2);
      }
      firstGaps.add(s.get(1) - s.get(0));
    }
    assertThat(firstGaps).as("jitter spreads the retries").hasSizeGreaterThan(10);
  }

  @Test
  void aFailingAndAHangingVenueNeverDelayAHealthyOne() {
    FakeSource healthy = fake("healthy", FakeSource.universe(20));
    FakeSource hanging = fake("hanging", FakeSource.universe(20))
        .responder((k, i, n) -> k == RequestKind.INSTRUMENTS ? null : Mono.never());
    FakeSource failing = fake("failing", FakeSource.universe(20))
        .responder((k, i, n) -> k == RequestKind.INSTRUMENTS ? null
            : Mono.error(new PermanentSourceException("failing", "HTTP 404", null)));
    VenueOptions timeout = books().requestTimeout(Duration.ofSeconds(2)).build();

    StepVerifier.withVirtualTime(() -> started(builder().interval(Duration.ZERO)
                .venue(healthy, books().build())
                .venue(hanging, timeout).venue(failing, timeout).maxCycles(1)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .assertNext(scan -> {
          Map<String, VenueReport> r = scan.report().venues();
          assertThat(r.get("healthy").failed()).isZero();
          assertThat(r.get("hanging").failures(ErrorClass.TRANSIENT)).isGreaterThanOrEqualTo(20 * 4);
          assertThat(r.get("hanging").gaveUp()).isGreaterThanOrEqualTo(20);
          assertThat(r.get("failing").failures(ErrorClass.PERMANENT)).isGreaterThanOrEqualTo(20);
          assertThat(r.get("failing").retries()).isZero();
          assertThat(scan.books()).hasSize(20)
              .allSatisfy(b -> assertThat(b.venue()).isEqualTo("healthy"));
          assertThat(scan.report().duration()).isGreaterThan(Duration.ofSeconds(8));
        })
        .verifyComplete();

    // next to them, the healthy venue kept the pace it has alone
    long until = healthy.calls().get(healthy.calls().size() - 1).startNanos();
    VirtualTimeScheduler solo = VirtualTimeScheduler.create();
    FakeSource reference = new FakeSource("healthy", solo, FakeSource.universe(20));
    Scanner s = Scanner.builder().scheduler(solo).interval(Duration.ZERO)
        .venue(reference, books().build()).build().start();
    scanners.add(s);
    solo.advanceTimeBy(Duration.ofNanos(until));
    assertThat(healthy.calls().size()).isGreaterThan(100)
        .isBetween(reference.calls().size() - 20, reference.calls().size() + 20);
    s.close();
    solo.dispose();
  }

  @Test
  void badSnapshotsAreCountedAndNeverEmitted() {
    List<Instrument> universe = FakeSource.universe("BTC", "CROSSED", "OTHER", "VENUE", "NEG");
    FakeSource a = fake("a", universe);
    a.responder((kind, instrument, n) -> {
      if (instrument == null) {
        return null;
      }
      return switch (instrument.base()) {
        case "CROSSED" -> Mono.fromCallable(() -> BookSnapshot.builder("a", instrument)
            .bid(101, 1).ask(100, 1).build());
        case "OTHER" -> Mono.fromCallable(() -> a.bookOf(SOL));
        case "VENUE" -> Mono.fromCallable(() -> BookSnapshot.builder("b", instrument)
            .bid(99, 1).ask(100, 1).build());
        case "NEG" -> Mono.fromCallable(() -> BookSnapshot.builder("a", instrument)
            .bid(99, -1).ask(100, 1).build());
        default -> null;
      };
    });
    List<MarketSnapshot> emitted = new CopyOnWriteArrayList<>();

    StepVerifier.withVirtualTime(() -> {
          Scanner s = started(builder().venue(a, books().build()).maxCycles(1));
          s.snapshots().subscribe(emitted::add);
          return s.scans();
        }, () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .assertNext(scan -> {
          VenueReport r = scan.report().venues().get("a");
          assertThat(r.failures(ErrorClass.BAD_DATA)).isEqualTo(4);
          assertThat(r.retries()).isZero();
          assertThat(r.gaveUp()).isEqualTo(4);
          assertThat(scan.snapshots()).extracting(MarketSnapshot::instrument)
              .containsExactly(BTC);
        })
        .verifyComplete();

    assertThat(emitted).extracting(MarketSnapshot::instrument).containsExactly(BTC);
    assertThat(scanners.get(0).view().books()).extracting(MarketSnapshot::instrument)
        .containsExactly(BTC);
  }

  @Test
  void lateSubscribersGetTheNewestScanAtOnce() {
    FakeSource a = fake("a", FakeSource.universe(5));
    Scanner scanner = started(builder().venue(a));
    List<Scan> early = new CopyOnWriteArrayList<>();
    scanner.latest().subscribe(early::add);
    vts.advanceTimeBy(Duration.ofMillis(100));
    assertThat(early).as("no scan has completed yet: latest() waits").isEmpty();
    vts.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(early).extracting(Scan::cycle).containsExactly(1L);

    vts.advanceTimeBy(Duration.ofSeconds(10));
    long newest = scanner.latest().block(Duration.ofSeconds(1)).cycle();
    assertThat(newest).isGreaterThan(3);

    StepVerifier.create(scanner.latest())
        .assertNext(scan -> assertThat(scan.cycle()).isEqualTo(newest))
        .verifyComplete();
    StepVerifier.create(scanner.scans().take(2))
        .assertNext(scan -> assertThat(scan.cycle()).isEqualTo(newest))
        .then(() -> vts.advanceTimeBy(Duration.ofSeconds(2)))
        .assertNext(scan -> assertThat(scan.cycle()).isEqualTo(newest + 1))
        .verifyComplete();
  }

  @Test
  void viewHoldsTheLatestSnapshotsWithTheirAge() {
    FakeSource a = fake("a", FakeSource.universe("BTC", "ETH"));
    Scanner scanner = started(builder().venue(a).maxCycles(1));
    MarketView view = scanner.view();
    assertThat(view.book("a", BTC)).isEmpty();

    vts.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(view.size()).isEqualTo(4);
    BookSnapshot book = view.book("a", BTC).orElseThrow();
    assertThat(book.receivedAt()).isBeforeOrEqualTo(view.now());
    assertThat(view.books(BTC)).containsExactly(book);
    assertThat(view.ticker("a", ETH)).isPresent();

    vts.advanceTimeBy(Duration.ofSeconds(30));
    assertThat(book.ageAt(view.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(view.book("a", BTC, Duration.ofSeconds(5))).isEmpty();
    assertThat(view.book("a", BTC, Duration.ofMinutes(5))).contains(book);
  }

  @Test
  void consecutiveFailuresTriggerRediscovery() {
    FakeSource a = fake("a", FakeSource.universe(12))
        .responder((kind, instrument, n) -> kind == RequestKind.BOOK && n < 40
            ? Mono.error(new PermanentSourceException("a", "HTTP 400", null)) : null);

    List<Scan> scans = new ArrayList<>();
    StepVerifier.withVirtualTime(() -> started(builder()
                .venue(a, books().rediscoverAfterFailures(10).build()).maxCycles(4)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .recordWith(() -> scans)
        .expectNextCount(4)
        .verifyComplete();

    List<Call> discoveries = a.calls().stream()
        .filter(c -> c.kind() == RequestKind.INSTRUMENTS).toList();
    assertThat(discoveries).hasSizeGreaterThanOrEqualTo(2);
    assertThat(discoveries.get(1).startNanos()).as("after the 10th failure, not at once")
        .isGreaterThan(0);
    assertThat(scans).anySatisfy(
        scan -> assertThat(scan.report().venues().get("a").rediscovered()).isTrue());
  }

  @Test
  void discoveryAppliesTheFilterAndTheMinimumVolumeFromBulkTickers() {
    List<Instrument> listed = FakeSource.universe("BTC", "BTCUP", "ETH", "THIN", "SOL");
    listed = new ArrayList<>(listed);
    listed.add(Instrument.spot("ETH", "TRY"));
    FakeSource a = fake("a", listed).bulkTickers();
    a.responder((kind, instrument, n) -> kind != RequestKind.TICKERS ? null
        : Mono.fromCallable(() -> FakeSource.universe("BTC", "ETH", "THIN", "SOL").stream()
            .map(i -> new dev.scanflux.core.model.TickerSnapshot("a", i, 1, 2, 1.5, 1,
                i.base().equals("THIN") ? 10 : i.base().equals("SOL") ? Double.NaN : 5e6, 0,
                Instant.EPOCH, Instant.EPOCH))
            .toList()));
    UniverseFilter filter = UniverseFilter.custom().quotes("USDT").minQuoteVolume24h(1e6)
        .build();

    StepVerifier.withVirtualTime(() -> started(builder().venue(a).filter(filter).maxCycles(1))
                .scans(), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMinutes(1))
        .assertNext(scan -> {
          assertThat(scan.report().venues().get("a").instruments()).isEqualTo(3);
          assertThat(scan.books()).extracting(MarketSnapshot::instrument)
              .containsExactlyInAnyOrderElementsOf(FakeSource.universe("BTC", "ETH", "SOL"));
        })
        .verifyComplete();
  }

  @Test
  void theViewForgetsInstrumentsAVenueNoLongerLists() {
    List<Instrument> before = FakeSource.universe("BTC", "ETH", "GONE");
    List<Instrument> after = FakeSource.universe("BTC", "ETH");
    FakeSource a = fake("a", before);
    a.responder((kind, instrument, n) -> kind == RequestKind.INSTRUMENTS && n > 0
        ? Mono.just(after) : null);
    Scanner scanner = started(builder().interval(Duration.ofMinutes(1))
        .venue(a, VenueOptions.custom().rediscoverEvery(Duration.ofMinutes(1)).build()));

    vts.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(scanner.view().books()).hasSize(3);
    vts.advanceTimeBy(Duration.ofMinutes(2));
    assertThat(scanner.view().books()).extracting(MarketSnapshot::instrument)
        .containsExactlyInAnyOrderElementsOf(after);
    assertThat(scanner.view().tickers()).hasSize(2);
  }

  @Test
  void discoveredInstrumentsAreRefreshedOnSchedule() {
    FakeSource a = fake("a", FakeSource.universe(3));

    StepVerifier.withVirtualTime(() -> started(builder().interval(Duration.ofMinutes(1))
                .venue(a, VenueOptions.custom().rediscoverEvery(Duration.ofMinutes(5)).build())
                .maxCycles(12)).scans(), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .expectNextCount(12)
        .verifyComplete();

    assertThat(a.calls()).filteredOn(c -> c.kind() == RequestKind.INSTRUMENTS)
        .extracting(c -> Duration.ofNanos(c.startNanos()).toMinutes())
        .containsExactly(0L, 5L, 10L);
  }

  @Test
  void reportComparesTheParallelCycleWithSequentialScanning() {
    List<FakeSource> venues = new ArrayList<>();
    Scanner.Builder b = builder().maxCycles(1);
    for (String name : List.of("a", "b", "c", "d", "e")) {
      FakeSource s = fake(name, FakeSource.universe(10)).concurrency(1);
      venues.add(s);
      b.venue(s, books().build());
    }

    StepVerifier.withVirtualTime(() -> started(b).scans(), () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofHours(1))
        .assertNext(scan -> {
          ScanReport r = scan.report();
          assertThat(r.venues()).hasSize(5);
          assertThat(r.duration()).isEqualTo(Duration.ofMillis(11 * 50));
          assertThat(r.sequentialEstimate()).isEqualTo(Duration.ofMillis(5 * 11 * 50));
          assertThat(r.speedup()).isEqualTo(5.0);
          VenueReport a = r.venues().get("a");
          assertThat(a.latencyP50()).isEqualTo(Duration.ofMillis(50));
          assertThat(a.latencyP99()).isEqualTo(Duration.ofMillis(50));
          assertThat(a.requests()).isEqualTo(a.successes()).isEqualTo(11);
        })
        .verifyComplete();
  }

  @Test
  void aSlowSnapshotSubscriberGetsTheLatestPerKeyAndNeverSlowsScanning() {
    FakeSource a = fake("a", FakeSource.universe(10));
    Scanner scanner = started(builder().venue(a).interval(Duration.ZERO).maxCycles(5));

    StepVerifier.withVirtualTime(scanner::snapshots, () -> vts, 0)
        .thenAwait(Duration.ofMinutes(1))
        .then(() -> assertThat(scanner.latest().block(Duration.ofSeconds(1)).cycle())
            .as("all five cycles ran while the subscriber asked for nothing").isEqualTo(5))
        .thenRequest(1000)
        .recordWith(ArrayList::new)
        .expectNextCount(20) // 10 books and 10 tickers: the latest of each, not 5 cycles' worth
        .consumeRecordedWith(latest -> assertThat(latest).allSatisfy(s ->
            assertThat(s).isSameAs(s instanceof BookSnapshot
                ? scanner.view().book("a", s.instrument()).orElseThrow()
                : scanner.view().ticker("a", s.instrument()).orElseThrow())))
        .verifyComplete();
  }

  @Test
  void listenersSeeEveryRequestAndCannotDisturbTheScan() {
    FakeSource a = fake("a", FakeSource.universe("BTC", "ETH")).responder((k, i, n) ->
        k == RequestKind.TICKER && ETH.equals(i)
            ? Mono.error(new PermanentSourceException("a", "HTTP 400", null)) : null);
    List<RequestEvent> events = new CopyOnWriteArrayList<>();
    List<Long> scans = new CopyOnWriteArrayList<>();
    ScanListener recorder = new ScanListener() {
      @Override
      public void onRequest(RequestEvent event) {
        events.add(event);
      }

      @Override
      public void onScan(Scan scan) {
        scans.add(scan.cycle());
      }
    };
    ScanListener broken = new ScanListener() {
      @Override
      public void onSnapshot(MarketSnapshot snapshot) {
        throw new IllegalStateException("listener bug");
      }
    };

    StepVerifier.withVirtualTime(() -> started(builder().venue(a).priority("ETH")
                .listener(broken).listener(recorder).maxCycles(1)).scans(),
            () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMinutes(1))
        .assertNext(scan -> {
          assertThat(scan.snapshots()).hasSize(3);
          // every failure counted, not only the first (which alone is logged in full)
          assertThat(scan.report().listenerFailures()).isEqualTo(3);
        })
        .verifyComplete();

    assertThat(scans).containsExactly(1L);
    assertThat(events).hasSize(5);
    assertThat(events.get(0).kind()).isEqualTo(RequestKind.INSTRUMENTS);
    assertThat(events).filteredOn(e -> !e.succeeded()).singleElement().satisfies(e -> {
      assertThat(e.instrument()).isEqualTo(ETH);
      assertThat(e.priority()).isTrue();
      assertThat(e.failure()).isEqualTo(ErrorClass.PERMANENT);
      assertThat(e.roundTrip()).isEqualTo(Duration.ofMillis(50));
      assertThat(e.cycle()).isEqualTo(1);
      assertThat(e.attempt()).isEqualTo(1);
    });
  }

  @Test
  void snapshotsAreStampedWithTheScannersClockInReceiveOrder() {
    List<MarketSnapshot> received = new CopyOnWriteArrayList<>();
    Scanner.Builder b = builder().maxCycles(2);
    for (int v = 0; v < 3; v++) {
      b.venue(fake("v" + v, FakeSource.universe(30)).latency(Duration.ofMillis(7 + 13 * v)));
    }

    StepVerifier.withVirtualTime(() -> {
          Scanner s = started(b);
          s.snapshots().subscribe(received::add);
          return s.scans();
        }, () -> vts, Long.MAX_VALUE)
        .thenAwait(Duration.ofMinutes(1))
        .expectNextCount(2)
        .verifyComplete();

    assertThat(received).hasSize(2 * 3 * 60);
    assertThat(received).extracting(MarketSnapshot::receivedAt).isSorted();
    assertThat(received).allSatisfy(s -> assertThat(s.receivedAt())
        .isAfter(Instant.EPOCH).isBefore(Instant.EPOCH.plusSeconds(60)));
  }

  @Test
  void closeCancelsEverythingAndStopsTimers() {
    FakeSource a = fake("a", FakeSource.universe(50)).limit(RateLimitSpec.parse("5/1s"))
        .latency(Duration.ofSeconds(10));
    Scanner scanner = started(builder().venue(a));
    List<Object> signals = new CopyOnWriteArrayList<>();
    scanner.snapshots().subscribe(signals::add, signals::add, () -> signals.add("complete"));
    vts.advanceTimeBy(Duration.ofSeconds(3));
    assertThat(a.inFlight()).isPositive();
    int callsBeforeClose = a.calls().size();

    scanner.close();

    assertThat(a.calls()).as("closing sends nothing more").hasSize(callsBeforeClose);
    assertThat(signals).last().isEqualTo("complete");
    assertThat(a.isClosed()).isTrue();
    assertThat(a.inFlight()).isZero();
    int calls = a.calls().size();
    long tasks = vts.getScheduledTaskCount();
    vts.advanceTimeBy(Duration.ofHours(1));
    assertThat(a.calls()).hasSize(calls);
    assertThat(vts.getScheduledTaskCount()).as("no timer fires or reschedules").isEqualTo(tasks);
    StepVerifier.create(scanner.scans()).verifyComplete();
    assertThatThrownBy(scanner::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeReleasesTheScannersOwnThreads() throws InterruptedException {
    Set<Thread> before = scannerThreads();
    FakeSource a = new FakeSource("a", reactor.core.scheduler.Schedulers.parallel(),
        FakeSource.universe(3)).latency(Duration.ofMillis(1));
    Scanner scanner = Scanner.builder().venue(a).interval(Duration.ZERO).build().start();
    Scan first = scanner.latest().block(Duration.ofSeconds(10));
    assertThat(first.completedAt()).as("real schedulers give wall-clock instants")
        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    assertThat(first.snapshots()).allSatisfy(s -> assertThat(s.receivedAt())
        .isBetween(first.startedAt(), first.completedAt()));
    Set<Thread> during = scannerThreads();
    during.removeAll(before);
    assertThat(during).isNotEmpty();

    scanner.close();

    for (Thread t : during) {
      t.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(t.isAlive()).as("%s after close", t.getName()).isFalse();
    }
  }

  private static Set<Thread> scannerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("scanflux")).collect(Collectors.toSet());
  }

  @Test
  void invalidArgumentsFailAtBuildWithTheirNameAndRange() {
    FakeSource a = fake("a", FakeSource.universe(1));
    assertThatThrownBy(() -> Scanner.builder().build())
        .hasMessageContaining("venues must contain at least 1");
    assertThatThrownBy(() -> builder().venue(a).venue(fake("a", List.of())).build())
        .hasMessageContaining("'a' was added twice");
    assertThatThrownBy(() -> builder().venue(a).interval(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("interval must be in [PT0S, PT24H] but was PT-1S");
    assertThatThrownBy(() -> builder().venue(a).maxCycles(-1).build())
        .hasMessageContaining("maxCycles must be in [0, ");
    assertThatThrownBy(() -> builder().venue(a).priority("BTC", "btc").build())
        .hasMessageContaining("priority must hold distinct");
    assertThatThrownBy(() -> builder().venue(a.concurrency(0)).build())
        .hasMessageContaining("venue 'a': concurrency must be in [1, 1024] but was 0");
    assertThatThrownBy(() -> VenueOptions.custom().concurrency(2000).build())
        .hasMessage("concurrency must be in [1, 1024] but was 2000");
    assertThatThrownBy(() -> VenueOptions.custom().depth(0).build())
        .hasMessage("depth must be in [1, 5000] but was 0");
    assertThatThrownBy(() -> VenueOptions.custom().requestTimeout(Duration.ZERO).build())
        .hasMessageContaining("requestTimeout must be in [PT0.001S, PT10M]");
    assertThatThrownBy(() -> VenueOptions.custom().rediscoverAfterFailures(0).build())
        .hasMessageContaining("rediscoverAfterFailures must be in [1, 1000000]");
    assertThatThrownBy(() -> VenueOptions.custom().priorityReserve(-1).build())
        .hasMessage("priorityReserve must be in [0, 1000000] but was -1");
    assertThatThrownBy(() -> builder().venue(fake("r", List.of()).limit(RateLimitSpec.parse("5/1s")),
            VenueOptions.custom().priorityReserve(5).build()).build())
        .hasMessage("venue 'r': priorityReserve must be in [0, 4] (the budget less the heaviest "
            + "ordinary request) but was 5");
    assertThatThrownBy(() -> VenueOptions.custom().books(false).tickers(false).build())
        .hasMessage("books and tickers must not both be off");
    assertThatThrownBy(() -> RetryPolicy.custom().maxRetries(-1).build())
        .hasMessage("maxRetries must be in [0, 100] but was -1");
    assertThatThrownBy(() -> RetryPolicy.custom().jitter(2).build())
        .hasMessage("jitter must be in [0, 1] but was 2.0");
    assertThatThrownBy(() -> RetryPolicy.custom()
            .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
        .hasMessage("maxBackoff must be in [PT2S, PT1H] but was PT1S");
    assertThatThrownBy(() -> builder().venue(fake("b", List.of())
            .limit(RateLimitSpec.of(10, Duration.ofSeconds(1)).withBookWeight(d -> d)),
            VenueOptions.custom().depth(50).build()).build())
        .hasMessageContaining("weight must be in [1, 10] but was 50");
  }

  /** Splits a fake venue's calls into cycles, each starting after an instrument listing. */
  private static List<List<Call>> cycles(List<Call> calls) {
    List<List<Call>> cycles = new ArrayList<>();
    List<Call> current = null;
    long lastStart = Long.MIN_VALUE;
    for (Call c : calls) {
      if (c.kind() == RequestKind.INSTRUMENTS) {
        continue;
      }
      if (current == null || c.startNanos() - lastStart >= Duration.ofMillis(900).toNanos()) {
        current = new ArrayList<>();
        cycles.add(current);
      }
      current.add(c);
      lastStart = c.startNanos();
    }
    return cycles;
  }
}
