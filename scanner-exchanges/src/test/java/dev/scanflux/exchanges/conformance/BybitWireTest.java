package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/** {@link Venues#bybit()} on Bybit's real spot answers. */
class BybitWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.bybit();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/v5/market/instruments-info", "category=spot", "bybit/instruments-spot.json")
        .get("/v5/market/orderbook", "symbol=BTCUSDT", "bybit/orderbook-fixture.json")
        .get("/v5/market/tickers", "symbol=BTCUSDT", "bybit/tickers-spot-doc.json")
        .get("/v5/market/tickers", "category=spot", "bybit/tickers-spot-doc.json");
  }

  @Test
  void instrumentsInfo() {
    assertThat(fetchInstruments()).containsExactlyInAnyOrder(BTC, Instrument.spot("ETH", "USDT"));
  }

  @Test
  void orderbook() {
    assertBook(fetchBook(BTC, 50), BTC, 27450.5, 1.5, 27451.0, 1.2, 3, 3);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 20517.96, 20527.77, 20533.13);
  }

  @Test
  void tickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 20517.96, 20527.77, 20533.13));
  }
}
