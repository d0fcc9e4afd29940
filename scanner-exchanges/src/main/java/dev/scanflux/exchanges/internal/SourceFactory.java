package dev.scanflux.exchanges.internal;

import dev.scanflux.core.spi.MarketSource;

/** Makes a venue's source from the user's settings. */
@FunctionalInterface
public interface SourceFactory {
  /** A new source; it opens no connection before its first request. */
  MarketSource create(SourceSettings settings);
}
