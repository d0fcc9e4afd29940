package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class KrakenSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.KRAKEN;
  }

  @Override
  VenueBuilder preset() {
    return Venues.kraken();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USD");
  }

  @Test
  void mapsBitcoinToKrakensLegacyPairName() {
    assertThat(discovered).contains(Instrument.spot("ETH", "USD"), Instrument.spot("SOL", "USD"));
    StepVerifier.create(source.book(btc(), 10))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(10))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/0/public/Depth");
    assertThat(r.symbol()).isEqualTo("XXBTZUSD");
    assertThat(r.query()).contains("count=10");
  }
}
