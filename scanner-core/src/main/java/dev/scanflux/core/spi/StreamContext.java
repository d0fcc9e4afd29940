package dev.scanflux.core.spi;

import dev.scanflux.core.model.Instrument;
import java.util.Objects;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a {@link MarketStream} connection gets from the scanner besides its request: the
 * instruments to rebuild, and a way to make the REST requests a stream needs (a book snapshot to
 * apply deltas on) within the venue's rate limit.
 */
public interface StreamContext {

  /**
   * Instruments the scanner wants rebuilt, because its staleness watchdog saw no update for too
   * long; the source re-requests their snapshot or resubscribes their channel. Hot: subscribe
   * once per connection.
   */
  Flux<Instrument> resyncs();

  /**
   * Runs one REST request of the stream through the venue's rate limiter and concurrency bound,
   * ahead of the cycle's ordinary requests, with the venue's request timeout. Errors with a
   * {@link SourceException}; not retried (the stream decides, usually by resyncing later).
   *
   * @param kind  the request's kind, for its weight
   * @param depth the book depth asked for, for a {@link RequestKind#BOOK} weight
   * @param call  makes the request; subscribed once admitted
   */
  <T> Mono<T> request(RequestKind kind, int depth, Supplier<Mono<T>> call);

  /**
   * A context that asks for no resync and runs requests at once, unlimited: for tests and for
   * using a stream without a scanner.
   */
  static StreamContext direct() {
    return direct(Flux.never());
  }

  /** Like {@link #direct()}, with the given resync requests. */
  static StreamContext direct(Flux<Instrument> resyncs) {
    Objects.requireNonNull(resyncs, "resyncs");
    return new StreamContext() {
      @Override
      public Flux<Instrument> resyncs() {
        return resyncs;
      }

      @Override
      public <T> Mono<T> request(RequestKind kind, int depth, Supplier<Mono<T>> call) {
        return Mono.defer(call);
      }
    };
  }
}
