/**
 * The source SPI: what a venue must provide to be scanned.
 *
 * <p>Implement {@link dev.scanflux.core.spi.MarketSource} once per venue; describe its limits
 * with a {@link dev.scanflux.core.spi.RateLimitSpec}; report failures as one of the four
 * {@link dev.scanflux.core.spi.SourceException} classes so the engine can count them and decide
 * whether to retry.
 */
@NullMarked
package dev.scanflux.core.spi;

import org.jspecify.annotations.NullMarked;
