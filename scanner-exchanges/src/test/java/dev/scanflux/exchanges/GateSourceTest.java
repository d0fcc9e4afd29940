package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.SimulatedVenue;

class GateSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.GATE;
  }

  @Override
  VenueBuilder preset() {
    return Venues.gate();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }
}
