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
  void everyVenueAtItsRealLimitWithZero429sAndPriorityFirst() {
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
        long priorities = symbols.stream().filter(ScannerOnAllVenuesTest::priority).count();
        assertThat(priorities).as("%s scan %d: %s", venue, scan.cycle(), symbols).isPositive();
        if (scan.cycle() == 1) { // the first pass starts with the priority instruments
          int firstBtc = firstIndex(symbols, "BTC", "XBT", "XXBT");
          int firstEth = firstIndex(symbols, "ETH", "XETH");
          int lastFirst = Math.max(firstBtc, firstEth);
          long ordinaryBefore = symbols.subList(0, Math.max(0, lastFirst)).stream()
              .filter(sym -> !priority(sym)).count();
          assertThat(Math.min(firstBtc, firstEth)).as("%s: BTC and ETH requested: %s", venue,
              symbols)
              .isNotNegative();
          // requests go out concurrently, so up to concurrency - 1 may arrive first
          assertThat(ordinaryBefore).as("%s: ordinary requests before the first BTC and ETH: %s",
              venue, symbols).isLessThan(concurrency.get(venue));
        }
      }
    });
  }

  private static int firstIndex(List<String> symbols, String... prefixes) {
    for (int i = 0; i < symbols.size(); i++) {
      for (String p : prefixes) {
        if (symbols.get(i).startsWith(p)) {
          return i;
        }
      }
    }
    return -1;
  }

  private static boolean priority(String symbol) {
    return symbol.startsWith("BTC") || symbol.startsWith("XBT") || symbol.startsWith("XXBT")
        || symbol.startsWith("ETH") || symbol.startsWith("XETH");
  }
}
