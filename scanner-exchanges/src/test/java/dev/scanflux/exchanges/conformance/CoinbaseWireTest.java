package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#coinbase()} on Coinbase Exchange's real answers: the 2021 product list, the
 * 2024 BTC-USDT ticker (answering for BTC-USD, which the list holds; Coinbase serves one shape
 * for every product, {@code trade_id} a string), and SDK fixtures for the book, the 24 h stats
 * and the currencies.
 */
class CoinbaseWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USD");

  @Override
  VenueBuilder preset() {
    return Venues.coinbase();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/products", "coinbase/products.json")
        .get("/currencies", "coinbase/currencies-sdkfixture.json")
        .get("/products/BTC-USD/book", "level=2", "coinbase/book-level2-sdkfixture.json")
        .get("/products/BTC-USD/ticker", "coinbase/product-ticker.json")
        .get("/products/BTC-USD/stats", "coinbase/stats-sdkfixture.json");
  }

  @Test
  void products() {
    assertThat(fetchInstruments()).hasSize(162).contains(BTC);
  }

  @Test
  void bookLevel2() {
    assertBook(fetchBook(BTC, 10), BTC, 0.07, 1.12, 0.0976, 0.97, 1, 1);
  }

  @Test
  void tickerAndStats() {
    assertTicker(fetchTicker(BTC), BTC, 73360.34, 73369.19, 73367.8);
  }
}
