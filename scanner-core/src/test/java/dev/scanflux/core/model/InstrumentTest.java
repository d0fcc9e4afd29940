package dev.scanflux.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InstrumentTest {

  @Test
  void parsesAndPrintsSpotAndPerpetualSymbols() {
    assertThat(Instrument.parse("BTC/USDT")).isEqualTo(Instrument.spot("BTC", "USDT"));
    assertThat(Instrument.parse(" eth/usdc:PERP ")).isEqualTo(Instrument.perpetual("ETH", "USDC"));
    assertThat(Instrument.parse("1000PEPE/USDT:perp").toString()).isEqualTo("1000PEPE/USDT:perp");
    assertThat(Instrument.spot("btc", "usdt").toString()).isEqualTo("BTC/USDT");
    assertThat(Instrument.spot("BTC", "USDT").isSpot()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "BTC", "BTC/", "/USDT", "BTC/USDT/EUR", "BTC-USDT", ":perp",
      "BTC/USDT:swap"})
  void rejectsMalformedSymbolsNamingThem(String symbol) {
    assertThatThrownBy(() -> Instrument.parse(symbol))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'");
  }

  @Test
  void rejectsBadCurrencyCodesNamingThePart() {
    assertThatThrownBy(() -> Instrument.spot("BT C", "USDT"))
        .hasMessage("base must contain only letters A-Z and digits but was 'BT C'");
    assertThatThrownBy(() -> Instrument.spot("BTC", "X".repeat(33)))
        .hasMessageStartingWith("quote must be 1 to 32 characters");
  }

  @Test
  void ordersByBaseQuoteAndKind() {
    assertThat(Instrument.parse("BTC/USDT").compareTo(Instrument.parse("BTC/USDT:perp")))
        .isNegative();
    assertThat(Instrument.parse("ADA/USDT").compareTo(Instrument.parse("BTC/EUR"))).isNegative();
  }
}
