package dev.scanflux.exchanges.venue.okx.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import dev.scanflux.exchanges.internal.XChangeSource;
import dev.scanflux.exchanges.internal.XChangeVenue;
import java.time.Duration;
import java.util.List;
import org.knowm.xchange.okex.OkexExchange;
import org.knowm.xchange.okex.dto.OkexInstType;

/** OKX spot (XChange) and linear swaps (native), both streamed natively. */
public final class OkxVenues {

  /**
   * OKX: order books 40 requests per 2 s. Tickers (20 per 2 s) weigh 2 and discovery (two
   * instrument lists, 20 per 2 s) 4, so that one budget never exceeds any of OKX's per-endpoint
   * limits.
   */
  public static final RateLimitSpec SPOT_LIMIT = RateLimitSpec.of(40, Duration.ofSeconds(2))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 2)
      .withWeight(RequestKind.INSTRUMENTS, 4);

  private static final List<String> THROTTLE = List.of("code 50011", "stream code 60014");

  /** OKX spot via XChange. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("okx",
      "XChange", "https://www.okx.com", OkxStream.URL, SPOT_LIMIT, 4, Instrument.Kind.SPOT,
      "BTC-USDT", THROTTLE, "base units"),
      s -> new XChangeSource(s, spot()), OkxStream::spot);

  /** OKX linear perpetual swaps, native. */
  public static final VenueDefinition SWAP = new VenueDefinition(new VenueDescriptor("okx-swap",
      "native", "https://www.okx.com", OkxStream.URL, OkxSwapSource.LIMIT, 4,
      Instrument.Kind.PERPETUAL, "BTC-USDT-SWAP → BTC/USDT:perp", THROTTLE,
      "contracts of ctVal (0.01 BTC for BTC-USDT-SWAP)"),
      OkxSwapSource::new, OkxStream::swap);

  private OkxVenues() {}

  /** OKX spot through XChange's {@code OkexExchange}; its books are 20 levels deep. */
  static XChangeVenue spot() {
    return new XChangeVenue(OkexExchange.class, spec -> {}, Instrument.Kind.SPOT,
        XChangeVenue.Overload.INSTRUMENT, "SWAP", depth -> new Object[0], OkexInstType.SPOT,
        true);
  }
}
