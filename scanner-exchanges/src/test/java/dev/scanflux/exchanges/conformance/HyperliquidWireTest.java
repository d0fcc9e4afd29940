package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#hyperliquid()} on Hyperliquid's real info answers: the 2023 meta and DYDX book
 * (with {@code n}), the 2025 BTC book (without), and a {@code metaAndAssetCtxs} fixture whose
 * values look live.
 */
class HyperliquidWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDC");
  private static final Instrument DYDX = Instrument.perpetual("DYDX", "USDC");

  @Override
  VenueBuilder preset() {
    return Venues.hyperliquid();
  }

  @Override
  void routes(WireSampleServer s) {
    s.post("/info", "\"type\":\"metaAndAssetCtxs\"", "hyperliquid/metaAndAssetCtxs-mock.json")
        .post("/info", "\"type\":\"meta\"", "hyperliquid/meta.json")
        .post("/info", "\"coin\":\"DYDX\"", "hyperliquid/l2Book-DYDX.json")
        .post("/info", "\"coin\":\"BTC\"", "hyperliquid/l2Book-BTC-2025.json");
  }

  @Test
  void meta() {
    assertThat(fetchInstruments()).hasSize(28).contains(BTC, DYDX);
  }

  @Test
  void l2Book() {
    assertBook(fetchBook(DYDX, 20), DYDX, 2.111, 134.4, 2.1124, 352.3, 20, 20);
    assertBook(fetchBook(BTC, 20), BTC, 110427.0, 4.11882, 110428.0, 3.72573, 5, 5);
  }

  @Test
  void tickerFromTheTopOfTheBook() {
    assertTicker(fetchTicker(BTC), BTC, 110427.0, 110428.0, 110427.5);
  }

  @Test
  void metaAndAssetCtxs() {
    assertThat(fetchTickers()).hasSize(2)
        .anySatisfy(t -> assertTicker(t, BTC, 36724.0, 36736.9, 36733.0));
  }
}
