package dev.scanflux.examples.strategies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.replay.Replay;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.StrategyTester;
import dev.scanflux.core.strategy.StrategyTester.Emission;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Hand-built tickers replayed in virtual time, one scan per recorded second: the scan of second
 * {@code n} completes, and signals, at {@code n + 1} seconds. {@code NaN} stands for a figure the
 * venue did not report.
 */
class MoversTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Instrument SOL = Instrument.spot("SOL", "USDT");
  private static final double NONE = Double.NaN;

  private static final Movers MOVERS = Movers.builder().build();

  @TempDir
  Path dir;

  @Test
  void signalsMoversAtLeastTheThresholdStrongestFirstThenByInstrumentAndDirection() {
    TickerSnapshot ethDown = ticker("binance", ETH, 0, -0.08, NONE);
    List<TickerSnapshot> tickers = List.of(
        ticker("okx", SOL, 0, -0.05, NONE),
        ticker("binance", SOL, 0, 0.05, NONE),
        ticker("okx", BTC, 0, -0.0499, NONE),
        ticker("okx", ETH, 0, NONE, NONE),
        ticker("binance", BTC, 0, 0.05, NONE),
        ethDown);

    StrategyTester.given(tickers).when(MOVERS)
        .expectSignalAt(Duration.ofSeconds(1), Signal.builder(Movers.MOVER_KIND, T0.plusSeconds(1))
            .description("ETH/USDT down 8.00 % in 24 h on binance, last 100.0")
            .venues("binance")
            .instruments(ETH)
            .subject("down")
            .strength(0.08)
            .evidence(ethDown)
            .build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.description())
            .isEqualTo("BTC/USDT up 5.00 % in 24 h on binance, last 100.0"))
        .assertSignalAt(Duration.ofSeconds(1), s -> {
          assertThat(s.description()).isEqualTo("SOL/USDT down 5.00 % in 24 h on okx, last 100.0");
          assertThat(s.strength()).isEqualTo(0.05);
        })
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.description())
            .isEqualTo("SOL/USDT up 5.00 % in 24 h on binance, last 100.0"))
        .verify();
  }

  @Test
  void signalsVolumeSpikesAgainstTheEarliestVolumeOfTheLookback() {
    List<TickerSnapshot> tickers = List.of(
        ticker("binance", BTC, 0, NONE, 1000),
        ticker("okx", BTC, 0, NONE, 0),
        ticker("binance", BTC, 1, NONE, NONE),
        ticker("okx", BTC, 1, NONE, 100),
        ticker("binance", BTC, 2, NONE, 1400),
        ticker("okx", BTC, 2, NONE, 150),
        ticker("binance", BTC, 3, NONE, 1500),
        ticker("binance", BTC, 4, NONE, 1500),
        ticker("binance", BTC, 5, NONE, 2250));

    StrategyTester.given(tickers).when(Movers.builder().lookbackScans(3).build())
        // okx's 0 is no reference, its 100 of second 1 is
        .assertSignalAt(Duration.ofSeconds(3), s -> {
          assertThat(s.kind()).isEqualTo(Movers.SPIKE_KIND);
          assertThat(s.description())
              .isEqualTo("BTC/USDT 24 h quote volume 150 USDT on okx, 1.5 × the 100 USDT of 1"
                  + " scan earlier");
        })
        // binance's unreported volume of second 1 is skipped; 1000 is 3 scans back, just in
        .expectSignalAt(Duration.ofSeconds(4), Signal.builder(Movers.SPIKE_KIND, T0.plusSeconds(4))
            .description("BTC/USDT 24 h quote volume 1,500 USDT on binance, 1.5 × the 1,000"
                + " USDT of 3 scans earlier")
            .venues("binance")
            .instruments(BTC)
            .subject("volume")
            .strength(1.5)
            .evidence(tickers.get(0), tickers.get(6))
            .build())
        // at second 4, 1000 has left the lookback: 1500 against 1400 is no spike
        .assertSignalAt(Duration.ofSeconds(6), s -> {
          assertThat(s.description()).isEqualTo("BTC/USDT 24 h quote volume 2,250 USDT on"
              + " binance, 1.61 × the 1,400 USDT of 3 scans earlier");
          assertThat(s.strength()).isEqualTo(2250.0 / 1400);
          assertThat(s.evidence()).containsExactly(tickers.get(4), tickers.get(8));
        })
        .verify();
  }

  @Test
  void oneMoveOnSeveralVenuesIsOneSignalStrongestVenueFirst() {
    TickerSnapshot binance = ticker("binance", BTC, 0, 0.06, 1000);
    TickerSnapshot okx = ticker("okx", BTC, 0, 0.07, 1000);
    TickerSnapshot bybit = ticker("bybit", BTC, 0, -0.02, 1000);

    StrategyTester.given(List.of(binance, okx, bybit)).when(MOVERS)
        .expectSignalAt(Duration.ofSeconds(1), Signal.builder(Movers.MOVER_KIND, T0.plusSeconds(1))
            .description("BTC/USDT up 7.00 % in 24 h on okx, last 100.0; also binance 6.00 %")
            .venues("okx", "binance")
            .instruments(BTC)
            .subject("up")
            .strength(0.07)
            .evidence(okx, binance)
            .build())
        .verify();
  }

  @Test
  void keepsTheTopOfEachKindMoversFirst() {
    List<TickerSnapshot> tickers = List.of(
        ticker("binance", BTC, 0, 0, 1000),
        ticker("binance", ETH, 0, 0, 1000),
        ticker("binance", SOL, 0, 0, 1000),
        ticker("binance", BTC, 1, 0.1, 2000),
        ticker("binance", ETH, 1, -0.2, 3000),
        ticker("binance", SOL, 1, 0.3, 1600));

    List<String> signals = StrategyTester.given(tickers).when(Movers.builder().top(2).build())
        .signals().stream()
        .map(e -> e.at().toSeconds() + " s " + e.signal().kind() + ' ' + e.signal().instruments()
            + ' ' + e.signal().strength())
        .toList();

    assertThat(signals).containsExactly(
        "2 s mover-24h [SOL/USDT] 0.3",
        "2 s mover-24h [ETH/USDT] 0.2",
        "2 s volume-spike [ETH/USDT] 3.0",
        "2 s volume-spike [BTC/USDT] 2.0");
  }

  @Test
  void eachSubscriptionHasItsOwnHistory() {
    List<TickerSnapshot> tickers = List.of(
        ticker("binance", BTC, 0, NONE, 1000),
        ticker("binance", BTC, 1, NONE, 1500));
    Flux<Double> strengths = Flux.fromIterable(tickers)
        .transform(Replay.scans(Duration.ofSeconds(1)))
        .transform(Movers.builder().lookbackScans(2).build())
        .map(Signal::strength);

    // with a history shared by both subscriptions, the second would compare 1000 with 1000 and
    // 1500 with 1500, and signal nothing
    StepVerifier.create(strengths).expectNext(1.5).verifyComplete();
    StepVerifier.create(strengths).expectNext(1.5).verifyComplete();
  }

  @Test
  void readsUnreportedFiguresFromARecording() {
    Path file = dir.resolve("binance.jsonl.gz");
    RecordingWriter.builder(file).venues("binance").build().write(Flux.just(
            ticker("binance", BTC, 0, NONE, 1000),
            ticker("binance", BTC, 1, 0.06, NONE),
            ticker("binance", BTC, 2, NONE, 1500)))
        .block();

    StrategyTester.given(file).when(MOVERS)
        .assertSignalAt(Duration.ofSeconds(2),
            s -> assertThat(s.kind()).isEqualTo(Movers.MOVER_KIND))
        .assertSignalAt(Duration.ofSeconds(3), s -> assertThat(s.description())
            .endsWith("1.5 × the 1,000 USDT of 2 scans earlier"))
        .verify();
  }

  @Test
  void isDeterministicAndRanksEveryScan() {
    List<MarketSnapshot> tickers = new ArrayList<>();
    for (int second = 0; second < 120; second++) {
      for (String venue : List.of("okx", "binance")) {
        for (int i = 0; i < 40; i++) {
          int wave = (second * 7 + i * 13 + venue.length()) % 31;
          tickers.add(ticker(venue, Instrument.spot("C" + i, "USDT"), second + i / 100.0,
              (wave - 15) / 100.0, wave % 5 == 0 ? NONE : 1000 + wave * 50));
        }
      }
    }
    StrategyTester.Then<Signal> run = StrategyTester.given(tickers).when(MOVERS);

    List<Emission<Signal>> first = run.signals();
    assertThat(run.signals()).isEqualTo(first);

    Map<String, List<Signal>> byScanAndKind = new TreeMap<>();
    for (Emission<Signal> e : first) {
      byScanAndKind.computeIfAbsent(e.at() + " " + e.signal().kind(), k -> new ArrayList<>())
          .add(e.signal());
    }
    assertThat(byScanAndKind.keySet()).contains("PT1S mover-24h")
        .anyMatch(key -> key.endsWith(Movers.SPIKE_KIND));
    Comparator<Signal> rank = Comparator.comparingDouble(Signal::strength).reversed()
        .thenComparing((Signal s) -> s.instruments().get(0)).thenComparing(Signal::subject);
    byScanAndKind.values().forEach(signals -> assertThat(signals).hasSizeBetween(1, 10)
        .isSortedAccordingTo(rank));
  }

  @Test
  void builderChecksArguments() {
    assertThatThrownBy(() -> Movers.builder().minChange(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minChange must be finite and more than 0 but was 0.0");
    assertThatThrownBy(() -> Movers.builder().minChange(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minChange must be finite and more than 0 but was NaN");
    assertThatThrownBy(() -> Movers.builder().volumeFactor(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("volumeFactor must be finite and more than 1 but was 1.0");
    assertThatThrownBy(() -> Movers.builder().volumeFactor(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("volumeFactor must be finite and more than 1 but was Infinity");
    assertThatThrownBy(() -> Movers.builder().lookbackScans(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lookbackScans must be at least 1 but was 0");
    assertThatThrownBy(() -> Movers.builder().top(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("top must be at least 1 but was 0");
    assertThat(MOVERS).hasToString("24 h movers at least 5.00 % up or down, and volume spikes at"
        + " least 1.5 × the 24 h quote volume of up to 60 scans earlier; the top 10 of each per"
        + " scan");
  }

  private static TickerSnapshot ticker(String venue, Instrument instrument, double second,
      double change24h, double quoteVolume24h) {
    Instant t = T0.plusMillis(Math.round(second * 1000));
    return new TickerSnapshot(venue, instrument, 100, 100.1, 100, NONE, quoteVolume24h, change24h,
        t, t);
  }
}
