package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class UniverseFilterTest {

  private static List<Instrument> parse(String... symbols) {
    return Stream.of(symbols).map(Instrument::parse).toList();
  }

  @Test
  void defaultsDropTestAndLeveragedTokensOfListedBases() {
    List<Instrument> venue = parse("BTC/USDT", "BTCUP/USDT", "BTCDOWN/USDT", "ETH/USDT",
        "ETH3L/USDT", "ETH5S/USDT", "JUP/USDT", "SETUP/USDT", "TESTCOIN/USDT", "BULL/USDT",
        "XRPBULL/USDT", "1000PEPE/USDT");
    assertThat(UniverseFilter.ofDefaults().apply(venue)).containsExactlyElementsOf(
        parse("BTC/USDT", "ETH/USDT", "JUP/USDT", "SETUP/USDT", "BULL/USDT", "XRPBULL/USDT",
            "1000PEPE/USDT"));
    assertThat(UniverseFilter.none().apply(venue)).containsExactlyElementsOf(venue);
  }

  @Test
  void filtersByQuoteKindAndBlacklist() {
    UniverseFilter filter = UniverseFilter.custom().quotes("usdt", "USDC")
        .kinds(Instrument.Kind.PERPETUAL).exclude("luna", "ETH/USDT:perp").build();
    assertThat(filter.apply(parse("BTC/USDT:perp", "BTC/USD:perp", "BTC/USDT", "LUNA/USDT:perp",
        "ETH/USDT:perp", "ETH/USDC:perp", "SOL/USDC:perp")))
        .containsExactlyElementsOf(parse("BTC/USDT:perp", "ETH/USDC:perp", "SOL/USDC:perp"));
  }

  @Test
  void keepsTheVenuesOrderOverThousandsOfInstruments() {
    List<Instrument> venue = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      venue.add(Instrument.spot("C" + i, i % 3 == 0 ? "USDT" : i % 3 == 1 ? "BTC" : "TRY"));
      if (i % 10 == 0) {
        venue.add(Instrument.spot("C" + i + "UP", "USDT"));
      }
    }
    List<Instrument> kept = UniverseFilter.custom().quotes("USDT").build().apply(venue);
    assertThat(kept).hasSize(1667).allSatisfy(i -> {
      assertThat(i.quote()).isEqualTo("USDT");
      assertThat(i.base()).doesNotEndWith("UP");
    });
    assertThat(kept).isSortedAccordingTo(
        (a, b) -> Integer.compare(venue.indexOf(a), venue.indexOf(b)));
  }

  @Test
  void minimumVolumeKeepsUnreportedVolumes() {
    UniverseFilter filter = UniverseFilter.custom().minQuoteVolume24h(1e6).build();
    assertThat(filter.acceptsVolume(2e6)).isTrue();
    assertThat(filter.acceptsVolume(1e6)).isTrue();
    assertThat(filter.acceptsVolume(999_999)).isFalse();
    assertThat(filter.acceptsVolume(Double.NaN)).isTrue();
    assertThatThrownBy(() -> UniverseFilter.custom().minQuoteVolume24h(-1).build())
        .hasMessage("minQuoteVolume24h must be finite and at least 0 but was -1.0");
    assertThatThrownBy(() -> UniverseFilter.custom().exclude("BTC/"))
        .hasMessageContaining("'BTC/'");
  }
}
