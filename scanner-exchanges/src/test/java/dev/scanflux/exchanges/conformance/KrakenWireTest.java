package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#kraken()} on Kraken's real answers: the 2025 XBTUSDT pair, ticker and depth
 * (2025-11), and the asset table XChange loads at start-up. The 2021 full pair list is checked
 * by {@link KrakenPairsWireTest}.
 */
class KrakenWireTest extends WireConformance {

  static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.kraken();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/0/public/Assets", "kraken/assets.json")
        .get("/0/public/AssetPairs", "kraken/asset-pairs-XBTUSDT-2025.json")
        .get("/0/public/Depth", "pair=XBTUSDT", "kraken/depth-XBTUSDT.json")
        .get("/0/public/Ticker", "pair=XBTUSDT", "kraken/ticker-XBTUSDT.json")
        .get("/0/public/Ticker", "kraken/ticker-XBTUSDT.json");
  }

  @Test
  void assetPairs() {
    assertThat(fetchInstruments()).containsExactly(BTC);
  }

  @Test
  void depth() {
    fetchInstruments();
    assertBook(fetchBook(BTC, 10), BTC, 105944.2, 0.002, 105944.3, 0.136, 5, 5);
  }

  @Test
  void ticker() {
    fetchInstruments();
    assertTicker(fetchTicker(BTC), BTC, 105944.2, 105944.3, 105899.4);
  }

  @Test
  void allTickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 105944.2, 105944.3, 105899.4));
  }
}
