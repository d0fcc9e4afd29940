package dev.scanflux.examples.strategies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.StrategyTester;
import dev.scanflux.core.strategy.StrategyTester.Emission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-built books replayed in virtual time. Every book has its mid at 1000 (best bid 999.5,
 * best ask 1000.5) and levels 2 apart, so with the default 2 % band the ten best levels of each
 * side (bids down to 981.5, asks up to 1018.5) are the touch region.
 */
class OrderBookWallsTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");

  private static final OrderBookWalls WALLS = OrderBookWalls.builder().build();

  @Test
  void signalsEachWallWhenItsScanCompletesInVenueInstrumentSideOrder() {
    BookSnapshot quiet = book("binance", BTC, 0, uniform(15), uniform(15));
    double[] asks = with(with(uniform(15), 2, 9.99), 12, 10);
    BookSnapshot binanceBtc = book("binance", BTC, 1.3, with(uniform(15), 3, 12), asks);
    BookSnapshot binanceEth = book("binance", ETH, 1.2, uniform(15), with(uniform(15), 0, 30));
    BookSnapshot okxBtc = book("okx", BTC, 1.1, with(uniform(15), 0, 20), uniform(15));
    BookSnapshot later = book("binance", BTC, 2, uniform(15), uniform(15));

    StrategyTester.given(List.of(quiet, okxBtc, binanceEth, binanceBtc, later))
        .when(WALLS)
        .expectSignalAt(Duration.ofSeconds(2), Signal.builder(OrderBookWalls.KIND, at(2))
            .description("bid wall on binance BTC/USDT at 993.5: size 12.0, 12.00 times the"
                + " median 1.0, 0.650 % from mid")
            .venues("binance")
            .instruments(BTC)
            .strength(12)
            .evidence(binanceBtc)
            .build())
        .assertSignalAt(Duration.ofSeconds(2), signal -> {
          assertThat(signal.description()).isEqualTo("ask wall on binance BTC/USDT at 1024.5:"
              + " size 10.0, 10.00 times the median 1.0, 2.450 % from mid");
          assertThat(signal.strength()).isEqualTo(10);
        })
        .assertSignalAt(Duration.ofSeconds(2), signal -> {
          assertThat(signal.instruments()).containsExactly(ETH);
          assertThat(signal.description()).startsWith("ask wall on binance ETH/USDT at 1000.5:");
          assertThat(signal.evidence()).containsExactly(binanceEth);
        })
        .assertSignalAt(Duration.ofSeconds(2), signal -> {
          assertThat(signal.venues()).containsExactly("okx");
          assertThat(signal.description()).startsWith("bid wall on okx BTC/USDT at 999.5:");
          assertThat(signal.strength()).isEqualTo(20);
        })
        .verify();
  }

  @Test
  void anHourOfUniformBooksGivesNoSignal() {
    List<MarketSnapshot> books = new ArrayList<>();
    for (int second = 0; second < 3600; second++) {
      books.add(book("binance", BTC, second, uniform(20), uniform(20)));
    }

    StrategyTester.given(books).when(WALLS).verify();
  }

  @Test
  void theMedianNeedsEnoughLevelsInTheBand() {
    BookSnapshot thin = BookSnapshot.builder("binance", BTC).receivedAt(at(0))
        .bid(999.5, 1).bid(997.5, 1).bid(995.5, 1).bid(993.5, 1).bid(950, 50)
        .ask(1000.5, 1).build();

    StrategyTester.given(List.of(thin)).when(WALLS).verify();
    StrategyTester.given(List.of(thin))
        .when(OrderBookWalls.builder().minLevels(4).build())
        .assertSignalAt(Duration.ofSeconds(1), signal -> assertThat(signal.description())
            .isEqualTo("bid wall on binance BTC/USDT at 950.0: size 50.0, 50.00 times the median"
                + " 1.0, 5.000 % from mid"))
        .verify();
  }

  @Test
  void aWiderBandTakesMoreLevelsIntoTheMedian() {
    // Within 2 % of the mid: ten levels of size 1. Within 5 %: fifteen more of size 5, so the
    // median is 5. Just beyond 5 %, at 949.5: 50, ten times that.
    double[] bids = uniform(26);
    Arrays.fill(bids, 10, 25, 5);
    bids[25] = 50;
    BookSnapshot b = book("binance", BTC, 0, bids, uniform(3));

    StrategyTester.given(List.of(b)).when(WALLS)
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.strength()).isEqualTo(50))
        .verify();
    StrategyTester.given(List.of(b)).when(OrderBookWalls.builder().band(0.05).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.description())
            .isEqualTo("bid wall on binance BTC/USDT at 949.5: size 50.0, 10.00 times the median"
                + " 5.0, 5.050 % from mid"))
        .verify();
  }

  @Test
  void minNotionalIsInclusive() {
    BookSnapshot b = book("binance", BTC, 0, with(uniform(15), 3, 12), uniform(15));

    StrategyTester.given(List.of(b))
        .when(OrderBookWalls.builder().minNotional(993.5 * 12).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.strength()).isEqualTo(12))
        .verify();
    StrategyTester.given(List.of(b))
        .when(OrderBookWalls.builder().minNotional(993.5 * 12 + 0.5).build())
        .verify();
  }

  @Test
  void aZeroMedianOneSidedBooksAndOlderBooksOfTheScanGiveNoSignal() {
    BookSnapshot zeros = book("binance", BTC, 0, with(new double[15], 12, 5), uniform(15));
    BookSnapshot oneSided = BookSnapshot.builder("okx", BTC).receivedAt(at(0))
        .bid(999.5, 1).bid(997.5, 1).bid(995.5, 1).bid(993.5, 1).bid(991.5, 1).bid(989.5, 100)
        .build();
    BookSnapshot wall = book("binance", ETH, 1.1, with(uniform(15), 3, 12), uniform(15));
    BookSnapshot replaced = book("binance", ETH, 1.9, uniform(15), uniform(15));

    StrategyTester.given(List.of(zeros, oneSided, wall, replaced)).when(WALLS).verify();
  }

  @Test
  void isDeterministicAndReusable() {
    List<MarketSnapshot> books = new ArrayList<>();
    for (int second = 0; second < 30; second++) {
      for (String venue : List.of("okx", "bybit", "binance")) {
        books.add(book(venue, second % 2 == 0 ? ETH : BTC, second + 0.5,
            with(uniform(12), second % 12, 10 + second), with(uniform(12), 11 - second % 12, 11)));
      }
    }
    StrategyTester.Then<Signal> run = StrategyTester.given(books).when(WALLS);

    List<Emission<Signal>> first = run.signals();
    assertThat(first).hasSize(30 * 3 * 2);
    assertThat(first.subList(0, 6))
        .extracting(e -> e.at().toSeconds() + " s " + e.signal().venues().get(0) + ' '
            + e.signal().description().substring(0, 3))
        .containsExactly("1 s binance bid", "1 s binance ask", "1 s bybit bid", "1 s bybit ask",
            "1 s okx bid", "1 s okx ask");
    assertThat(run.signals()).isEqualTo(first);
  }

  @Test
  void builderChecksArguments() {
    assertThatThrownBy(() -> OrderBookWalls.builder().multiple(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiple must be finite and more than 1 but was 1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().multiple(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiple must be finite and more than 1 but was NaN");
    assertThatThrownBy(() -> OrderBookWalls.builder().band(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("band must be in (0, 1) but was 0.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().band(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("band must be in (0, 1) but was 1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minLevels(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minLevels must be at least 1 but was 0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minNotional(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minNotional must be finite and at least 0 but was -1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minNotional(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minNotional must be finite and at least 0 but was Infinity");
    assertThat(OrderBookWalls.builder().build()).hasToString(
        "OrderBookWalls{multiple 10.0, band 0.02, min levels 5, min notional 0.0}");
  }

  private static Instant at(double second) {
    return T0.plusMillis(Math.round(second * 1000));
  }

  /** A book around a mid of 1000 with levels 2 apart: bids from 999.5 down, asks from 1000.5 up. */
  private static BookSnapshot book(String venue, Instrument instrument, double second,
      double[] bidSizes, double[] askSizes) {
    BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument).receivedAt(at(second));
    for (int i = 0; i < bidSizes.length; i++) {
      b.bid(999.5 - 2 * i, bidSizes[i]);
    }
    for (int i = 0; i < askSizes.length; i++) {
      b.ask(1000.5 + 2 * i, askSizes[i]);
    }
    return b.build();
  }

  private static double[] uniform(int levels) {
    double[] sizes = new double[levels];
    Arrays.fill(sizes, 1);
    return sizes;
  }

  private static double[] with(double[] sizes, int level, double size) {
    double[] copy = sizes.clone();
    copy[level] = size;
    return copy;
  }
}
