package dev.scanflux.exchanges.venue.kraken.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import java.time.Duration;
import java.util.List;
import org.knowm.xchange.kraken.KrakenExchange;
import org.knowm.xchange.service.marketdata.params.Params;

/** Kraken spot: REST via XChange, streamed natively on WebSocket v2. */
public final class KrakenVenues {

  /**
   * Kraken: about one public request per second, counted here as 15 per sliding 15 s (the
   * burst Kraken's counter tolerates). Discovery weighs 3: XChange's Kraken loads the asset and
   * asset-pair tables besides the pairs, calls the engine's limiter cannot see one by one.
   */
  public static final RateLimitSpec LIMIT = RateLimitSpec.of(15, Duration.ofSeconds(15))
      .withWeight(RequestKind.INSTRUMENTS, 3);

  /** Kraken's production WebSocket, API v2. */
  public static final String STREAM_URL = KrakenStream.URL;

  /** Kraken spot. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("kraken",
      "XChange", "https://api.kraken.com", STREAM_URL, LIMIT, 2, Instrument.Kind.SPOT,
      "XXBTZUSD, SOLUSD", List.of("EAPI:Rate limit exceeded"), "base units"),
      s -> new XChangeSource(s, spot()), (s, rest) -> new KrakenStream(s));

  /** {@code getTickers} parameters Kraken ignores. */
  private static final Params NO_PARAMS = new Params() {};

  private KrakenVenues() {}

  /**
   * Kraken spot through XChange's {@code KrakenExchange}, which implements only the
   * {@code CurrencyPair} overloads; book depth up to 500.
   */
  static XChangeVenue spot() {
    return new XChangeVenue(KrakenExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.CURRENCY_PAIR, "PERP",
        depth -> new Object[] {Math.min(depth, 500)}, NO_PARAMS, false);
  }
}
