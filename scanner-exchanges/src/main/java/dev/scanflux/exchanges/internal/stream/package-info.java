/**
 * The streaming side shared by the native sources: a WebSocket connection as a {@code Flux}
 * ({@link dev.scanflux.exchanges.internal.stream.WsClient}) and a local order book kept from a
 * snapshot and deltas ({@link dev.scanflux.exchanges.internal.stream.LocalBook}). Not part of the
 * API; do not import.
 */
@NullMarked
package dev.scanflux.exchanges.internal.stream;

import org.jspecify.annotations.NullMarked;
