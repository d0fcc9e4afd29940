package dev.scanflux.exchanges.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AliasesTest {

  @Test
  void venueAliasesBecomeOurCodes() {
    assertThat(Aliases.canonical("XBT")).isEqualTo("BTC");
    assertThat(Aliases.canonical("XXBT")).isEqualTo("BTC");
    assertThat(Aliases.canonical("xbt")).isEqualTo("BTC");
    assertThat(Aliases.canonical("XETH")).isEqualTo("ETH");
    assertThat(Aliases.canonical("XDG")).isEqualTo("DOGE");
    assertThat(Aliases.canonical("XXDG")).isEqualTo("DOGE");
    assertThat(Aliases.canonical("ZUSD")).isEqualTo("USD");
    assertThat(Aliases.canonical("ZEUR")).isEqualTo("EUR");
    assertThat(Aliases.canonical("XXRP")).isEqualTo("XRP");
    assertThat(Aliases.canonical("XXLM")).isEqualTo("XLM");
  }

  @Test
  void otherCodesStayAsTheyAre() {
    for (String code : List.of("BTC", "ETH", "XRP", "XLM", "XMR", "USDT", "SOL", "1000PEPE",
        "1000SATS", "DOGE")) {
      assertThat(Aliases.canonical(code)).as(code).isEqualTo(code);
    }
  }

  @Test
  void krakenNamesMapBackAndForth() {
    assertThat(Aliases.krakenAsset("BTC")).isEqualTo("XXBT");
    assertThat(Aliases.krakenAsset("USD")).isEqualTo("ZUSD");
    assertThat(Aliases.krakenAsset("DOGE")).isEqualTo("XXDG");
    assertThat(Aliases.krakenAsset("SOL")).isEqualTo("SOL");
    assertThat(Aliases.krakenAltName("BTC")).isEqualTo("XBT");
    assertThat(Aliases.krakenAltName("DOGE")).isEqualTo("XDG");
    assertThat(Aliases.krakenAltName("ETH")).isEqualTo("ETH");
    assertThat(Aliases.krakenLegacy("BTC")).isTrue();
    assertThat(Aliases.krakenLegacy("SOL")).isFalse();
    for (String code : List.of("BTC", "ETH", "LTC", "XRP", "XLM", "XMR", "ZEC", "ETC", "DOGE",
        "USD", "EUR", "GBP", "JPY", "CAD", "SOL", "ADA")) {
      assertThat(Aliases.canonical(Aliases.krakenAsset(code))).as(code).isEqualTo(code);
      assertThat(Aliases.canonical(Aliases.krakenAltName(code))).as(code).isEqualTo(code);
    }
  }
}
