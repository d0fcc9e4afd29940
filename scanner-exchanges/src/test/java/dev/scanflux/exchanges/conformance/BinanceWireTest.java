package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Venues#binance()} on Binance spot's real answers. */
class BinanceWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument NKN = Instrument.spot("NKN", "USDT");
  private static final Instrument BNB = Instrument.spot("BNB", "BTC");

  @Override
  VenueBuilder preset() {
    return Venues.binance();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v3/exchangeInfo", "binance/exchangeInfo.json")
        .get("/api/v3/depth", "symbol=BTCUSDT", "binance/depth-BTCUSDT.json")
        .get("/api/v3/depth", "symbol=NKNUSDT", "binance/depth-NKNUSDT-limit1000.json")
        .get("/api/v3/ticker/24hr", "symbol=BNBBTC", "binance/ticker-24hr-doc.json")
        // No real all-tickers answer exists: Binance documents it as an array of the one-symbol
        // answer, so the array holds the documented one.
        .getJson("/api/v3/ticker/24hr", "", "[" + new String(
            WireSampleServer.sample("binance/ticker-24hr-doc.json"), StandardCharsets.UTF_8)
            + "]");
  }

  @Test
  void exchangeInfo() {
    assertThat(fetchInstruments()).hasSize(1262).contains(BTC, NKN, BNB);
  }

  @Test
  void depth() {
    assertBook(fetchBook(BTC, 100), BTC, 60650.0, 0.00213, 60650.01, 0.61982, 10, 10);
    assertBook(fetchBook(NKN, 1000), NKN, 0.3521, 672.0, 0.3525, 3959.0, 609, 1000);
  }

  @Test
  void ticker24hr() {
    assertTicker(fetchTicker(BNB), BNB, 4.0, 4.000002, 4.000002);
  }

  @Test
  void allTickers24hr() {
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BNB, 4.0, 4.000002, 4.000002));
  }
}
