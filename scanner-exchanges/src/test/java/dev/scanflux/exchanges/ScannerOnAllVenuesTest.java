package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine over every simulated venue at once, each at its real rate limit: no request is
 * throttled, and in every cycle every venue is asked for the priority instruments first, as the
 * simulators' own request logs show. Requests sent together (up to the venue's concurrency)
 * may arrive in any order, so "first" means: no ordinary request arrives before the last
 * priority one unless it was sent alongside it.
 */
class ScannerOnAllVenuesTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void everyVenueAtItsRealLimitWithZero429sAndPriorityFirstInEveryCycle() {
    Map<SimulatedVenue, VenueSimulator> sims = new EnumMap<>(SimulatedVenue.class);
    Map<SimulatedVenue, Integer> concurrency = new EnumMap<>(SimulatedVenue.class);
    Scanner.Builder builder = Scanner.builder().priority("BTC", "ETH").interval(Duration.ZERO)
        .maxCycles(2);
    for (SimulatedVenue v : SimulatedVenue.values()) {
      VenueSimulator sim = VenueSimulator.builder(v).instruments(8).seed(3)
          .latency(Duration.ofMillis(5)).jitter(Duration.ZERO).build(); // real limit enforced
      open.add(sim);
      sims.put(v, sim);
      MarketSource source = SimulatedPresets.of(v).baseUrl(sim.start()).build();
      concurrency.put(v, source.defaultConcurrency());
      builder.venue(source);
    }

    List<Scan> scans;
    try (Scanner scanner = builder.build()) {
      scans = scanner.start().scans().collectList().block(Duration.ofMinutes(2));
    }

    assertThat(scans).hasSize(2);
    for (Scan scan : scans) {
      assertThat(scan.report().venues()).hasSize(SimulatedVenue.values().length);
      for (VenueReport r : scan.report().venues().values()) {
        assertThat(r.throttles()).as("%s throttled in cycle %d", r.venue(), scan.cycle())
            .isZero();
        assertThat(r.failed()).as("%s failed", r.venue()).isZero();
        assertThat(r.instruments()).as(r.venue()).isEqualTo(8);
      }
    }
    sims.forEach((venue, sim) -> {
      assertThat(sim.requestLog()).as("%s served a 429", venue)
          .extracting(ServedRequest::status).doesNotContain(429);
      for (Scan scan : scans) {
        List<String> symbols = sim.requestLog().stream()
            .filter(r -> r.symbol() != null)
            .filter(r -> !r.time().isBefore(scan.startedAt().minusMillis(1))
                && !r.time().isAfter(scan.completedAt()))
            .map(r -> r.symbol().toUpperCase(Locale.ROOT))
            .toList();
        assertThat(symbols).as("%s cycle %d", venue, scan.cycle()).isNotEmpty();
        int lastPriority = -1;
        int priorities = 0;
        for (int i = 0; i < symbols.size(); i++) {
          if (priority(symbols.get(i))) {
            lastPriority = i;
            priorities++;
          }
        }
        assertThat(priorities).as("%s cycle %d: %s", venue, scan.cycle(), symbols).isPositive();
        assertThat(lastPriority - (priorities - 1))
            .as("%s cycle %d: ordinary requests before the last priority one: %s", venue,
                scan.cycle(), symbols)
            .isLessThan(concurrency.get(venue));
      }
    });
  }

  private static boolean priority(String symbol) {
    return symbol.startsWith("BTC") || symbol.startsWith("XBT") || symbol.startsWith("XXBT")
        || symbol.startsWith("ETH") || symbol.startsWith("XETH");
  }
}
