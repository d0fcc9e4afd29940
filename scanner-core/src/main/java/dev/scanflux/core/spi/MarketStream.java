package dev.scanflux.core.spi;

import reactor.core.publisher.Flux;

/**
 * One venue's push side: order books and tickers over a long-lived connection, such as a
 * WebSocket. A {@link MarketSource} offers one through {@link MarketSource#stream()}; the scanner
 * uses it for the venues whose {@code VenueOptions} enable streaming and polls the source's REST
 * side for whatever the stream does not currently deliver.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #connect} is cold: each subscription opens one connection, subscribes every
 *       channel of the request, and emits {@link StreamEvent.Connected} once those subscriptions
 *       were sent. Cancelling the subscription closes the connection.
 *   <li>It never completes on its own. It errors when the connection cannot be opened, drops, or
 *       is closed by the venue; the scanner then reconnects with exponential backoff and jitter
 *       and polls over REST meanwhile. A source must not reconnect or retry by itself.
 *   <li>Books are kept in sync by the source, from a snapshot plus deltas: deltas that arrive
 *       while a snapshot loads are buffered and applied after it, and a sequence gap, a checksum
 *       mismatch or a delta that would cross the book is reported as a
 *       {@link StreamEvent.Resync} for that instrument while the source rebuilds its book. No
 *       book is emitted for the instrument until it is in sync again: a stream never emits a
 *       book it knows or suspects is wrong.
 *   <li>Every emitted {@link StreamEvent.Update} holds a full, valid snapshot: for books the top
 *       {@link StreamRequest#depth()} levels per side of the synced book. A message that cannot
 *       be read (malformed JSON, an unknown symbol) is reported as a {@link StreamEvent.Rejected}
 *       and never crashes the stream.
 *   <li>The context's {@link StreamContext#resyncs()} carries instruments the scanner wants
 *       rebuilt, because its staleness watchdog saw no update for too long; the source
 *       re-requests their snapshot or resubscribes their channel. REST requests the stream needs
 *       (snapshots to sync deltas on) go through {@link StreamContext#request}, so they count
 *       against the venue's rate limit like the scanner's own.
 *   <li>Events may be emitted from the client's I/O thread but never concurrently, and never
 *       from a blocking call on a non-blocking thread. Under backpressure a source keeps the
 *       latest state per instrument rather than buffering without bound.
 * </ul>
 *
 * <p>The scanner owns the stream: it cancels every connection and closes the stream when it
 * closes, before closing the source.
 */
public interface MarketStream extends AutoCloseable {

  /** The venue's name; the same as its {@link MarketSource#venue()}. */
  String venue();

  /**
   * Opens one connection and subscribes the request's channels.
   *
   * @param request what to subscribe
   * @param context resync requests and rate-limited REST for the connection's lifetime
   * @return the connection's events; errors when the connection ends, never completes
   */
  Flux<StreamEvent> connect(StreamRequest request, StreamContext context);

  /** Releases the stream's resources (threads, clients). Defaults to nothing. */
  @Override
  default void close() {}
}
