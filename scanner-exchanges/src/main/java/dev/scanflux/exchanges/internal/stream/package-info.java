/**
 * The streaming side shared by the native sources: a WebSocket connection as a {@code Flux}
 * ({@link dev.scanflux.exchanges.internal.stream.WsClient}) and a local order book kept from a
 * snapshot and deltas ({@link dev.scanflux.exchanges.internal.stream.LocalBook}); the skeleton
 * every native stream extends, with the small pieces they all need
 * ({@link dev.scanflux.exchanges.internal.stream.WsStream}), and what one input of a connection
 * sends and emits ({@link dev.scanflux.exchanges.internal.stream.Outbox}). Not part of the API; do
 * not import.
 */
@NullMarked
package dev.scanflux.exchanges.internal.stream;

import org.jspecify.annotations.NullMarked;
