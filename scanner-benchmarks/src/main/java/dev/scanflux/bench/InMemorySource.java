package dev.scanflux.bench;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import reactor.core.publisher.Mono;

/**
 * A venue that answers at once from memory, so that benchmarks measure Scanflux and nothing
 * else: prebuilt {@code depth}-level books and tickers for {@code count} instruments, bulk
 * tickers, and a limit too high to matter.
 */
final class InMemorySource implements MarketSource {

  private final String venue;
  private final List<Instrument> instruments = new ArrayList<>();
  private final List<BookSnapshot> books = new ArrayList<>();
  private final List<TickerSnapshot> tickers = new ArrayList<>();

  InMemorySource(String venue, int count, int depth, long seed) {
    this.venue = venue;
    Random random = new Random(seed);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < count; i++) {
      Instrument instrument = Instrument.spot("C" + i, "USDT");
      double mid = Math.exp(random.nextGaussian() * 3);
      double tick = mid * 1e-4;
      BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument).exchangeTime(t);
      for (int l = 0; l < depth; l++) {
        b.bid(mid - tick * (l + 1), 1 + random.nextDouble() * 10);
        b.ask(mid + tick * (l + 1), 1 + random.nextDouble() * 10);
      }
      instruments.add(instrument);
      books.add(b.build());
      tickers.add(new TickerSnapshot(venue, instrument, mid - tick, mid + tick, mid,
          random.nextDouble() * 1e6, random.nextDouble() * 1e8, random.nextGaussian() * 0.05, t,
          t));
    }
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public RateLimitSpec rateLimit() {
    return RateLimitSpec.of(1_000_000, Duration.ofMillis(1));
  }

  @Override
  public int defaultConcurrency() {
    return 64;
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return Mono.just(instruments);
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return Mono.just(books.get(Integer.parseInt(instrument.base().substring(1))));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return Mono.just(tickers.get(Integer.parseInt(instrument.base().substring(1))));
  }

  @Override
  public boolean hasBulkTickers() {
    return true;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    return Mono.just(tickers);
  }
}
