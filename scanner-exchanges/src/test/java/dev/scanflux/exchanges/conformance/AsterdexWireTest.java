package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#asterdex()} on AsterDEX's documented answers. The examples disagree with each
 * other: the exchange info lists symbol {@code DOGEUSDT} with base asset {@code BLZ}, and the
 * tickers are BTCUSDT's (copied from Binance's docs). The source names a listing after its
 * assets, so the book is {@code BLZ/USDT:perp}'s, and the bulk tickers, which keep only listed
 * symbols, are empty after that discovery (Binance USD-M's test checks the same answers with a
 * listing that holds them).
 */
class AsterdexWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");
  private static final Instrument BLZ = Instrument.perpetual("BLZ", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.asterdex();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/fapi/v1/exchangeInfo", "asterdex/exchangeInfo-doc.json")
        .get("/fapi/v1/depth", "symbol=DOGEUSDT", "asterdex/depth-doc.json")
        .get("/fapi/v1/ticker/bookTicker", "symbol=BTCUSDT", "asterdex/ticker-bookTicker-doc.json")
        .get("/fapi/v1/ticker/24hr", "symbol=BTCUSDT", "asterdex/ticker-24hr-doc.json")
        .get("/fapi/v1/ticker/bookTicker", "asterdex/ticker-bookTicker-all-doc.json")
        .get("/fapi/v1/ticker/24hr", "asterdex/ticker-24hr-all-doc.json");
  }

  @Test
  void exchangeInfo() {
    assertThat(fetchInstruments()).containsExactly(BLZ);
  }

  @Test
  void depth() {
    fetchInstruments();
    assertBook(fetchBook(BLZ, 5), BLZ, 4.0, 431.0, 4.000002, 12.0, 1, 1);
  }

  @Test
  void bookTickerAnd24hr() {
    assertTicker(fetchTicker(BTC), BTC, 4.0, 4.000002, 4.000002);
  }

  @Test
  void allBookTickersAnd24hrKeepListedSymbolsOnly() {
    fetchInstruments();
    assertThat(fetchTickers()).isEmpty();
    assertThat(requestsTo("/fapi/v1/ticker/bookTicker")).hasSize(1);
    assertThat(requestsTo("/fapi/v1/ticker/24hr")).hasSize(1);
  }
}
