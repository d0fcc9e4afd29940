package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#okx()} on OKX's real answers. No recorded REST ticker exists; OKX documents
 * {@code market/ticker(s)} with the same ticker object its {@code tickers} channel pushes, so the
 * REST answer wraps the recorded channel's first ticker in OKX's {@code code/msg/data} envelope.
 */
class OkxWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.okx();
  }

  @Override
  void routes(WireSampleServer s) {
    // XChange loads the swap list at start-up too.
    s.get("/api/v5/public/instruments", "instType=SPOT", "okx/instruments-SPOT.json")
        .get("/api/v5/public/instruments", "instType=SWAP", "okx-swap/instruments-SWAP.json")
        .get("/api/v5/market/books", "instId=BTC-USDT", "okx/books-fixture.json")
        .getJson("/api/v5/market/ticker", "instId=BTC-USDT", restTicker("SPOT", "BTC-USDT"))
        .getJson("/api/v5/market/tickers", "instType=SPOT", restTicker("SPOT", "BTC-USDT"));
  }

  /** OKX's REST ticker answer holding the recorded {@code tickers} channel's first ticker. */
  static String restTicker(String instType, String instId) {
    String line = new String(WireSampleServer.sample("okx/ws-tickers-BTC-USDT.jsonl"),
        StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    String item = line.substring(line.indexOf("\"data\":[") + 8, line.lastIndexOf(']'));
    return "{\"code\":\"0\",\"msg\":\"\",\"data\":[" + item
        .replace("\"instType\":\"SPOT\"", "\"instType\":\"" + instType + "\"")
        .replace("\"instId\":\"BTC-USDT\"", "\"instId\":\"" + instId + "\"") + "]}";
  }

  @Test
  void instruments() {
    assertThat(fetchInstruments()).hasSize(513).contains(BTC);
  }

  @Test
  void books() {
    assertBook(fetchBook(BTC, 20), BTC, 41006.7, 0.487921, 41006.8, 0.60038921, 3, 3);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 30228.6, 30228.7, 30236.0);
  }

  @Test
  void tickers() {
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 30228.6, 30228.7, 30236.0));
  }
}
