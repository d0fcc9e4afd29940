package dev.scanflux.exchanges.venue.bitstamp.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.time.Duration;
import java.util.List;

/** Bitstamp, native, streamed natively. */
public final class BitstampVenues {

  /** Bitstamp: 10,000 requests per 10 minutes (and at most 400 per second). */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(10_000, Duration.ofMinutes(10));

  /** Bitstamp spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("bitstamp",
      "native", "https://www.bitstamp.net", BitstampStream.URL, LIMIT, 4, Instrument.Kind.SPOT,
      "btcusd", List.of(), "base units", 4L << 20), BitstampSource::new, BitstampStream::new);

  private BitstampVenues() {}
}
