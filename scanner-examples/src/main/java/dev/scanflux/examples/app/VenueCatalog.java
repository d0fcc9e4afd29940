package dev.scanflux.examples.app;

import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.sim.SimulatedVenue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The venues the app knows: each one's preset and the simulator format that stands in for it. */
final class VenueCatalog {

  /** A venue the app can scan. */
  record Entry(String name, Supplier<VenueBuilder> preset, SimulatedVenue simulated) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    add("binance", Venues::binance, SimulatedVenue.BINANCE_SPOT);
    add("binance-futures", Venues::binanceFutures, SimulatedVenue.BINANCE_FUTURES);
    add("okx", Venues::okx, SimulatedVenue.OKX);
    add("okx-swap", Venues::okxSwap, SimulatedVenue.OKX_SWAP);
    add("bybit", Venues::bybit, SimulatedVenue.BYBIT);
    add("bybit-linear", Venues::bybitLinear, SimulatedVenue.BYBIT_LINEAR);
    add("kucoin", Venues::kucoin, SimulatedVenue.KUCOIN);
    add("kraken", Venues::kraken, SimulatedVenue.KRAKEN);
    add("gate", Venues::gate, SimulatedVenue.GATE);
    add("coinbase", Venues::coinbase, SimulatedVenue.COINBASE);
    add("bitstamp", Venues::bitstamp, SimulatedVenue.BITSTAMP);
    add("hyperliquid", Venues::hyperliquid, SimulatedVenue.HYPERLIQUID);
    add("bingx", Venues::bingx, SimulatedVenue.BINGX);
    add("asterdex", Venues::asterdex, SimulatedVenue.BINANCE_FUTURES);
    add("gate-futures", Venues::gateFutures, SimulatedVenue.GATE_FUTURES);
    add("kucoin-futures", Venues::kucoinFutures, SimulatedVenue.KUCOIN_FUTURES);
    add("lighter", Venues::lighter, SimulatedVenue.LIGHTER);
  }

  /** The venues of the embedded default, in display order. */
  static final List<String> DEFAULT = List.of("binance", "okx", "bybit", "kucoin", "kraken");

  private VenueCatalog() {}

  private static void add(String name, Supplier<VenueBuilder> preset, SimulatedVenue sim) {
    ENTRIES.put(name, new Entry(name, preset, sim));
  }

  static Entry get(String name) {
    Entry e = ENTRIES.get(name);
    if (e == null) {
      throw new IllegalArgumentException("unknown venue '" + name + "': known venues are "
          + String.join(", ", ENTRIES.keySet()));
    }
    return e;
  }

  static Set<String> names() {
    return ENTRIES.keySet();
  }
}
