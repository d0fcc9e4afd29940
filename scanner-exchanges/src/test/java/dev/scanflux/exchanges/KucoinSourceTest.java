package dev.scanflux.exchanges;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.SimulatedVenue;

class KucoinSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.KUCOIN;
  }

  @Override
  VenueBuilder preset() {
    return Venues.kucoin();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }
}
