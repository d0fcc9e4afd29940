package dev.scanflux.exchanges.venue.bingx.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.util.List;

/** BingX spot, native, streamed natively. */
public final class BingxVenues {

  /** BingX spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("bingx",
      "native", "https://open-api.bingx.com", BingxStream.URL, BingxSource.LIMIT, 4,
      Instrument.Kind.SPOT, "BTC-USDT", List.of("code 100410"), "base units", 4L << 20),
      BingxSource::new, BingxStream::new);

  private BingxVenues() {}
}
