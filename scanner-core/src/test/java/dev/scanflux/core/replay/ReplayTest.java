package dev.scanflux.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.Scan;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class ReplayTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");

  @TempDir
  Path dir;

  @Test
  void mergeOrdersByReceiveTimeAndBreaksTiesBySourceOrder() {
    MarketSnapshot a0 = ticker("a", BTC, 0);
    MarketSnapshot a2 = ticker("a", BTC, 2000);
    MarketSnapshot b0 = ticker("b", BTC, 0);
    MarketSnapshot b1 = ticker("b", BTC, 1000);
    MarketSnapshot c3 = ticker("c", BTC, 3000);

    StepVerifier.create(Replay.merge(Flux.just(c3), Flux.just(b0, b1), Flux.just(a0, a2)))
        .expectNext(b0, a0, b1, a2, c3)
        .verifyComplete();
  }

  @Test
  void ofReadsAndMergesRecordings() {
    Path a = dir.resolve("a.jsonl.gz");
    Path b = dir.resolve("b.jsonl");
    RecordingWriter.of(a).write(Flux.just(ticker("a", BTC, 0), ticker("a", BTC, 2000))).block();
    RecordingWriter.of(b).write(Flux.just(ticker("b", BTC, 1000))).block();

    StepVerifier.create(Replay.of(a, b).map(MarketSnapshot::venue))
        .expectNext("a", "b", "a")
        .verifyComplete();
  }

  @Test
  void recordedTimingEmitsAtRecordedOffsetsInVirtualTime() {
    MarketSnapshot s0 = ticker("a", BTC, 0);
    MarketSnapshot s0b = ticker("b", BTC, 0);
    MarketSnapshot s2 = ticker("a", BTC, 2000);
    MarketSnapshot s25 = ticker("a", BTC, 2500);

    StepVerifier.withVirtualTime(() -> Flux.just(s0, s0b, s2, s25)
            .transform(Replay.recordedTiming(Schedulers.parallel())))
        .expectSubscription()
        .expectNext(s0, s0b)
        .expectNoEvent(Duration.ofSeconds(2))
        .expectNext(s2)
        .expectNoEvent(Duration.ofMillis(500))
        .expectNext(s25)
        .verifyComplete();
  }

  @Test
  void recordedTimingUsesOneTimerPerGapNotPerSnapshot() {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    List<MarketSnapshot> data = new ArrayList<>();
    for (int second = 0; second < 10; second++) {
      for (int i = 0; i < 100; i++) {
        data.add(ticker("v" + i, BTC, second * 1000));
      }
    }
    List<MarketSnapshot> out = new ArrayList<>();

    Flux.fromIterable(data).transform(Replay.recordedTiming(vts)).subscribe(out::add);
    assertThat(out).hasSize(100);
    vts.advanceTimeBy(Duration.ofSeconds(9));

    assertThat(out).containsExactlyElementsOf(data);
    assertThat(vts.getScheduledTaskCount()).isEqualTo(9);
  }

  @Test
  void replayFromAFileIsPacedInVirtualTime() {
    Path file = dir.resolve("paced.jsonl.gz");
    RecordingWriter.of(file).write(Flux.just(ticker("a", BTC, 0), ticker("a", BTC, 3_600_000)))
        .block();

    StepVerifier.withVirtualTime(() -> RecordingReader.builder(file)
            .scheduler(Schedulers.immediate()).build().snapshots()
            .transform(Replay.recordedTiming(Schedulers.parallel())))
        .expectSubscription()
        .expectNextCount(1)
        .expectNoEvent(Duration.ofHours(1))
        .expectNextCount(1)
        .verifyComplete();
  }

  @Test
  void scansGroupByEpochAlignedWindowsOfReceiveTime() {
    MarketSnapshot s1 = ticker("okx", BTC, 100);
    MarketSnapshot s2 = book("binance", ETH, 500);
    MarketSnapshot s3 = ticker("okx", ETH, 900);
    MarketSnapshot s4 = ticker("okx", BTC, 1200);
    MarketSnapshot s5 = ticker("okx", BTC, 3000);

    List<Scan> scans = Flux.just(s1, s2, s3, s4, s5).transform(Replay.scans(Duration.ofSeconds(1)))
        .collectList().block();

    assertThat(scans).hasSize(3);
    Scan first = scans.get(0);
    assertThat(first.cycle()).isEqualTo(1);
    assertThat(first.startedAt()).isEqualTo(T0);
    assertThat(first.completedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(first.snapshots()).containsExactly(s1, s2, s3);
    assertThat(first.report().duration()).isEqualTo(Duration.ofSeconds(1));
    assertThat(first.report().venues().keySet()).containsExactly("binance", "okx");
    VenueReport okx = first.report().venues().get("okx");
    assertThat(okx.instruments()).isEqualTo(2);
    assertThat(okx.requests()).isEqualTo(2);
    assertThat(okx.successes()).isEqualTo(2);
    assertThat(okx.failed()).isZero();
    assertThat(okx.duration()).isEqualTo(Duration.ofMillis(900));
    assertThat(scans.get(1).cycle()).isEqualTo(2);
    assertThat(scans.get(1).snapshots()).containsExactly(s4);
    assertThat(scans.get(2).cycle()).isEqualTo(3);
    assertThat(scans.get(2).startedAt()).isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void scansRejectOutOfOrderSnapshots() {
    StepVerifier.create(Flux.just(ticker("a", BTC, 1000), ticker("a", BTC, 500))
            .transform(Replay.scans(Duration.ofSeconds(1))))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("receive-time order"))
        .verify();
  }

  @Test
  void pacedScansArriveWhenTheirWindowCloses() {
    List<MarketSnapshot> data = List.of(ticker("a", BTC, 0), ticker("a", BTC, 300),
        ticker("a", BTC, 1500), ticker("a", BTC, 4999));

    StepVerifier.withVirtualTime(() -> Flux.fromIterable(data)
            .transform(Replay.scans(Duration.ofSeconds(1), Schedulers.parallel()))
            .map(Scan::cycle))
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(1))
        .expectNext(1L)
        .expectNoEvent(Duration.ofSeconds(1))
        .expectNext(2L)
        .expectNoEvent(Duration.ofSeconds(3))
        .expectNext(3L)
        .verifyComplete();
  }

  @Test
  void emptyInputMakesNoScans() {
    StepVerifier.create(Flux.<MarketSnapshot>empty().transform(Replay.scans(Duration.ofMillis(1))))
        .verifyComplete();
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> Replay.scans(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be in (PT0S, PT24H] but was PT0S");
    assertThatThrownBy(() -> Replay.scans(Duration.ofDays(2), Schedulers.immediate()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Replay.merge(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sources");
  }

  @Test
  void manySnapshotsAtOneInstantMakeAScanOfTheirItemsNotOfEverySnapshot() {
    // the shape of a file of 3 million snapshots with one timestamp, CI-sized: 300,000 of them
    Path file = dir.resolve("one-instant.jsonl.gz");
    Instrument[] instruments = {BTC, ETH, Instrument.spot("SOL", "USDT")};
    long written = RecordingWriter.of(file).write(Flux.range(0, 300_000).map(i ->
        i % 2 == 0 ? ticker("a", instruments[i % 3], 0) : book("b", instruments[i % 3], 0)))
        .block();
    assertThat(written).isEqualTo(300_000);

    List<Scan> scans = Replay.of(file).transform(Replay.scans(Duration.ofSeconds(1)))
        .collectList().block(Duration.ofMinutes(1));

    assertThat(scans).singleElement().satisfies(scan -> {
      assertThat(scan.snapshots()).hasSize(6); // a's tickers and b's books of 3 instruments
      assertThat(scan.report().venues().get("a").requests()).isEqualTo(150_000);
      assertThat(scan.report().venues().get("b").requests()).isEqualTo(150_000);
      assertThat(scan.report().venues().get("b").instruments()).isEqualTo(3);
    });
  }

  @Test
  void aScanKeepsTheLatestSnapshotOfEachItemInTheOrderOfTheirLatestArrival() {
    MarketSnapshot btc1 = ticker("a", BTC, 0);
    MarketSnapshot eth = ticker("a", ETH, 100);
    MarketSnapshot btcBook = book("a", BTC, 200);
    MarketSnapshot btc2 = ticker("a", BTC, 300);

    StepVerifier.create(Flux.just(btc1, eth, btcBook, btc2)
            .transform(Replay.scans(Duration.ofSeconds(1))))
        .assertNext(scan -> {
          assertThat(scan.snapshots()).containsExactly(eth, btcBook, btc2);
          assertThat(scan.report().venues().get("a").requests()).isEqualTo(4);
        })
        .verifyComplete();
  }

  private static TickerSnapshot ticker(String venue, Instrument instrument, long millis) {
    Instant t = T0.plusMillis(millis);
    return new TickerSnapshot(venue, instrument, 100, 101, 100.5, 1, 100, 0.01, t, t);
  }

  private static BookSnapshot book(String venue, Instrument instrument, long millis) {
    return BookSnapshot.builder(venue, instrument).receivedAt(T0.plusMillis(millis))
        .bid(100, 1).ask(101, 1).build();
  }
}
