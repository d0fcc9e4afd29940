package dev.scanflux.examples.app;

import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.SimulatedVenue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The venues the app knows: every preset of the exchanges' registry ({@link Venues#descriptors()},
 * read by name with {@link Venues#preset(String)}), each with the simulator format that stands in
 * for it.
 */
final class VenueCatalog {

  /** A venue the app can scan. */
  record Entry(String name, Supplier<VenueBuilder> preset, SimulatedVenue simulated) {}

  /** The simulator format of each preset: the only venue knowledge kept here. */
  private static final Map<String, SimulatedVenue> SIMULATED = Map.ofEntries(
      Map.entry("binance", SimulatedVenue.BINANCE_SPOT),
      Map.entry("binance-futures", SimulatedVenue.BINANCE_FUTURES),
      Map.entry("asterdex", SimulatedVenue.ASTERDEX),
      Map.entry("okx", SimulatedVenue.OKX),
      Map.entry("okx-swap", SimulatedVenue.OKX_SWAP),
      Map.entry("bybit", SimulatedVenue.BYBIT),
      Map.entry("bybit-linear", SimulatedVenue.BYBIT_LINEAR),
      Map.entry("kucoin", SimulatedVenue.KUCOIN),
      Map.entry("kucoin-futures", SimulatedVenue.KUCOIN_FUTURES),
      Map.entry("kraken", SimulatedVenue.KRAKEN),
      Map.entry("gate", SimulatedVenue.GATE),
      Map.entry("gate-futures", SimulatedVenue.GATE_FUTURES),
      Map.entry("coinbase", SimulatedVenue.COINBASE),
      Map.entry("bitstamp", SimulatedVenue.BITSTAMP),
      Map.entry("hyperliquid", SimulatedVenue.HYPERLIQUID),
      Map.entry("bingx", SimulatedVenue.BINGX),
      Map.entry("lighter", SimulatedVenue.LIGHTER));

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    for (VenueDescriptor d : Venues.descriptors()) {
      SimulatedVenue sim = SIMULATED.get(d.name());
      if (sim == null) {
        throw new IllegalStateException("no simulator format for preset " + d.name());
      }
      ENTRIES.put(d.name(), new Entry(d.name(), () -> Venues.preset(d.name()), sim));
    }
  }

  /** The venues of the embedded default, in display order. */
  static final List<String> DEFAULT = List.of("binance", "okx", "bybit", "kucoin", "kraken");

  private VenueCatalog() {}

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
