package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.sim.SimulatedVenue;

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

  /** XChange asks for Gate's default book of 10 levels. */
  @Override
  int maxBookLevels() {
    return 10;
  }

  /** GateioException keeps no response headers, so the 429's Retry-After is lost in XChange. */
  @Override
  boolean retryAfterReachable() {
    return false;
  }
}
