package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#gate()} on Gate.io's real spot answers. The recorded book (2021) has no
 * {@code current} or {@code update}, which Gate has sent since: the source must read it all the
 * same (the exchange time is then the receive time).
 */
class GateWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument OMG = Instrument.spot("OMG", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.gate();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v4/spot/currency_pairs", "gate/currency_pairs.json")
        .get("/api/v4/spot/currencies", "gate/currencies.json")
        .get("/api/v4/spot/order_book", "currency_pair=OMG_USDT", "gate/order_book-OMG_USDT.json")
        .get("/api/v4/spot/tickers", "currency_pair=BTC_USDT", "gate/tickers-BTC_USDT.json")
        .get("/api/v4/spot/tickers", "gate/tickers.json");
  }

  @Test
  void currencyPairs() {
    assertThat(fetchInstruments()).contains(BTC, OMG);
  }

  @Test
  void orderBookWithoutCurrent() {
    assertBook(fetchBook(OMG, 10), OMG, 7.898, 65.888, 7.927, 316.6, 10, 10);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 26026.7, 26026.8, 26028.7);
  }

  @Test
  void tickers() {
    fetchInstruments();
    assertThat(fetchTickers()).anySatisfy(t -> assertTicker(t, BTC, 26019.8, 26019.9, 26019.8));
  }
}
