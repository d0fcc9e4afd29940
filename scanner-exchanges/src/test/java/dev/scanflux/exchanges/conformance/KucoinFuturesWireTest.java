package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#kucoinFutures()} on KuCoin futures' real answers: the recorded XBTUSDTM ticker
 * and KuCoin's documented contract list and depth (the depth example is XBTUSDM's; KuCoin serves
 * one shape for every contract, so it answers for XBTUSDTM here).
 */
class KucoinFuturesWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.kucoinFutures();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v1/contracts/active", "kucoin-futures/contracts-active-doc.json")
        .get("/api/v1/level2/depth20", "symbol=XBTUSDTM", "kucoin-futures/level2-depth-doc.json")
        .get("/api/v1/level2/depth100", "symbol=XBTUSDTM", "kucoin-futures/level2-depth-doc.json")
        .get("/api/v1/ticker", "symbol=XBTUSDTM", "kucoin-futures/ticker.json");
  }

  @Test
  void activeContracts() {
    assertThat(fetchInstruments()).containsExactly(BTC);
  }

  @Test
  void depthInContractsOfTheMultiplier() {
    fetchInstruments();
    var book = fetchBook(BTC, 20);
    assertBook(book, BTC, 66968.0, 2 * 0.001, 66968.1, 13501 * 0.001, 2, 2);
    assertThat(book.contractSize()).isEqualTo(0.001);
  }

  @Test
  void ticker() {
    fetchInstruments();
    assertTicker(fetchTicker(BTC), BTC, 73399.9, 73400.0, 73400.0);
  }
}
