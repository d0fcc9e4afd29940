package dev.scanflux.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.InvalidSnapshotException.Defect;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BookSnapshotTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static BookSnapshot.Builder book() {
    return BookSnapshot.builder("binance", BTC).receivedAt(T0);
  }

  @Test
  void exposesLevelsAndDerivedFigures() {
    BookSnapshot b = book().bid(100, 1).bid(99, 2).bid(90, 5).ask(101, 1.5).ask(102, 3)
        .exchangeTime(T0.minusMillis(5)).build();
    assertThat(b.bidLevels()).isEqualTo(3);
    assertThat(b.askLevels()).isEqualTo(2);
    assertThat(b.bestBid()).isEqualTo(100);
    assertThat(b.bestAsk()).isEqualTo(101);
    assertThat(b.mid()).isEqualTo(100.5);
    assertThat(b.spread()).isEqualTo(1);
    assertThat(b.bidPrice(1)).isEqualTo(99);
    assertThat(b.askSize(1)).isEqualTo(3);
    assertThat(b.bidSizeWithin(0.02)).isEqualTo(3, within(1e-12)); // 100 and 99, not 90
    assertThat(b.askSizeWithin(0.02)).isEqualTo(4.5, within(1e-12));
    assertThat(b.exchangeTime()).isEqualTo(T0.minusMillis(5));
    assertThatThrownBy(() -> b.bidPrice(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void contractSizedBooksReadInBaseUnitsAndKeepTheRawCounts() {
    BookSnapshot okxSwap = BookSnapshot.builder("okx", Instrument.perpetual("BTC", "USDT"))
        .contractSize(0.01) // OKX BTC-USDT-SWAP: ctVal 0.01 BTC
        .bid(100_000, 250).ask(100_010, 40).build();
    assertThat(okxSwap.bidContracts(0)).isEqualTo(250);
    assertThat(okxSwap.bidSize(0)).isEqualTo(2.5, within(1e-12));
    assertThat(okxSwap.askSize(0)).isEqualTo(0.4, within(1e-12));
    assertThat(okxSwap.bidSizeWithin(0.01)).isEqualTo(2.5, within(1e-12));
    assertThat(okxSwap.contractSize()).isEqualTo(0.01);
    assertThat(book().bid(1, 1).build().contractSize()).isEqualTo(1);
    assertThatThrownBy(() -> book().contractSize(0))
        .hasMessage("contractSize must be finite and above 0 but was 0.0");
    assertThat(okxSwap).isNotEqualTo(BookSnapshot.builder("okx", okxSwap.instrument())
        .contractSize(0.001).bid(100_000, 250).ask(100_010, 40).build());
  }

  @Test
  void oneSidedBooksAreValidWithUndefinedMid() {
    BookSnapshot b = book().bid(100, 1).build();
    assertThat(b.isTwoSided()).isFalse();
    assertThat(b.bestAsk()).isNaN();
    assertThat(b.mid()).isNaN();
    assertThat(b.bidSizeWithin(0.5)).isZero();
  }

  @Test
  void rejectsACrossedOrLockedBookNamingVenueAndInstrument() {
    assertThatThrownBy(() -> book().bid(101, 1).ask(100, 1).build())
        .isInstanceOfSatisfying(InvalidSnapshotException.class, e -> {
          assertThat(e.defect()).isEqualTo(Defect.CROSSED_BOOK);
          assertThat(e.venue()).isEqualTo("binance");
          assertThat(e.instrument()).isEqualTo("BTC/USDT");
        })
        .hasMessage("binance BTC/USDT: crossed book: best bid 101.0 >= best ask 100.0");
    assertThatThrownBy(() -> book().bid(100, 1).ask(100, 1).build())
        .hasMessageContaining("crossed book");
  }

  @Test
  void rejectsInvalidPricesAndSizes() {
    assertDefect(book().bid(-1, 1), Defect.INVALID_PRICE, "bid level 0 price -1.0");
    assertDefect(book().ask(Double.NaN, 1), Defect.INVALID_PRICE, "ask level 0 price NaN");
    assertDefect(book().ask(Double.POSITIVE_INFINITY, 1), Defect.INVALID_PRICE, "Infinity");
    assertDefect(book().bid(100, -0.5), Defect.INVALID_SIZE, "bid level 0 size -0.5");
    assertDefect(book().bid(100, 1).bid(99, Double.NaN), Defect.INVALID_SIZE,
        "bid level 1 size NaN");
  }

  @Test
  void rejectsUnsortedLevels() {
    assertDefect(book().bid(99, 1).bid(100, 1), Defect.UNSORTED_LEVELS,
        "bid level 1 price 100.0 is not below 99.0");
    assertDefect(book().ask(101, 1).ask(101, 1), Defect.UNSORTED_LEVELS,
        "ask level 1 price 101.0 is not above 101.0");
  }

  @Test
  void ofCopiesItsArraysAndChecksTheirLengths() {
    double[] bidPrices = {100, 99};
    BookSnapshot b = BookSnapshot.of("v", BTC, bidPrices, new double[] {1, 2},
        new double[] {101}, new double[] {1}, T0, T0);
    bidPrices[0] = 1;
    assertThat(b.bestBid()).isEqualTo(100);
    assertThatThrownBy(() -> BookSnapshot.of("v", BTC, bidPrices, new double[] {1},
        new double[0], new double[0], T0, T0))
        .isInstanceOfSatisfying(InvalidSnapshotException.class,
            e -> assertThat(e.defect()).isEqualTo(Defect.MALFORMED));
  }

  @Test
  void aBuilderCannotBeReusedAfterBuild() {
    BookSnapshot.Builder builder = book().bid(100, 1);
    builder.build();
    assertThatThrownBy(() -> builder.bid(99, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void withReceivedAtMovesAnUnreportedExchangeTimeAlong() {
    BookSnapshot noExchangeTime = book().bid(100, 1).build();
    BookSnapshot restamped = noExchangeTime.withReceivedAt(T0.plusSeconds(1));
    assertThat(restamped.receivedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(restamped.exchangeTime()).isEqualTo(T0.plusSeconds(1));

    BookSnapshot reported = book().bid(100, 1).exchangeTime(T0.minusSeconds(1)).build();
    assertThat(reported.withReceivedAt(T0.plusSeconds(1)).exchangeTime())
        .isEqualTo(T0.minusSeconds(1));
  }

  @Test
  void equalityIsByValue() {
    assertThat(book().bid(100, 1).ask(101, 2).build())
        .isEqualTo(book().bid(100, 1).ask(101, 2).build())
        .hasSameHashCodeAs(book().bid(100, 1).ask(101, 2).build())
        .isNotEqualTo(book().bid(100, 1).ask(101, 3).build());
  }

  private static void assertDefect(BookSnapshot.Builder builder, Defect defect, String detail) {
    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(InvalidSnapshotException.class,
            e -> assertThat(e.defect()).isEqualTo(defect))
        .hasMessageContaining(detail);
  }
}
