package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.internal.Aliases;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every simulated venue's whole universe, discovered through its real source: each instrument's
 * book request reaches the simulator under the venue's own symbol, and the snapshot comes back
 * for the same instrument. Venues this test has no symbol rule for are still checked for a
 * one-to-one mapping.
 */
class SymbolRoundTripTest {

  private static final int INSTRUMENTS = 50;

  @ParameterizedTest
  @EnumSource(SimulatedVenue.class)
  void everyInstrumentMapsToTheVenuesSymbolAndBack(SimulatedVenue venue) {
    try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(INSTRUMENTS)
            .rateLimit(false).build();
        MarketSource source = SimulatedPresets.of(venue).baseUrl(sim.start()).build()) {
      List<Instrument> all = source.instruments().block(Duration.ofSeconds(20));
      assertThat(all).hasSize(INSTRUMENTS).doesNotHaveDuplicates()
          .contains(venue.instrument("BTC"));
      Map<String, Instrument> seen = new HashMap<>();
      for (Instrument i : all) {
        sim.clearRequestLog();
        assertThat(source.book(i, 1).block(Duration.ofSeconds(10)).instrument()).as("%s", i)
            .isEqualTo(i);
        List<ServedRequest> log = sim.requestLog();
        String symbol = log.get(log.size() - 1).symbol();
        assertThat(symbol).as("%s %s", venue, i).isNotNull();
        String expected = expectedSymbol(venue, i);
        if (expected != null) {
          assertThat(symbol).as("%s %s", venue, i).isEqualTo(expected);
        }
        assertThat(seen.put(symbol, i)).as("%s: %s and another instrument", venue, symbol)
            .isNull();
      }
    }
  }

  /** The venue's symbol as its documentation writes it, or null for a venue not known here. */
  private static @Nullable String expectedSymbol(SimulatedVenue venue, Instrument i) {
    String b = i.base();
    String q = i.quote();
    return switch (venue.name()) {
      case "BINANCE_SPOT", "BINANCE_FUTURES", "ASTERDEX", "BYBIT", "BYBIT_LINEAR" -> b + q;
      case "OKX", "KUCOIN", "COINBASE", "BINGX" -> b + '-' + q;
      case "OKX_SWAP" -> b + '-' + q + "-SWAP";
      case "GATE" -> b + '_' + q;
      case "BITSTAMP" -> (b + q).toLowerCase(Locale.ROOT);
      case "HYPERLIQUID" -> b;
      case "KRAKEN" -> Aliases.krakenLegacy(b)
          ? Aliases.krakenAsset(b) + Aliases.krakenAsset(q) : b + q;
      default -> null;
    };
  }
}
