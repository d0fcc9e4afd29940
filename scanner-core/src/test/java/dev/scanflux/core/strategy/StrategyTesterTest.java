package dev.scanflux.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.strategy.StrategyTester.Emission;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

class StrategyTesterTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  /** Signals every scan holding a ticker with a bid above 200. */
  private static final Strategy<Signal> HIGH_BID = scans -> scans.concatMapIterable(scan ->
      scan.tickers().stream().filter(t -> t.bid() > 200)
          .map(t -> Signal.builder("high-bid", scan.completedAt()).venues(t.venue())
              .instruments(t.instrument()).strength(t.bid()).evidence(t).build())
          .toList());

  private static final List<MarketSnapshot> DATA = List.of(
      ticker("a", 0, 100), ticker("a", 1_500, 250), ticker("b", 1_700, 300),
      ticker("a", 4_200, 100), ticker("a", 6_000, 201));

  @TempDir
  Path dir;

  /** The example in the class Javadoc, verbatim. */
  @Test
  void javadocExampleWorks() {
    Strategy<Signal> breakout = scans -> scans.concatMapIterable(scan ->
        scan.tickers().stream().filter(t -> t.bid() > 105)
            .map(t -> Signal.builder("breakout", scan.completedAt())
                .venues(t.venue()).instruments(t.instrument()).evidence(t).build())
            .toList());

    StrategyTester.given(List.of(example(0, 100), example(1, 104), example(2, 106),
            example(3, 103)))
        .scanEvery(Duration.ofSeconds(1))
        .when(breakout)
        .assertSignalAt(Duration.ofSeconds(3),
            signal -> assertThat(signal.evidence()).containsExactly(example(2, 106)))
        .verify();
  }

  private static TickerSnapshot example(int second, double bid) {
    Instant t = T0.plusSeconds(second);
    return new TickerSnapshot("binance", BTC, bid, bid + 0.5, bid, 1, 1, 0, t, t);
  }

  @Test
  void verifiesSignalsAtTheirVirtualTimes() {
    StrategyTester.given(DATA)
        .when(HIGH_BID)
        .expectSignalAt(Duration.ofSeconds(2), signal(ticker("a", 1_500, 250), 2))
        .assertSignalAt(Duration.ofSeconds(2), s -> assertThat(s.venues()).containsExactly("b"))
        .expectNoSignalsUntil(Duration.ofSeconds(6))
        .assertSignalAt(Duration.ofSeconds(7), s -> assertThat(s.strength()).isEqualTo(201))
        .verify();
  }

  @Test
  void aSignalAtAnotherTimeFailsNamingBothTimes() {
    StrategyTester.Then<Signal> then = StrategyTester.given(DATA).when(HIGH_BID)
        .assertSignalAt(Duration.ofSeconds(3), s -> { });

    assertThatThrownBy(then::verifyThenCancel).isInstanceOf(AssertionError.class)
        .hasMessageContaining("signal 1 at PT3S: expected a signal at PT3S but the next one came"
            + " at PT2S");
  }

  @Test
  void aMissingSignalFails() {
    StrategyTester.Then<Signal> then = StrategyTester.given(DATA.subList(0, 1)).when(HIGH_BID)
        .assertSignalAt(Duration.ofSeconds(1), s -> { });

    assertThatThrownBy(then::verify).isInstanceOf(AssertionError.class)
        .hasMessageContaining("signal 1 at PT1S").hasMessageContaining("onComplete");
  }

  @Test
  void anUnexpectedSignalFailsVerifyButNotVerifyThenCancel() {
    StrategyTester.Then<Signal> then = StrategyTester.given(DATA).when(HIGH_BID)
        .assertSignalAt(Duration.ofSeconds(2), s -> { })
        .assertSignalAt(Duration.ofSeconds(2), s -> { });

    then.verifyThenCancel();
    assertThatThrownBy(then::verify).isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected: onComplete()");
  }

  @Test
  void aTrailingNoSignalsExpectationIsChecked() {
    StrategyTester.given(DATA).when(HIGH_BID)
        .assertSignalAt(Duration.ofSeconds(2), s -> { })
        .assertSignalAt(Duration.ofSeconds(2), s -> { })
        .expectNoSignalsUntil(Duration.ofMillis(6999))
        .verifyThenCancel();

    StrategyTester.Then<Signal> tooLong = StrategyTester.given(DATA).when(HIGH_BID)
        .assertSignalAt(Duration.ofSeconds(2), s -> { })
        .assertSignalAt(Duration.ofSeconds(2), s -> { })
        .expectNoSignalsUntil(Duration.ofSeconds(7));
    assertThatThrownBy(tooLong::verifyThenCancel).isInstanceOf(AssertionError.class);
  }

  @Test
  void signalsListsEverySignalWithItsTime() {
    List<Emission<Signal>> signals = StrategyTester.given(DATA).when(HIGH_BID).signals();

    assertThat(signals).extracting(Emission::at).containsExactly(Duration.ofSeconds(2),
        Duration.ofSeconds(2), Duration.ofSeconds(7));
    assertThat(signals.get(2).signal()).isEqualTo(signal(ticker("a", 6_000, 201), 7));
  }

  @Test
  void scanEveryChangesTheWindow() {
    Strategy<Long> cycles = scans -> scans.map(Scan::cycle);

    StrategyTester.given(DATA).scanEvery(Duration.ofSeconds(5)).when(cycles)
        .expectSignalAt(Duration.ofSeconds(5), 1L)
        .expectSignalAt(Duration.ofSeconds(10), 2L)
        .verify();
  }

  @Test
  void aStrategyThatDoesNotCompleteFails() {
    Strategy<Signal> endless = scans -> HIGH_BID.apply(scans).concatWith(Flux.never());

    assertThatThrownBy(() -> StrategyTester.given(DATA).when(endless).signals())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("the strategy did not complete when its scans completed");
  }

  @Test
  void aFailingStrategyFails() {
    Strategy<Signal> failing = scans -> scans.map(scan -> {
      throw new IllegalStateException("bug in strategy");
    });

    assertThatThrownBy(() -> StrategyTester.given(DATA).when(failing).verify())
        .isInstanceOf(AssertionError.class).hasMessageContaining("bug in strategy");
  }

  @Test
  void readsRecordings() {
    Path a = dir.resolve("a.jsonl.gz");
    Path b = dir.resolve("b.jsonl");
    RecordingWriter.of(a).write(Flux.fromIterable(DATA).filter(s -> s.venue().equals("a")))
        .block();
    RecordingWriter.of(b).write(Flux.fromIterable(DATA).filter(s -> s.venue().equals("b")))
        .block();

    assertThat(StrategyTester.given(a, b).when(HIGH_BID).signals())
        .isEqualTo(StrategyTester.given(DATA).when(HIGH_BID).signals());
  }

  @Test
  void argumentsAreChecked() {
    StrategyTester.Then<Signal> then = StrategyTester.given(DATA).when(HIGH_BID)
        .expectNoSignalsUntil(Duration.ofSeconds(2));
    assertThatThrownBy(() -> then.expectNoSignalsUntil(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at must be at least PT2S (the previous expectation's time) but was PT1S");
    assertThatThrownBy(() -> StrategyTester.given(DATA).scanEvery(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be in (PT0S, PT24H] but was PT48H");
    assertThatThrownBy(() -> StrategyTester.given(DATA).timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(StrategyTester::given).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * An hour of 50 instruments on 3 venues at one update per second (540,000 snapshots, one
   * gzipped recording per venue) gives the same, non-empty signals on every run.
   */
  @Test
  void aRecordedHourReplaysDeterministically() {
    String[] venues = {"binance", "okx", "kraken"};
    Path[] files = new Path[venues.length];
    long written = 0;
    for (int v = 0; v < venues.length; v++) {
      files[v] = dir.resolve(venues[v] + ".jsonl.gz");
      written += RecordingWriter.builder(files[v]).venues(venues[v]).build()
          .write(hour(venues[v], v)).block();
    }
    assertThat(written).isEqualTo(540_000);

    StrategyTester.Then<Signal> run = StrategyTester.given(files).when(new CrossedQuotes(0.001));
    List<Emission<Signal>> first = run.signals();
    List<Emission<Signal>> second = run.signals();

    assertThat(first).isNotEmpty().isEqualTo(second);
    assertThat(first).allSatisfy(e -> {
      assertThat(e.at().toNanosPart()).isZero();
      assertThat(e.at()).isBetween(Duration.ofSeconds(1), Duration.ofHours(1));
      assertThat(e.signal().at()).isEqualTo(T0.plus(e.at()));
      assertThat(e.signal().evidence()).hasSize(2);
    });
  }

  /** One venue's hour: a ticker (every tenth a 5-level book) per instrument per second. */
  private static Flux<MarketSnapshot> hour(String venue, int venueIndex) {
    Random random = new Random(venueIndex);
    return Flux.range(0, 3600 * 50).map(n -> {
      int second = n / 50;
      int i = n % 50;
      double base = 10.0 * (i + 1) * (1 + 0.01 * Math.sin(second / 60.0 + i));
      double mid = base * (1 + random.nextGaussian() * 1e-4)
          * (random.nextInt(2000) == 0 ? 1.005 : 1.0);
      double half = mid * 5e-5;
      Instrument instrument = Instrument.spot("C" + i, "USDT");
      Instant t = T0.plusSeconds(second).plusMillis(100L * venueIndex + i);
      if ((second + i) % 10 == 0) {
        BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument).receivedAt(t);
        for (int level = 0; level < 5; level++) {
          b.bid(mid - half * (1 + 2 * level), 1 + level).ask(mid + half * (1 + 2 * level), 1);
        }
        return b.build();
      }
      return new TickerSnapshot(venue, instrument, mid - half, mid + half, mid, 1000, 1000 * mid,
          0.01, t, t);
    });
  }

  /** Signals when one venue's best bid is above another's best ask by more than an edge. */
  private record CrossedQuotes(double edge) implements Strategy<Signal> {
    @Override
    public Flux<Signal> apply(Flux<Scan> scans) {
      return scans.concatMapIterable(scan -> {
        Map<Instrument, Map<String, MarketSnapshot>> latest = new HashMap<>();
        for (MarketSnapshot s : scan.snapshots()) {
          latest.computeIfAbsent(s.instrument(), k -> new java.util.TreeMap<>()).put(s.venue(), s);
        }
        return latest.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .flatMap(e -> crossed(scan, e.getKey(), e.getValue()).stream())
            .toList();
      });
    }

    private List<Signal> crossed(Scan scan, Instrument instrument,
        Map<String, MarketSnapshot> byVenue) {
      MarketSnapshot bestBid = null;
      MarketSnapshot bestAsk = null;
      for (MarketSnapshot s : byVenue.values()) {
        if (bestBid == null || bid(s) > bid(bestBid)) {
          bestBid = s;
        }
        if (bestAsk == null || ask(s) < ask(bestAsk)) {
          bestAsk = s;
        }
      }
      if (bestBid == null || bestAsk == null || bid(bestBid) <= ask(bestAsk) * (1 + edge)) {
        return List.of();
      }
      return List.of(Signal.builder("crossed", scan.completedAt())
          .venues(bestAsk.venue(), bestBid.venue()).instruments(instrument)
          .strength(bid(bestBid) / ask(bestAsk) - 1).evidence(bestAsk, bestBid).build());
    }

    private static double bid(MarketSnapshot s) {
      return s instanceof BookSnapshot b ? b.bestBid() : ((TickerSnapshot) s).bid();
    }

    private static double ask(MarketSnapshot s) {
      return s instanceof BookSnapshot b ? b.bestAsk() : ((TickerSnapshot) s).ask();
    }
  }

  private static Signal signal(TickerSnapshot t, int second) {
    return Signal.builder("high-bid", T0.plusSeconds(second)).venues(t.venue())
        .instruments(t.instrument()).strength(t.bid()).evidence(t).build();
  }

  private static TickerSnapshot ticker(String venue, long millis, double bid) {
    Instant t = T0.plusMillis(millis);
    return new TickerSnapshot(venue, BTC, bid, bid + 1, bid, 1, 1, 0, t, t);
  }
}
