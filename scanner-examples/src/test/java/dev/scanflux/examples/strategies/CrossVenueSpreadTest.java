package dev.scanflux.examples.strategies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingReader;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.replay.Replay;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.StrategyTester;
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

/**
 * Replays a recorded session of two venues in virtual time: every second, both venues quote BTC
 * and ETH around the same price; in second 4 okx's BTC ask falls well below binance's bid, and in
 * second 7 it falls below it by less than the two taker fees.
 */
class CrossVenueSpreadTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");

  private static final CrossVenueSpread ARB = CrossVenueSpread.builder()
      .takerFee("binance", 0.001)
      .takerFee("okx", 0.0008)
      .build();

  @TempDir
  Path dir;

  @Test
  void signalsTheSpreadThatBeatsTheFeesWhenItsScanCompletes() {
    Path binance = record("binance");
    Path okx = record("okx");

    StrategyTester.given(binance, okx)
        .scanEvery(Duration.ofSeconds(1))
        .when(ARB)
        .assertSignalAt(Duration.ofSeconds(5), signal -> {
          assertThat(signal.kind()).isEqualTo(CrossVenueSpread.KIND);
          assertThat(signal.at()).isEqualTo(T0.plusSeconds(5));
          assertThat(signal.venues()).containsExactly("okx", "binance");
          assertThat(signal.instruments()).containsExactly(BTC);
          assertThat(signal.strength())
              .isCloseTo(100_500 * (1 - 0.001) / (100_000 * (1 + 0.0008)) - 1, within(1e-12));
          assertThat(signal.evidence()).extracting(MarketSnapshot::venue)
              .containsExactly("okx", "binance");
          assertThat(signal.description()).isEqualTo("buy BTC/USDT on okx at 100,000, sell on"
              + " binance at 100,500: 0.319 % net of taker fees");
          assertThat(signal.subject()).isEqualTo("spread");
          assertThat(CrossVenueSpread.isOpportunity(signal)).isTrue();
        })
        .verify();
  }

  @Test
  void anHourOfQuietDataGivesNoSignal() {
    List<MarketSnapshot> quiet = new ArrayList<>();
    for (int second = 0; second < 3600; second++) {
      quiet.add(ticker("binance", BTC, second, 100_000, 100_010));
      quiet.add(ticker("okx", BTC, second, 100_005, 100_015));
    }

    StrategyTester.given(quiet).when(ARB).verify();
  }

  @Test
  void booksCountAndTheLatestQuoteOfAScanWins() {
    List<MarketSnapshot> data = List.of(
        book("binance", ETH, 0, 3_000, 3_001),
        ticker("okx", ETH, 0, 2_900, 2_901),
        ticker("okx", ETH, 0.5, 3_000, 3_001),
        book("okx", ETH, 2, 2_980, 2_981),
        book("binance", ETH, 2.2, 3_000, 3_001));

    StrategyTester.given(data).when(ARB)
        .assertSignalAt(Duration.ofSeconds(3), signal -> {
          assertThat(signal.venues()).containsExactly("okx", "binance");
          assertThat(signal.evidence()).allMatch(s -> s instanceof BookSnapshot);
        })
        .verify();
  }

  /** The same check without the kit: replay the recordings and verify with StepVerifier. */
  @Test
  void replaysRecordingsWithStepVerifier() {
    Path binance = record("binance");
    Path okx = record("okx");

    StepVerifier.withVirtualTime(() -> Replay.merge(
                RecordingReader.builder(binance).scheduler(Schedulers.immediate()).build()
                    .snapshots(),
                RecordingReader.builder(okx).scheduler(Schedulers.immediate()).build()
                    .snapshots())
            .transform(Replay.scans(Duration.ofSeconds(1), Schedulers.parallel()))
            .transform(ARB)
            .map(Signal::instruments))
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(5))
        .expectNext(List.of(BTC))
        .thenAwait(Duration.ofSeconds(10))
        .verifyComplete();
  }

  @Test
  void builderChecksArguments() {
    assertThatThrownBy(() -> CrossVenueSpread.builder().takerFee("okx", -0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("takerFee must be in [0, 0.1] but was -0.1");
    assertThatThrownBy(() -> CrossVenueSpread.builder().minEdge(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minEdge must be in [0, 1) but was 1.0");
    assertThatThrownBy(() -> CrossVenueSpread.builder().maxSpread(0))
        .hasMessage("maxSpread must be finite and more than 0 but was 0.0");
    assertThat(ARB).hasToString("cross-venue spread: net of taker fees {binance=0.001, "
        + "okx=8.0E-4} (default 0.10 %) above 0.00 %, the top 10 per scan; gross spreads beyond"
        + " 5.00 % are mismatches");
    assertThatThrownBy(() -> CrossVenueSpread.builder().top(0))
        .hasMessage("top must be at least 1 but was 0");
  }

  @Test
  void aSpreadBeyondTheSanityBoundIsAMismatchNotAnOpportunity() {
    // "GALA" on two venues: one lists the old token, one the new, a thousand times apart
    Instrument gala = Instrument.spot("GALA", "USDT");
    BookSnapshot old = book("okx", gala, 0.1, 0.01998, 0.02002);
    BookSnapshot renamed = book("binance", gala, 0.2, 20.0, 20.02);
    BookSnapshot near = book("bybit", ETH, 0.3, 3_000, 3_000.5);
    BookSnapshot far = book("kraken", ETH, 0.4, 3_160, 3_160.5);

    StrategyTester.given(List.of(old, renamed, near, far)).when(ARB)
        .assertSignalAt(Duration.ofSeconds(1), s -> {
          assertThat(s.kind()).isEqualTo(CrossVenueSpread.MISMATCH_KIND);
          assertThat(s.instruments()).containsExactly(ETH);
          assertThat(s.description()).isEqualTo("ETH/USDT bid 3,160.0 on kraken is 5.32 % above"
              + " the ask 3,000.5 on bybit, beyond the 5.00 % sanity bound: probably not the"
              + " same asset, not an opportunity");
        })
        .assertSignalAt(Duration.ofSeconds(1), s -> {
          assertThat(s.kind()).isEqualTo(CrossVenueSpread.MISMATCH_KIND);
          assertThat(CrossVenueSpread.isOpportunity(s)).isFalse();
          assertThat(s.venues()).containsExactly("okx", "binance");
          assertThat(s.strength()).isCloseTo(20.0 / 0.02002 - 1, within(1e-9));
          assertThat(s.subject()).isEqualTo("mismatch");
        })
        .verify();
    StrategyTester.given(List.of(near, far))
        .when(CrossVenueSpread.builder().maxSpread(0.06).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(CrossVenueSpread.isOpportunity(s))
            .isTrue())
        .verify();
  }

  /** Ten seconds of one venue's quotes, written to a gzipped recording. */
  private Path record(String venue) {
    List<MarketSnapshot> quotes = new ArrayList<>();
    for (int second = 0; second < 10; second++) {
      double btcAsk = venue.equals("okx") && second == 4 ? 100_000
          : venue.equals("okx") && second == 7 ? 100_450 : 100_510;
      quotes.add(ticker(venue, BTC, second + 0.1, 100_500, btcAsk));
      quotes.add(ticker(venue, ETH, second + 0.2, 3_000, 3_000.5));
    }
    Path file = dir.resolve(venue + ".jsonl.gz");
    RecordingWriter.builder(file).venues(venue).build().write(Flux.fromIterable(quotes)).block();
    return file;
  }

  private static TickerSnapshot ticker(String venue, Instrument instrument, double second,
      double bid, double ask) {
    Instant t = T0.plusMillis(Math.round(second * 1000));
    return new TickerSnapshot(venue, instrument, Math.min(bid, ask - 1), ask, bid, 1, 1, 0, t, t);
  }

  private static BookSnapshot book(String venue, Instrument instrument, double second, double bid,
      double ask) {
    return BookSnapshot.builder(venue, instrument).receivedAt(T0.plusMillis(Math.round(second * 1000)))
        .bid(bid, 1).ask(ask, 1).build();
  }
}
