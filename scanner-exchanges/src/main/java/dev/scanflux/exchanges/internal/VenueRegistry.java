package dev.scanflux.exchanges.internal;

import dev.scanflux.exchanges.venue.binance.internal.BinanceVenues;
import dev.scanflux.exchanges.venue.bingx.internal.BingxVenues;
import dev.scanflux.exchanges.venue.bitstamp.internal.BitstampVenues;
import dev.scanflux.exchanges.venue.bybit.internal.BybitVenues;
import dev.scanflux.exchanges.venue.coinbase.internal.CoinbaseVenues;
import dev.scanflux.exchanges.venue.gate.internal.GateVenues;
import dev.scanflux.exchanges.venue.hyperliquid.internal.HyperliquidVenues;
import dev.scanflux.exchanges.venue.kraken.internal.KrakenVenues;
import dev.scanflux.exchanges.venue.kucoin.internal.KucoinVenues;
import dev.scanflux.exchanges.venue.lighter.internal.LighterVenues;
import dev.scanflux.exchanges.venue.okx.internal.OkxVenues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every venue preset, one line each: adding a venue is one package and one line here.
 * {@code Venues}, the app and the documentation's test read this list.
 */
public final class VenueRegistry {

  /** Every preset, in the documentation's order. */
  public static final List<VenueDefinition> ALL = List.of(
      BinanceVenues.SPOT,
      BinanceVenues.FUTURES,
      BinanceVenues.ASTERDEX,
      OkxVenues.SPOT,
      OkxVenues.SWAP,
      BybitVenues.SPOT,
      BybitVenues.LINEAR,
      KucoinVenues.SPOT,
      GateVenues.SPOT,
      KrakenVenues.SPOT,
      CoinbaseVenues.SPOT,
      BitstampVenues.SPOT,
      HyperliquidVenues.PERPETUALS,
      BingxVenues.SPOT,
      GateVenues.FUTURES,
      KucoinVenues.FUTURES,
      LighterVenues.PERPETUALS);

  private static final Map<String, VenueDefinition> BY_NAME = byName();

  private VenueRegistry() {}

  private static Map<String, VenueDefinition> byName() {
    Map<String, VenueDefinition> m = new LinkedHashMap<>();
    for (VenueDefinition d : ALL) {
      if (m.put(d.name(), d) != null) {
        throw new IllegalStateException("two presets named " + d.name());
      }
    }
    return Map.copyOf(m);
  }

  /**
   * The preset named {@code name}.
   *
   * @throws IllegalArgumentException if there is none; the message lists the known names
   */
  public static VenueDefinition get(String name) {
    VenueDefinition d = BY_NAME.get(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown venue '" + name + "': known venues are "
          + String.join(", ", ALL.stream().map(VenueDefinition::name).toList()));
    }
    return d;
  }
}
