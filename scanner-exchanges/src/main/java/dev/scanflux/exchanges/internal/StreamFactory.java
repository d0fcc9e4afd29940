package dev.scanflux.exchanges.internal;

import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;

/** Makes a venue's push stream from the user's settings, beside its REST source. */
@FunctionalInterface
public interface StreamFactory {
  /**
   * A new stream; it opens no connection before its first {@code connect} is subscribed.
   *
   * @param settings the venue's settings, {@link SourceSettings#streamUrl()} among them
   * @param rest     the venue's REST source, for streams that need its symbols or snapshots
   */
  MarketStream create(SourceSettings settings, MarketSource rest);
}
