package dev.scanflux.exchanges.venue.kraken.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.time.Duration;
import java.util.List;

/** Kraken spot: REST native, streamed natively on WebSocket v2. */
public final class KrakenVenues {

  /**
   * Kraken: about one public request per second, counted here as 15 per sliding 15 s (the
   * burst Kraken's counter tolerates). Every call is one request of weight 1, discovery too
   * (one {@code AssetPairs}).
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(15, Duration.ofSeconds(15));

  /** Kraken's production WebSocket, API v2. */
  public static final String STREAM_URL = KrakenStream.URL;

  /** Kraken spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("kraken",
      "native", "https://api.kraken.com", STREAM_URL, LIMIT, 2, Instrument.Kind.SPOT,
      "XXBTZUSD, SOLUSD", List.of("EAPI:Rate limit exceeded"), "base units", 4L << 20),
      KrakenSource::new, (s, rest) -> new KrakenStream(s));

  private KrakenVenues() {}
}
