package dev.scanflux.exchanges.venue.hyperliquid.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** Hyperliquid perpetuals, native, streamed natively. */
public final class HyperliquidVenues {

  /** Hyperliquid perpetuals. */
  public static final VenueDefinition PERPETUALS = new VenueDefinition(new VenueDescriptor(
      "hyperliquid", "native", "https://api.hyperliquid.xyz", HyperliquidStream.URL,
      HyperliquidSource.LIMIT, 4, Instrument.Kind.PERPETUAL, "coin BTC → BTC/USDC:perp",
      List.of(), "base units", 4L << 20), HyperliquidSource::new,
      (s, rest) -> new HyperliquidStream(s));

  private HyperliquidVenues() {}
}
