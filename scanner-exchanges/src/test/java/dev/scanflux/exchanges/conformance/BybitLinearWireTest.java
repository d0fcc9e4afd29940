package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#bybitLinear()} on Bybit's real linear answers. Bybit serves one order-book shape
 * for every category, so the book is the spot fixture; the tickers example is Bybit's
 * documented inverse one (the fields of a linear ticker are the same).
 */
class BybitLinearWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.bybitLinear();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/v5/market/instruments-info", "category=linear", "bybit-linear/instruments-linear.json")
        .get("/v5/market/orderbook", "symbol=BTCUSDT", "bybit/orderbook-fixture.json")
        .get("/v5/market/tickers", "symbol=BTCUSDT", "bybit-linear/tickers-linear-doc.json")
        .get("/v5/market/tickers", "category=linear", "bybit-linear/tickers-linear-doc.json");
  }

  @Test
  void instrumentsInfo() {
    assertThat(fetchInstruments()).containsExactlyInAnyOrder(BTC,
        Instrument.perpetual("ETH", "USDT"));
  }

  @Test
  void orderbook() {
    assertBook(fetchBook(BTC, 50), BTC, 27450.5, 1.5, 27451.0, 1.2, 3, 3);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 16596.0, 16597.5, 16597.0);
  }

  @Test
  void tickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 16596.0, 16597.5, 16597.0));
  }
}
