package dev.scanflux.kafka.blockhound;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/** One venue, two instruments, answering at once without blocking. */
final class SimpleSource implements MarketSource {

  private static final List<Instrument> INSTRUMENTS =
      List.of(Instrument.parse("BTC/USDT"), Instrument.parse("ETH/USDT"));

  @Override
  public String venue() {
    return "simple";
  }

  @Override
  public RateLimitSpec rateLimit() {
    return RateLimitSpec.of(10_000, Duration.ofSeconds(1));
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return Mono.just(INSTRUMENTS);
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return Mono.just(BookSnapshot.builder(venue(), instrument).bid(100, 1).ask(101, 1).build());
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return Mono.just(new TickerSnapshot(venue(), instrument, 100, 101, 100.5, 1, 1, 0,
        Instant.EPOCH, Instant.EPOCH));
  }
}
