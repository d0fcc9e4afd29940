package dev.scanflux.exchanges.venue.bitstamp.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import java.time.Duration;
import java.util.List;
import org.knowm.xchange.bitstamp.BitstampExchange;

/** Bitstamp via XChange. */
public final class BitstampVenues {

  /** Bitstamp: 10,000 requests per 10 minutes (and at most 400 per second). */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(10_000, Duration.ofMinutes(10));

  /** Bitstamp spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("bitstamp",
      "XChange", "https://www.bitstamp.net", "", LIMIT, 4, Instrument.Kind.SPOT, "btcusd",
      List.of(), "base units"), s -> new XChangeSource(s, spot()), null);

  private BitstampVenues() {}

  /** Bitstamp through XChange: full books cut to the depth asked, no bulk tickers. */
  static XChangeVenue spot() {
    return new XChangeVenue(BitstampExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP", depth -> new Object[0], null, true);
  }
}
