package dev.scanflux.exchanges.venue.coinbase.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.time.Duration;
import java.util.List;

/** Coinbase Exchange, native. */
public final class CoinbaseVenues {

  /**
   * Coinbase Exchange: 10 public requests per second; a ticker is two requests (ticker and 24 h
   * stats), discovery one ({@code /products}).
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(10, Duration.ofSeconds(1))
      .withWeight(RequestKind.TICKER, 2);

  /** Coinbase Exchange spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("coinbase",
      "native", "https://api.exchange.coinbase.com", "", LIMIT, 4, Instrument.Kind.SPOT,
      "BTC-USD", List.of(), "base units", 16L << 20), CoinbaseSource::new, null);

  private CoinbaseVenues() {}
}
