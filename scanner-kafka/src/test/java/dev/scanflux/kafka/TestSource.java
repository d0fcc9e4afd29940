package dev.scanflux.kafka;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/** A venue that answers at once with books and tickers whose prices move on every request. */
final class TestSource implements MarketSource {

  private final String venue;
  private final List<Instrument> instruments = new ArrayList<>();
  private final AtomicLong tick = new AtomicLong();

  TestSource(String venue, int instruments) {
    this.venue = venue;
    String[] bases = {"BTC", "ETH", "SOL", "XRP", "ADA", "DOGE", "AVAX", "DOT", "LINK", "LTC"};
    for (int i = 0; i < instruments; i++) {
      this.instruments.add(Instrument.spot(bases[i % bases.length] + (i < bases.length ? "" : i),
          "USDT"));
    }
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public RateLimitSpec rateLimit() {
    return RateLimitSpec.of(100_000, Duration.ofSeconds(1));
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return Mono.just(List.copyOf(instruments));
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    double mid = price(instrument);
    return Mono.just(BookSnapshot.builder(venue, instrument)
        .bid(mid - 0.5, 1.5).bid(mid - 1, 2)
        .ask(mid + 0.5, 1.25).ask(mid + 1, 3)
        .exchangeTime(Instant.parse("2025-01-31T12:00:00Z"))
        .build());
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    double mid = price(instrument);
    return Mono.just(new TickerSnapshot(venue, instrument, mid - 0.5, mid + 0.5, mid, 1000,
        Double.NaN, 0.01, Instant.EPOCH, Instant.EPOCH));
  }

  private double price(Instrument instrument) {
    return 100 + instruments.indexOf(instrument) * 10 + (tick.incrementAndGet() % 97) * 0.01;
  }
}
