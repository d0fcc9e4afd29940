package dev.scanflux.exchanges.venue.lighter.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** Lighter perpetuals, native. */
public final class LighterVenues {

  /** Lighter (lighter.xyz zk perpetual DEX). */
  public static final VenueDefinition PERPETUALS = new VenueDefinition(new VenueDescriptor(
      "lighter", "native", "https://mainnet.zklighter.elliot.ai", "", LighterSource.LIMIT, 2,
      Instrument.Kind.PERPETUAL, "market ETH (id from discovery) → ETH/USDC:perp", List.of(),
      "base units", 4L << 20), LighterSource::new, null);

  private LighterVenues() {}
}
