package dev.scanflux.exchanges;

import dev.scanflux.simulator.SimulatedVenue;

/**
 * The preset whose source speaks each simulated wire format. Kept in the client's tests: the
 * simulator knows no client.
 */
public final class SimulatedPresets {

  private SimulatedPresets() {}

  /** A new builder of the preset for {@code venue}'s wire format; set its base URL. */
  public static VenueBuilder of(SimulatedVenue venue) {
    return switch (venue) {
      case BINANCE_SPOT -> Venues.binance();
      case BINANCE_FUTURES -> Venues.binanceFutures();
      case ASTERDEX -> Venues.asterdex();
      case OKX -> Venues.okx();
      case OKX_SWAP -> Venues.okxSwap();
      case KRAKEN -> Venues.kraken();
      case HYPERLIQUID -> Venues.hyperliquid();
      case BYBIT -> Venues.bybit();
      case BYBIT_LINEAR -> Venues.bybitLinear();
      case KUCOIN -> Venues.kucoin();
      case GATE -> Venues.gate();
      case COINBASE -> Venues.coinbase();
      case BITSTAMP -> Venues.bitstamp();
      case BINGX -> Venues.bingx();
      case GATE_FUTURES -> Venues.gateFutures();
      case KUCOIN_FUTURES -> Venues.kucoinFutures();
      case LIGHTER -> Venues.lighter();
    };
  }
}
