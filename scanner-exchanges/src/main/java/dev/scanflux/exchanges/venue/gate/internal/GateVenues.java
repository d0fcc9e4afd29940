package dev.scanflux.exchanges.venue.gate.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** Gate.io spot and USDT-settled perpetuals, native, streamed natively. */
public final class GateVenues {

  private static final List<String> THROTTLE = List.of("label TOO_MANY_REQUESTS");

  /** Gate.io spot (API v4). */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("gate",
      "native", "https://api.gateio.ws", GateStream.SPOT_URL, GateSource.LIMIT, 4,
      Instrument.Kind.SPOT, "BTC_USDT", THROTTLE, "base units", 4L << 20), GateSource::new,
      GateStream::spot);

  /** Gate.io USDT-settled perpetuals. */
  public static final VenueDefinition FUTURES = new VenueDefinition(new VenueDescriptor(
      "gate-futures", "native", "https://api.gateio.ws", GateStream.FUTURES_URL,
      GateFuturesSource.LIMIT, 4,
      Instrument.Kind.PERPETUAL, "BTC_USDT → BTC/USDT:perp", THROTTLE,
      "contracts of quanto_multiplier (0.0001 BTC for BTC_USDT)", 4L << 20),
      GateFuturesSource::new, GateStream::futures);

  private GateVenues() {}
}
