package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Venues#binanceFutures()} on Binance USD-M's real answers. */
class BinanceFuturesWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");
  private static final Instrument SUSHI = Instrument.perpetual("SUSHI", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.binanceFutures();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/fapi/v1/exchangeInfo", "binance-futures/exchangeInfo.json")
        .get("/fapi/v1/depth", "symbol=SUSHIUSDT", "binance-futures/depth-SUSHIUSDT-limit1000.json")
        .get("/fapi/v1/ticker/bookTicker", "symbol=BTCUSDT",
            "binance-futures/ticker-bookTicker-doc.json")
        .get("/fapi/v1/ticker/24hr", "symbol=BTCUSDT", "binance-futures/ticker-24hr-doc.json")
        // No real all-symbol answers of Binance's own: documented as arrays of the one-symbol
        // answer (AsterDEX's copy of the same docs shows exactly that).
        .getJson("/fapi/v1/ticker/bookTicker", "", array("binance-futures/ticker-bookTicker-doc.json"))
        .getJson("/fapi/v1/ticker/24hr", "", array("binance-futures/ticker-24hr-doc.json"));
  }

  static String array(String resource) {
    return "[" + new String(WireSampleServer.sample(resource), StandardCharsets.UTF_8) + "]";
  }

  @Test
  void exchangeInfoKeepsTradingPerpetuals() {
    assertThat(fetchInstruments()).hasSize(119).contains(BTC, SUSHI);
  }

  @Test
  void depth() {
    assertBook(fetchBook(SUSHI, 1000), SUSHI, 7.611, 6.0, 7.612, 297.0, 1000, 1000);
  }

  @Test
  void bookTickerAnd24hr() {
    assertTicker(fetchTicker(BTC), BTC, 4.0, 4.000002, 4.000002);
  }

  @Test
  void allBookTickersAnd24hr() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 4.0, 4.000002, 4.000002));
  }
}
