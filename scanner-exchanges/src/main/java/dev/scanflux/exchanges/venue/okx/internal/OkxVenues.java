package dev.scanflux.exchanges.venue.okx.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.VenueDescriptor;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.time.Duration;
import java.util.List;

/** OKX spot and linear swaps, both native and streamed natively. */
public final class OkxVenues {

  /**
   * OKX: order books 40 requests per 2 s. Tickers and discovery (one instrument list), 20 per
   * 2 s each, weigh 2, so that one budget never exceeds any of OKX's per-endpoint limits.
   */
  public static final RateLimitSpec SPOT_LIMIT = RateLimitSpec.of(40, Duration.ofSeconds(2))
      .withWeight(RequestKind.TICKER, 2)
      .withWeight(RequestKind.TICKERS, 2)
      .withWeight(RequestKind.INSTRUMENTS, 2);

  private static final List<String> THROTTLE = List.of("code 50011", "stream code 60014");

  /** OKX spot, native. */
  public static final VenueDefinition SPOT = new VenueDefinition(new VenueDescriptor("okx",
      "native", "https://www.okx.com", OkxStream.URL, SPOT_LIMIT, 4, Instrument.Kind.SPOT,
      "BTC-USDT", THROTTLE, "base units", 4L << 20),
      OkxSpotSource::new, OkxStream::spot);

  /** OKX linear perpetual swaps, native. */
  public static final VenueDefinition SWAP = new VenueDefinition(new VenueDescriptor("okx-swap",
      "native", "https://www.okx.com", OkxStream.URL, OkxSwapSource.LIMIT, 4,
      Instrument.Kind.PERPETUAL, "BTC-USDT-SWAP → BTC/USDT:perp", THROTTLE,
      "contracts of ctVal (0.01 BTC for BTC-USDT-SWAP)", 4L << 20),
      OkxSwapSource::new, OkxStream::swap);

  private OkxVenues() {}
}
