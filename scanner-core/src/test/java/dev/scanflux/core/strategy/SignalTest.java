package dev.scanflux.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalTest {

  private static final Instant T = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final TickerSnapshot EVIDENCE =
      new TickerSnapshot("okx", BTC, 100, 101, 100.5, 1, 2, 0, T, T);

  @Test
  void builderCollectsEveryPart() {
    Signal s = Signal.builder("spread", T).description("buy okx, sell binance")
        .venues("okx", "binance").instruments(BTC).strength(0.004).evidence(EVIDENCE).build();

    assertThat(s.kind()).isEqualTo("spread");
    assertThat(s.at()).isEqualTo(T);
    assertThat(s.venues()).containsExactly("okx", "binance");
    assertThat(s.instruments()).containsExactly(BTC);
    assertThat(s.strength()).isEqualTo(0.004);
    assertThat(s.evidence()).containsExactly(EVIDENCE);
    assertThat(s).hasToString("Signal{spread [BTC/USDT] on [okx, binance] at 2025-01-31T12:00:00Z"
        + " strength 0.004: buy okx, sell binance, 1 snapshots of evidence}");
  }

  @Test
  void isAnImmutableValue() {
    List<String> venues = new ArrayList<>(List.of("okx"));
    Signal a = new Signal("k", "", venues, List.of(BTC), T, 0, List.of(EVIDENCE));
    venues.add("binance");

    assertThat(a.venues()).containsExactly("okx");
    assertThat(a).isEqualTo(Signal.builder("k", T).venues("okx").instruments(BTC)
        .evidence(List.of(EVIDENCE)).build());
    assertThat(a.hashCode()).isEqualTo(new Signal("k", "", List.of("okx"), List.of(BTC), T, 0,
        List.of(EVIDENCE)).hashCode());
    assertThatThrownBy(() -> a.evidence().add(EVIDENCE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsBadParts() {
    assertThatThrownBy(() -> Signal.builder(" ", T).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("kind must not be blank");
    assertThatThrownBy(() -> Signal.builder("k", T).strength(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("strength must be finite but was NaN");
    assertThatThrownBy(() -> Signal.builder("k", T).venues("").build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSubjectNamesTheConditionAndOldSignalsHaveNone() {
    Signal plain = new Signal("k", "", List.of("okx"), List.of(BTC), T, 0, List.of());
    assertThat(plain.subject()).isEmpty();
    assertThat(plain).isEqualTo(Signal.builder("k", T).venues("okx").instruments(BTC).build());
    Signal wall = Signal.builder("k", T).venues("okx").instruments(BTC).subject("okx bid 100")
        .build();
    assertThat(wall).isNotEqualTo(plain);
    assertThat(wall.toString()).startsWith("Signal{k okx bid 100 [BTC/USDT] on [okx]");
    assertThat(dev.scanflux.core.alert.AlertKey.of(plain))
        .hasToString("k BTC/USDT okx");
    assertThat(dev.scanflux.core.alert.AlertKey.of(wall))
        .hasToString("k BTC/USDT okx bid 100");
  }
}
