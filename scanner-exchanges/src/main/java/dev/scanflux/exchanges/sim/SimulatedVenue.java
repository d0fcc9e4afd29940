package dev.scanflux.exchanges.sim;

/** The venue wire formats the simulator speaks. */
public enum SimulatedVenue {
  /** Binance spot ({@code /api/v3}); 6,000 weight per minute, {@code X-MBX-USED-WEIGHT-1M}. */
  BINANCE_SPOT
}
