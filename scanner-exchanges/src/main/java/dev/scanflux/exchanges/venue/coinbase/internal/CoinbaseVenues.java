package dev.scanflux.exchanges.venue.coinbase.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import java.time.Duration;
import java.util.List;
import org.knowm.xchange.coinbasepro.CoinbaseProExchange;

/** Coinbase Exchange via XChange. */
public final class CoinbaseVenues {

  /**
   * Coinbase Exchange: 10 public requests per second; a ticker is two requests (ticker and 24 h
   * stats), discovery two (products and currencies).
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(10, Duration.ofSeconds(1))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.INSTRUMENTS, 2);

  /** Coinbase Exchange spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("coinbase",
      "XChange", "https://api.exchange.coinbase.com", "", LIMIT, 4, Instrument.Kind.SPOT,
      "BTC-USD", List.of(), "base units"), s -> new XChangeSource(s, spot()), null);

  private CoinbaseVenues() {}

  /**
   * Coinbase Exchange through XChange's {@code CoinbaseProExchange}: level-2 books, no bulk
   * tickers (its {@code products/stats} has no bid or ask).
   */
  static XChangeVenue spot() {
    return new XChangeVenue(CoinbaseProExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP", depth -> new Object[] {2}, null, false);
  }
}
