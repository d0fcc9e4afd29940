package dev.scanflux.exchanges.venue.bybit.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** Bybit spot and linear perpetuals, native, streamed natively. */
public final class BybitVenues {

  private static final List<String> THROTTLE = List.of("retCode 10006",
      "HTTP 403 access too frequent");

  /** Bybit spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("bybit",
      "native", "https://api.bybit.com", BybitStream.SPOT_URL, BybitSource.LIMIT, 8,
      Instrument.Kind.SPOT, "BTCUSDT", THROTTLE, "base units", 4L << 20),
      BybitSource::new, BybitStream::new);

  /** Bybit USDT and USDC linear perpetuals. */
  public static final VenueDefinition LINEAR = new VenueDefinition(new VenueDescriptor(
      "bybit-linear", "native", "https://api.bybit.com", BybitStream.LINEAR_URL,
      BybitSource.LIMIT, 8, Instrument.Kind.PERPETUAL,
      "BTCUSDT → BTC/USDT:perp, 1000PEPEUSDT → 1000PEPE/USDT:perp", THROTTLE, "base units",
      4L << 20),
      s -> new BybitSource(s, BybitSource.Category.LINEAR), BybitStream::new);

  private BybitVenues() {}
}
