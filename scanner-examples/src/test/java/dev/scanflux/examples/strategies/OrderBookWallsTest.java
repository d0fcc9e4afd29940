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
 * best ask 1000.5) and levels 2 apart, so with the default maximum distance of 2 % the ten best
 * levels of each side (bids down to 981.5, asks up to 1018.5) are the region; a level of size 1
 * is worth about 1,000 USDT.
 */
class OrderBookWallsTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");

  private static final OrderBookWalls WALLS = OrderBookWalls.builder().build();

  @Test
  void adjacentHeavyLevelsAreOneWallMeasuredInQuoteCurrency() {
    double[] bids = with(with(with(uniform(15), 2, 200), 3, 300), 4, 150);
    BookSnapshot b = book("binance", BTC, 0.5, bids, uniform(15));

    StrategyTester.given(List.of(b)).when(WALLS)
        .expectSignalAt(Duration.ofSeconds(1), Signal.builder(OrderBookWalls.KIND, at(1))
            .description("bid wall on binance BTC/USDT at 993.5: 646 k USDT (650 BTC) over 3"
                + " levels, 300 × the median level, 0.45 % from mid")
            .venues("binance")
            .instruments(BTC)
            .subject("binance bid")
            .strength(995.5 * 200 + 993.5 * 300 + 991.5 * 150)
            .evidence(b)
            .build())
        .verify();
  }

  @Test
  void eachSideSignalsItsLargestWallAndTheScanItsLargestWallsFirst() {
    BookSnapshot quiet = book("binance", BTC, 0, uniform(15), uniform(15));
    BookSnapshot binanceBtc = book("binance", BTC, 1.3, with(with(uniform(15), 1, 200), 5, 400),
        with(uniform(15), 0, 150));
    BookSnapshot okxEth = book("okx", ETH, 1.1, uniform(15), with(uniform(15), 9, 120));
    BookSnapshot bybitEth = book("bybit", ETH, 1.2, uniform(15), with(uniform(15), 9, 120));

    StrategyTester.given(List.of(quiet, okxEth, bybitEth, binanceBtc)).when(WALLS)
        .assertSignalAt(Duration.ofSeconds(2), s -> {
          assertThat(s.subject()).isEqualTo("binance bid");
          assertThat(s.description()).startsWith("bid wall on binance BTC/USDT at 989.5: 396 k"
              + " USDT (400 BTC) over 1 level");
        })
        .assertSignalAt(Duration.ofSeconds(2), s -> assertThat(s.description())
            .isEqualTo("ask wall on binance BTC/USDT at 1,000.5: 150 k USDT (150 BTC) over 1"
                + " level, 150 × the median level, 0.05 % from mid"))
        .assertSignalAt(Duration.ofSeconds(2), s -> assertThat(s.subject())
            .isEqualTo("bybit ask"))
        .assertSignalAt(Duration.ofSeconds(2), s -> {
          assertThat(s.subject()).isEqualTo("okx ask");
          assertThat(s.evidence()).containsExactly(okxEth);
        })
        .verify();
    StrategyTester.given(List.of(quiet, okxEth, bybitEth, binanceBtc))
        .when(OrderBookWalls.builder().top(1).build())
        .assertSignalAt(Duration.ofSeconds(2), s -> assertThat(s.subject())
            .isEqualTo("binance bid"))
        .verify();
  }

  @Test
  void aWallWorthLessThanTheMinimumIsNoWallAndTheMinimumIsInclusive() {
    BookSnapshot b = book("binance", BTC, 0, with(uniform(15), 3, 50), uniform(15));

    StrategyTester.given(List.of(b)).when(WALLS).verify();
    StrategyTester.given(List.of(b))
        .when(OrderBookWalls.builder().minNotional(993.5 * 50).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.strength())
            .isEqualTo(993.5 * 50))
        .verify();
  }

  @Test
  void levelsBeyondTheMaximumDistanceAreNeitherReferenceNorWall() {
    // at 975.5, 2.45 % from the mid
    BookSnapshot b = book("binance", BTC, 0, with(uniform(15), 12, 500), uniform(15));

    StrategyTester.given(List.of(b)).when(WALLS).verify();
    StrategyTester.given(List.of(b)).when(OrderBookWalls.builder().maxDistance(0.025).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.description())
            .endsWith("500 × the median level, 2.45 % from mid"))
        .verify();
  }

  @Test
  void theMedianNeedsEnoughLevelsInTheRegion() {
    BookSnapshot thin = BookSnapshot.builder("binance", BTC).receivedAt(at(0))
        .bid(999.5, 1).bid(997.5, 1).bid(995.5, 1).bid(993.5, 500).bid(950, 50)
        .ask(1000.5, 1).build();

    StrategyTester.given(List.of(thin)).when(WALLS).verify();
    StrategyTester.given(List.of(thin))
        .when(OrderBookWalls.builder().minLevels(4).build())
        .assertSignalAt(Duration.ofSeconds(1), s -> assertThat(s.description())
            .startsWith("bid wall on binance BTC/USDT at 993.5:"))
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
  void aZeroMedianOneSidedBooksAndOlderBooksOfTheScanGiveNoSignal() {
    BookSnapshot zeros = book("binance", BTC, 0, with(new double[15], 2, 500), uniform(15));
    BookSnapshot oneSided = BookSnapshot.builder("okx", BTC).receivedAt(at(0))
        .bid(999.5, 1).bid(997.5, 1).bid(995.5, 1).bid(993.5, 1).bid(991.5, 1).bid(989.5, 900)
        .build();
    BookSnapshot wall = book("binance", ETH, 1.1, with(uniform(15), 3, 500), uniform(15));
    BookSnapshot replaced = book("binance", ETH, 1.9, uniform(15), uniform(15));

    StrategyTester.given(List.of(zeros, oneSided, wall, replaced)).when(WALLS).verify();
  }

  @Test
  void theSameWallOnEveryScanHasTheSameSubject() {
    List<MarketSnapshot> books = new ArrayList<>();
    for (int second = 0; second < 30; second++) {
      books.add(book("binance", BTC, second + 0.5, with(uniform(12), 4, 300 + second),
          uniform(12)));
    }
    StrategyTester.Then<Signal> run = StrategyTester.given(books).when(WALLS);

    List<Emission<Signal>> first = run.signals();
    assertThat(first).hasSize(30).extracting(e -> e.signal().subject())
        .containsOnly("binance bid");
    assertThat(run.signals()).isEqualTo(first);
  }

  @Test
  void builderChecksArgumentsAndStatesTheThresholds() {
    assertThatThrownBy(() -> OrderBookWalls.builder().multiple(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiple must be finite and more than 1 but was 1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().multiple(Double.NaN))
        .hasMessage("multiple must be finite and more than 1 but was NaN");
    assertThatThrownBy(() -> OrderBookWalls.builder().maxDistance(0))
        .hasMessage("maxDistance must be in (0, 1) but was 0.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().maxDistance(1))
        .hasMessage("maxDistance must be in (0, 1) but was 1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minLevels(0))
        .hasMessage("minLevels must be at least 1 but was 0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minNotional(-1))
        .hasMessage("minNotional must be finite and at least 0 but was -1.0");
    assertThatThrownBy(() -> OrderBookWalls.builder().minNotional(Double.POSITIVE_INFINITY))
        .hasMessage("minNotional must be finite and at least 0 but was Infinity");
    assertThat(OrderBookWalls.builder().build()).hasToString("order-book walls: adjacent "
        + "levels at least 5 × the median level within 2.00 % of mid (of at least 5 levels), "
        + "worth at least 100,000 in quote currency; the top 10 per scan");
    assertThatThrownBy(() -> OrderBookWalls.builder().top(0))
        .hasMessage("top must be at least 1 but was 0");
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
