package dev.scanflux.exchanges.internal.stream;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One open WebSocket connection, as a {@link WsClient} handler sees it. Thread-safe.
 */
public interface WsSession {

  /**
   * The incoming text messages, each reassembled from its frames, in order. Frames are read
   * from the socket one at a time, only while the subscriber has demand: a slow subscriber
   * stops the reading and TCP pushes back on the venue, nothing piles up in memory. Completes
   * when the connection ends (the {@link WsClient#connect} Flux carries the error). At most one
   * subscriber.
   */
  Flux<String> receive();

  /**
   * Sends a text frame when subscribed, after every frame sent before it; completes once it is
   * written. Fails if the connection has ended.
   */
  Mono<Void> send(String frame);

  /** Sends the frames in order; see {@link #send(String)}. */
  default Mono<Void> send(List<String> frames) {
    return Flux.fromIterable(frames).concatMap(this::send).then();
  }
}
