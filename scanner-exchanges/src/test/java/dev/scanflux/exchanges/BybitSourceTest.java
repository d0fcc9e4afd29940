package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class BybitSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BYBIT;
  }

  @Override
  VenueBuilder preset() {
    return Venues.bybit();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }

  @Test
  void asksBybitForTheDepthCappedAt200() {
    StepVerifier.create(source.book(btc(), 300))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(200))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/v5/market/orderbook");
    assertThat(r.query()).contains("category=spot", "symbol=BTCUSDT", "limit=200");
  }
}
