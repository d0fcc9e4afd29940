package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.SimulatedVenue;

class CoinbaseSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.COINBASE;
  }

  @Override
  VenueBuilder preset() {
    return Venues.coinbase();
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
