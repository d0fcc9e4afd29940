package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#gateFutures()} on Gate.io's real USDT-futures answers. No futures ticker was
 * recorded: the ticker is a fixture with the fields of Gate's documented example, priced like
 * the recorded OMG_USDT book.
 */
class GateFuturesWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");
  private static final Instrument OMG = Instrument.perpetual("OMG", "USDT");
  static final String TICKER = "[{\"contract\":\"OMG_USDT\",\"last\":\"0.7707\","
      + "\"low_24h\":\"0.7512\",\"high_24h\":\"0.7898\",\"change_percentage\":\"1.25\","
      + "\"total_size\":\"1840233\",\"volume_24h\":\"2911240\",\"volume_24h_btc\":\"0.08\","
      + "\"volume_24h_usd\":\"2243693\",\"volume_24h_base\":\"2911240\","
      + "\"volume_24h_quote\":\"2243693\",\"volume_24h_settle\":\"2243693\","
      + "\"mark_price\":\"0.7706\",\"funding_rate\":\"0.0001\","
      + "\"funding_rate_indicative\":\"0.0001\",\"index_price\":\"0.7705\","
      + "\"quanto_base_rate\":\"\",\"highest_bid\":\"0.7703\",\"highest_size\":\"42\","
      + "\"lowest_ask\":\"0.7711\",\"lowest_size\":\"129\"}]";

  @Override
  VenueBuilder preset() {
    return Venues.gateFutures();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v4/futures/usdt/contracts", "gate-futures/contracts.json")
        .get("/api/v4/futures/usdt/order_book", "contract=OMG_USDT",
            "gate-futures/order_book-OMG_USDT.json")
        .getJson("/api/v4/futures/usdt/tickers", "contract=OMG_USDT", TICKER)
        .getJson("/api/v4/futures/usdt/tickers", "", TICKER);
  }

  @Test
  void contractsKeepThoseNotDelisting() {
    assertThat(fetchInstruments()).hasSize(301).contains(BTC, OMG);
  }

  @Test
  void orderBookInContractsOfTheQuantoMultiplier() {
    fetchInstruments();
    var book = fetchBook(OMG, 50);
    assertBook(book, OMG, 0.7703, 42.0, 0.7711, 129.0, 50, 50);
    assertThat(book.contractSize()).isEqualTo(1.0);
  }

  @Test
  void ticker() {
    fetchInstruments();
    assertTicker(fetchTicker(OMG), OMG, 0.7703, 0.7711, 0.7707);
  }

  @Test
  void tickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, OMG, 0.7703, 0.7711, 0.7707));
  }
}
