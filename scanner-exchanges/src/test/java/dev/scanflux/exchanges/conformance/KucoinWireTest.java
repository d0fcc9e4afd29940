package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#kucoin()} on KuCoin spot's current public endpoints: the documented
 * {@code /api/v2/symbols} and {@code allTickers}, the recorded 20-level book and 24 h stats
 * (2024). Only these routes answer: a start-up call to {@code /api/v1/currencies}, which KuCoin
 * no longer documents, would fail the test.
 */
class KucoinWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.kucoin();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v2/symbols", "kucoin/symbols-v2-doc.json")
        .get("/api/v1/market/orderbook/level2_20", "symbol=BTC-USDT",
            "kucoin/orderbook-level2_20.json")
        .get("/api/v1/market/stats", "symbol=BTC-USDT", "kucoin/market-stats.json")
        .get("/api/v1/market/allTickers", "kucoin/allTickers-doc.json");
  }

  @Test
  void symbolsV2() {
    assertThat(fetchInstruments()).containsExactly(BTC);
  }

  @Test
  void orderbookLevel2Of20() {
    assertBook(fetchBook(BTC, 20), BTC, 67539.7, 1.1829567, 67539.8, 1.08883964, 2, 2);
    assertThat(requestsTo("/api/v1/market/orderbook/level2_20")).hasSize(1);
  }

  @Test
  void statsAsTicker() {
    assertTicker(fetchTicker(BTC), BTC, 67399.9, 67400.0, 67400.0);
  }

  @Test
  void allTickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 67192.5, 67192.6, 67193.0));
  }
}

/** {@link Venues#kucoin()}'s discovery on the 2021 recording of the v1 list (same fields). */
class KucoinSymbolsV1ShapeWireTest extends WireConformance {

  @Override
  VenueBuilder preset() {
    return Venues.kucoin();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v2/symbols", "kucoin/symbols.json");
  }

  @Test
  void keepsTheSymbolsEnabledForTrading() {
    assertThat(fetchInstruments()).hasSize(633).contains(Instrument.spot("BTC", "USDT"));
  }
}
