package dev.scanflux.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.InvalidSnapshotException.Defect;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TickerSnapshotTest {

  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static TickerSnapshot ticker(double bid, double ask, double last, double baseVol,
      double quoteVol, double change) {
    return new TickerSnapshot("okx", ETH, bid, ask, last, baseVol, quoteVol, change, T0, T0);
  }

  @Test
  void holdsItsFiguresAndUnreportedOnesAsNaN() {
    TickerSnapshot t = ticker(10, 11, 10.5, Double.NaN, 1e6, -0.02);
    assertThat(t.mid()).isEqualTo(10.5);
    assertThat(t.baseVolume24h()).isNaN();
    assertThat(t.quoteVolume24h()).isEqualTo(1e6);
    assertThat(t.change24h()).isEqualTo(-0.02);
    assertThat(t.ageAt(T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(t.ageAt(T0.minusSeconds(3))).isEqualTo(Duration.ZERO);
  }

  @Test
  void rejectsInvalidValuesNamingVenueInstrumentAndField() {
    assertThatThrownBy(() -> ticker(Double.NaN, 11, 10, 1, 1, 0))
        .isInstanceOfSatisfying(InvalidSnapshotException.class,
            e -> assertThat(e.defect()).isEqualTo(Defect.INVALID_PRICE))
        .hasMessage("okx ETH/USDT: invalid price: bid NaN");
    assertThatThrownBy(() -> ticker(12, 11, 10, 1, 1, 0))
        .hasMessage("okx ETH/USDT: crossed book: bid 12.0 >= ask 11.0");
    assertThatThrownBy(() -> ticker(10, 11, 0, 1, 1, 0)).hasMessageEndingWith("last 0.0");
    assertThatThrownBy(() -> ticker(10, 11, 10, -1, 1, 0))
        .hasMessageEndingWith("invalid size: baseVolume24h -1.0");
    assertThatThrownBy(() -> ticker(10, 11, 10, 1, Double.POSITIVE_INFINITY, 0))
        .hasMessageContaining("quoteVolume24h Infinity");
    assertThatThrownBy(() -> ticker(10, 11, 10, 1, 1, Double.NEGATIVE_INFINITY))
        .hasMessageContaining("change24h -Infinity");
  }

  @Test
  void equalityTreatsUnreportedFiguresAsEqual() {
    assertThat(ticker(10, 11, 10, Double.NaN, 1, 0)).isEqualTo(ticker(10, 11, 10, Double.NaN, 1, 0))
        .isNotEqualTo(ticker(10, 11, 10, 2, 1, 0));
  }
}
