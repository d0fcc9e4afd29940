package dev.scanflux.bench;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A source that forwards everything to its delegate and counts the price requests (books,
 * tickers, bulk tickers; the stream's REST snapshots included) the scanner started and then
 * cancelled before they ended: the scanner counts a request when it ends, so a cancelled one
 * (in flight when the scanner closed, or a stream's snapshot fetch whose connection was replaced
 * meanwhile) reached the venue, perhaps, and was never counted. The chaos reconciliation allows
 * exactly these, not a guessed bound.
 */
final class WatchedSource implements MarketSource {
  private final MarketSource delegate;
  private final LongAdder cancelled = new LongAdder();

  WatchedSource(MarketSource delegate) {
    this.delegate = delegate;
  }

  /** Price requests started and cancelled before they ended. */
  long cancelled() {
    return cancelled.sum();
  }

  private <T> Mono<T> watched(Mono<T> call) {
    AtomicBoolean ended = new AtomicBoolean();
    return call.doOnTerminate(() -> ended.set(true)).doOnCancel(() -> {
      if (!ended.get()) {
        cancelled.increment();
      }
    });
  }

  @Override
  public String venue() {
    return delegate.venue();
  }

  @Override
  public RateLimitSpec rateLimit() {
    return delegate.rateLimit();
  }

  @Override
  public int defaultConcurrency() {
    return delegate.defaultConcurrency();
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return delegate.instruments();
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return watched(delegate.book(instrument, depth));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return watched(delegate.ticker(instrument));
  }

  @Override
  public boolean hasBulkTickers() {
    return delegate.hasBulkTickers();
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    return watched(delegate.tickers());
  }

  @Override
  public Optional<MarketStream> stream() {
    return delegate.stream().map(WatchedStream::new);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The delegate's stream, its REST snapshots watched. */
  private final class WatchedStream implements MarketStream {
    private final MarketStream stream;

    WatchedStream(MarketStream stream) {
      this.stream = stream;
    }

    @Override
    public String venue() {
      return stream.venue();
    }

    @Override
    public Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
      return stream.connect(request, new StreamContext() {
        @Override
        public Flux<Instrument> resyncs() {
          return context.resyncs();
        }

        @Override
        public <T> Mono<T> request(RequestKind kind, int depth, Supplier<Mono<T>> call) {
          return context.request(kind, depth, () -> watched(call.get()));
        }
      });
    }

    @Override
    public void close() {
      stream.close();
    }
  }
}
