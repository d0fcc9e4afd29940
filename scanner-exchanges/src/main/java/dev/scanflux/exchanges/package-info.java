/**
 * Venue sources for the scanner: presets for real exchanges ({@link dev.scanflux.exchanges.Venues}),
 * backed by XChange or by native HTTP clients, each with its documented rate limit, a sane
 * default concurrency and a base-URL override.
 *
 * <pre>{@code
 * MarketSource binance = Venues.binance().build();                      // api.binance.com
 * MarketSource test = Venues.binance().baseUrl("http://127.0.0.1:8123").build();
 * }</pre>
 */
@NullMarked
package dev.scanflux.exchanges;

import org.jspecify.annotations.NullMarked;
