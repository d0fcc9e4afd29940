package dev.scanflux.core.spi;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * One venue, as the scan engine sees it: discovery, books, tickers and its rate limit.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>Every method returns a cold {@code Mono}: nothing is sent until it is subscribed, and
 *       each subscription sends one request. The engine subscribes only after the venue's rate
 *       limiter and concurrency bound admit the request, so a source must not throttle or retry
 *       on its own.
 *   <li>A {@code Mono} must never block the subscribing thread. A source backed by a blocking
 *       client shifts the call with {@code Mono.fromCallable(...).subscribeOn(s)} onto a
 *       scheduler of its own, sized to its concurrency.
 *   <li>Cancellation (after a timeout or on close) should abort the request where the client
 *       allows it.
 *   <li>Failures are signalled as {@link SourceException}s: {@link ThrottledException} (with the
 *       venue's {@code Retry-After}), {@link TransientSourceException}, {@link BadDataException}
 *       or {@link PermanentSourceException}.
 *   <li>Snapshots must be for this venue and the instrument asked for. Their receive time is
 *       replaced by the engine's clock on arrival.
 * </ul>
 *
 * <p>The scanner owns the sources it is given and closes them when it closes.
 */
public interface MarketSource extends AutoCloseable {

  /** The venue's name, e.g. {@code binance}: unique within a scanner, used in every report. */
  String venue();

  /** The venue's documented rate limit and request weights. */
  RateLimitSpec rateLimit();

  /**
   * How many requests may be in flight at once unless the user says otherwise; enough to reach
   * the rate limit at the venue's usual round trip, and no more. Defaults to 4.
   */
  default int defaultConcurrency() {
    return 4;
  }

  /** The instruments the venue trades, in the venue's order. */
  Mono<List<Instrument>> instruments();

  /**
   * One order book.
   *
   * @param instrument the instrument
   * @param depth      levels per side wanted; the venue may return fewer, or round up to a
   *                   depth it supports
   */
  Mono<BookSnapshot> book(Instrument instrument, int depth);

  /** One ticker. */
  Mono<TickerSnapshot> ticker(Instrument instrument);

  /** True when {@link #tickers()} fetches every ticker in one request. Defaults to false. */
  default boolean hasBulkTickers() {
    return false;
  }

  /**
   * Every ticker in one request; only called when {@link #hasBulkTickers()} is true. Tickers for
   * instruments the scanner does not follow are ignored.
   */
  default Mono<List<TickerSnapshot>> tickers() {
    return Mono.error(new PermanentSourceException(venue(), "bulk tickers are not supported",
        null));
  }

  /**
   * The venue's push stream, when the source has one; empty by default. The scanner connects it
   * only for venues whose options enable streaming, and closes it before the source.
   */
  default Optional<MarketStream> stream() {
    return Optional.empty();
  }

  /** Releases the source's resources (threads, connections). Defaults to nothing. */
  @Override
  default void close() {}
}
