package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#bingx()} on BingX's documented answers (values captured live on 2023-12-16):
 * asks come worst first, and ticker prices are JSON numbers.
 */
class BingxWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.bingx();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/openApi/spot/v1/common/symbols", "bingx/common-symbols.json")
        .get("/openApi/spot/v1/market/depth", "symbol=BTC-USDT", "bingx/market-depth.json")
        .get("/openApi/spot/v1/ticker/24hr", "bingx/ticker-24hr.json");
  }

  @Test
  void commonSymbols() {
    assertThat(fetchInstruments()).containsExactly(BTC);
  }

  @Test
  void depthWithAsksWorstFirst() {
    assertBook(fetchBook(BTC, 5), BTC, 42182.22, 0.99114, 42183.17, 4.14752, 5, 5);
  }

  @Test
  void depthCutToFewerLevelsKeepsTheBest() {
    assertBook(fetchBook(BTC, 2), BTC, 42182.22, 0.99114, 42183.17, 4.14752, 2, 2);
  }

  @Test
  void ticker24hrWithNumericPrices() {
    assertTicker(fetchTicker(BTC), BTC, 42214.65, 42215.55, 42215.15);
  }

  @Test
  void allTickers24hr() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 42214.65, 42215.55, 42215.15));
  }
}
