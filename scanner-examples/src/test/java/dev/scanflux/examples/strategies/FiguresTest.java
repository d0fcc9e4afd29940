package dev.scanflux.examples.strategies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import org.junit.jupiter.api.Test;

class FiguresTest {

  @Test
  void aPriceIsWrittenAtItsBooksPrecisionWithoutBinaryNoise() {
    BookSnapshot b = BookSnapshot.builder("sim", Instrument.spot("ETH", "USDT"))
        .bid(2466.9750000000004, 1).bid(2466.95, 1).ask(2467.0, 1).build();
    assertThat(Double.toString(b.bidPrice(0))).isEqualTo("2466.9750000000004");
    assertThat(Figures.decimals(b)).isEqualTo(3);
    assertThat(Figures.price(b.bidPrice(0), Figures.decimals(b))).isEqualTo("2,466.975");
    assertThat(Figures.decimals(64000.0, 64000.5)).isEqualTo(1);
    assertThat(Figures.decimals(0.0000095, 0.0000096)).isEqualTo(7);
    assertThat(Figures.price(64120.5, 2)).isEqualTo("64,120.50");
  }

  @Test
  void amountsHaveThreeSignificantDigitsAMagnitudeAndAUnit() {
    assertThat(Figures.amount(5.57286776E8, "USDT")).isEqualTo("557 M USDT");
    assertThat(Figures.amount(1_234_567, "USDT")).isEqualTo("1.23 M USDT");
    assertThat(Figures.amount(1_200_000, "USDT")).isEqualTo("1.2 M USDT");
    assertThat(Figures.amount(12_345, "USDT")).isEqualTo("12.3 k USDT");
    assertThat(Figures.amount(9_500, "USDT")).isEqualTo("9,500 USDT");
    assertThat(Figures.amount(950, "USDT")).isEqualTo("950 USDT");
    assertThat(Figures.amount(0.0523, "BTC")).isEqualTo("0.0523 BTC");
    assertThat(Figures.amount(3.45e9, "PEPE")).isEqualTo("3.45 B PEPE");
    assertThat(Figures.amount(0, "BTC")).isEqualTo("0 BTC");
    assertThat(Figures.percent(0.0035)).isEqualTo("0.35 %");
  }
}
