package dev.scanflux.exchanges.venue.kucoin.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** KuCoin spot and futures, native, streamed natively ({@link KucoinStream}). */
public final class KucoinVenues {

  private static final List<String> THROTTLE = List.of("code 429000");

  /** KuCoin spot, on KuCoin's current public endpoints. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("kucoin",
      "native", "https://api.kucoin.com", KucoinStream.SPOT_URL, KucoinSource.LIMIT, 4,
      Instrument.Kind.SPOT, "BTC-USDT", THROTTLE, "base units", 4L << 20), KucoinSource::new,
      KucoinStream::of);

  /** KuCoin futures (perpetuals). */
  public static final VenueDefinition FUTURES = new VenueDefinition(new VenueDescriptor(
      "kucoin-futures", "native", "https://api-futures.kucoin.com", KucoinStream.FUTURES_URL,
      KucoinFuturesSource.LIMIT, 4, Instrument.Kind.PERPETUAL, "XBTUSDTM → BTC/USDT:perp",
      THROTTLE, "contracts of multiplier (0.001 BTC for XBTUSDTM)", 4L << 20),
      KucoinFuturesSource::new, KucoinStream::of);

  private KucoinVenues() {}
}
