package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** A venue's REST source with its push stream: every request goes to the REST source. */
public final class StreamingSource implements MarketSource {

  private final MarketSource rest;
  private final MarketStream stream;

  /**
   * @param rest   the REST side
   * @param stream the push side, named like the REST side
   */
  public StreamingSource(MarketSource rest, MarketStream stream) {
    if (!rest.venue().equals(stream.venue())) {
      throw new IllegalArgumentException("the stream is named '" + stream.venue()
          + "' but the source '" + rest.venue() + "'");
    }
    this.rest = rest;
    this.stream = stream;
  }

  @Override
  public String venue() {
    return rest.venue();
  }

  @Override
  public RateLimitSpec rateLimit() {
    return rest.rateLimit();
  }

  @Override
  public int defaultConcurrency() {
    return rest.defaultConcurrency();
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return rest.instruments();
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return rest.book(instrument, depth);
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return rest.ticker(instrument);
  }

  @Override
  public boolean hasBulkTickers() {
    return rest.hasBulkTickers();
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    return rest.tickers();
  }

  @Override
  public Optional<MarketStream> stream() {
    return Optional.of(stream);
  }

  /** The REST side, for streams and tests that need the venue's own source. */
  public MarketSource rest() {
    return rest;
  }

  @Override
  public void close() {
    try {
      stream.close();
    } finally {
      rest.close();
    }
  }

  @Override
  public String toString() {
    return rest + " with stream " + stream;
  }
}
