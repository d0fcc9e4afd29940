/**
 * Immutable market data: {@link dev.scanflux.core.model.Instrument}, and the two kinds of
 * {@link dev.scanflux.core.model.MarketSnapshot}, {@link dev.scanflux.core.model.BookSnapshot}
 * and {@link dev.scanflux.core.model.TickerSnapshot}.
 *
 * <p>Every value is validated when it is built: a snapshot that exists is well formed (no
 * crossed book, no negative, infinite or NaN price or size, levels sorted), so a strategy never
 * has to re-check what it is given. Invalid input raises
 * {@link dev.scanflux.core.model.InvalidSnapshotException}, which names the venue, the
 * instrument and the defect.
 */
@NullMarked
package dev.scanflux.core.model;

import org.jspecify.annotations.NullMarked;
