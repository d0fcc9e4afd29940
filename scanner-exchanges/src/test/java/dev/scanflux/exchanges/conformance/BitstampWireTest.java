package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/** {@link Venues#bitstamp()} on Bitstamp's real answers. */
class BitstampWireTest extends WireConformance {

  private static final Instrument ETH = Instrument.spot("ETH", "USD");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.bitstamp();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v2/trading-pairs-info/", "bitstamp/trading-pairs-info.json")
        .get("/api/v2/order_book/ethusd/", "bitstamp/order_book-ethusd.json")
        .get("/api/v2/order_book/ethusd", "bitstamp/order_book-ethusd.json")
        .get("/api/v2/ticker/btcusdt/", "bitstamp/ticker.json");
  }

  @Test
  void tradingPairsInfo() {
    assertThat(fetchInstruments()).hasSize(140).contains(ETH, BTC);
  }

  @Test
  void orderBookCutToTheDepthAsked() {
    assertBook(fetchBook(ETH, 50), ETH, 3802.90, 0.6, 3805.47, 8.26964788, 50, 50);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 73353.0, 73367.0, 73285.0);
  }
}
