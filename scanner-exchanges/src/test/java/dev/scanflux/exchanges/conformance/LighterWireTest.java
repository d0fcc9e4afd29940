package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/** {@link Venues#lighter()} on Lighter mainnet's recorded answers (market 0 is ETH). */
class LighterWireTest extends WireConformance {

  private static final Instrument ETH = Instrument.perpetual("ETH", "USDC");

  @Override
  VenueBuilder preset() {
    return Venues.lighter();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v1/orderBooks", "lighter/order_books.json")
        .get("/api/v1/orderBookDetails", "market_id=0", "lighter/order_book_details.json")
        .get("/api/v1/orderBookOrders", "market_id=0", "lighter/order_book_orders.json");
  }

  @Test
  void orderBooks() {
    assertThat(fetchInstruments()).containsExactly(ETH);
  }

  @Test
  void orderBookOrdersSummedIntoLevels() {
    fetchInstruments();
    assertBook(fetchBook(ETH, 10), ETH, 2361.17, 3.4125, 2361.32, 0.0317, 1, 1);
  }

  @Test
  void orderBookDetailsWithTheTopOfTheBook() {
    fetchInstruments();
    assertTicker(fetchTicker(ETH), ETH, 2361.17, 2361.32, 2361.31);
  }
}
