package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.SimulatedVenue;

class BitstampSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BITSTAMP;
  }

  @Override
  VenueBuilder preset() {
    return Venues.bitstamp();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USD");
  }

  /** No bulk endpoint with bid and ask. */
  @Override
  boolean bulkTickers() {
    return false;
  }
}
