package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Keeps the README's embedding example compiling and working: the block below is its copy, with
 * fake sources standing in for the two presets (scanner-exchanges is not a dependency here).
 */
class ReadmeExampleTest {

  @Test
  void theReadmeExampleRuns() {
    MarketSource binance = new FakeSource("binance", Schedulers.parallel(),
        FakeSource.universe(5)).latency(Duration.ofMillis(1));
    MarketSource okx = new FakeSource("okx", Schedulers.parallel(),
        FakeSource.universe("BTC", "ETH")).latency(Duration.ofMillis(1));
    Scan seen;
    Optional<BookSnapshot> seenBtc;

    // --- README: Embedding ---
    try (Scanner scanner = Scanner.builder()
        .venue(binance)                                   // any MarketSource
        .venue(okx, VenueOptions.custom()
            .concurrency(8)                               // requests in flight
            .rateLimit(RateLimitSpec.parse("40/2s"))      // override the venue's own
            .depth(50)
            .build())
        .priority("BTC", "ETH", "SOL")                    // fetched first on every venue
        .interval(Duration.ofSeconds(1))                  // pause between cycles
        .build()
        .start()) {

      scanner.snapshots()                                 // every snapshot as it arrives
          .subscribe(s -> System.out.println(s.venue() + " " + s.instrument()));
      scanner.scans()                                     // one Scan per completed cycle
          .subscribe(scan -> System.out.println(scan.report()));
      Optional<BookSnapshot> btc = scanner.view()         // latest per venue+instrument, lock-free
          .book("okx", Instrument.parse("BTC/USDT"), Duration.ofSeconds(2));
      Scan last = scanner.latest().block();               // latest completed scan, at once
      // --- end of README ---
      seen = last;
      seenBtc = scanner.view().book("okx", Instrument.parse("BTC/USDT"), Duration.ofSeconds(2));
      assertThat(btc).isNotNull();
    }

    assertThat(seen.report().venues()).containsOnlyKeys("binance", "okx");
    assertThat(seen.report().failed()).isZero();
    assertThat(seenBtc).isPresent();
  }
}
