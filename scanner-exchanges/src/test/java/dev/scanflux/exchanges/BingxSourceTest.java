package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class BingxSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BINGX;
  }

  @Override
  VenueBuilder preset() {
    return Venues.bingx();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }

  @Test
  void tickerCarriesTheTimestampBingxRequires() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> assertThat(t.change24h()).isBetween(-0.5, 0.5))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.query()).contains("symbol=BTC-USDT").containsPattern("timestamp=\\d+");
  }
}
