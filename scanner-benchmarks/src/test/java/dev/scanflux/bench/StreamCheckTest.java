package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;

class StreamCheckTest {

  @Test
  void eachSimulatedVenueIsServedByThePresetOfItsName() {
    assertThat(StreamCheck.preset(SimulatedVenue.BINANCE_SPOT)).asString()
        .startsWith("VenueBuilder{binance https://api.binance.com");
    assertThat(StreamCheck.preset(SimulatedVenue.BINANCE_FUTURES)).asString()
        .startsWith("VenueBuilder{binance-futures https://fapi.binance.com");
    assertThat(StreamCheck.preset(SimulatedVenue.OKX_SWAP)).asString()
        .startsWith("VenueBuilder{okx-swap https://www.okx.com");
    for (SimulatedVenue v : SimulatedVenue.values()) { // Venues.preset throws for an unknown name
      assertThat(StreamCheck.preset(v)).as(v.name()).isNotNull();
    }
  }
}
