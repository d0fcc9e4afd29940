package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class HyperliquidSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.HYPERLIQUID;
  }

  @Override
  VenueBuilder preset() {
    return Venues.hyperliquid();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDC");
  }

  @Test
  void postsL2BookToInfo() {
    StepVerifier.create(source.book(btc(), 50))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(20))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/info");
    assertThat(r.symbol()).isEqualTo("BTC");
    assertThat(r.weight()).isEqualTo(2);
  }

  @Test
  void spotInstrumentsArePermanentFailures() {
    StepVerifier.create(source.book(Instrument.spot("BTC", "USDC"), 5))
        .expectError(dev.scanflux.core.spi.PermanentSourceException.class)
        .verify();
    assertThat(sim.requestLog()).isEmpty();
  }
}
