package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.bench.ChaosRun.VenueResult;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chaos scenario at CI size (about 60 s): five simulated venues, REST and WebSocket, a fifth
 * of REST requests faulted over every kind injected, a WebSocket fault every second; then what the
 * simulator served must be what the scanner counted, per venue and class, with no 429 the scanner
 * caused and no invalid snapshot delivered. The full scenario is {@code benchmarks.jar chaos}
 * (docs/reliability.md).
 */
class ChaosRunTest {

  @Test
  void whatTheVenuesServedIsWhatTheScannerCounted() {
    ChaosRun.Config config = new ChaosRun.Config(Duration.ofSeconds(40), 30, 0.20,
        Duration.ofSeconds(1), 11);

    ChaosRun.Result r = ChaosRun.run(config);
    String table = String.join("\n", ChaosRun.table(r));

    assertThat(ChaosRun.problems(r)).as(table).isEmpty();
    assertThat(r.venues()).as(table).hasSize(5);
    assertThat(r.snapshots()).as(table).isGreaterThan(1_000);
    assertThat(r.invalid()).as(table).isZero();

    Map<Fault, Long> served = new EnumMap<>(Fault.class);
    long requests = 0;
    long faulted = 0;
    for (VenueResult v : r.venues()) {
      v.servedFaults().forEach((f, n) -> served.merge(f, n, Long::sum));
      requests += v.served();
      faulted += v.servedFaults().values().stream().mapToLong(Long::longValue).sum();
    }
    for (Fault f : config.restFaults(SimulatedVenue.BYBIT)) {
      assertThat(served.get(f)).as("%s served\n%s", f, table).isPositive();
    }
    assertThat((double) faulted / requests).as(table).isBetween(0.10, 0.30);

    // every WebSocket fault reached the scanner as an event of its kind (every stream is native)
    long drops = 0;
    long disconnects = 0;
    long gaps = 0;
    long gapResyncs = 0;
    for (VenueResult v : r.venues()) {
      drops += v.wsApplied().get(WsFault.DROP) + v.wsApplied().get(WsFault.ENDLESS_MESSAGE);
      disconnects += v.disconnects();
      gaps += v.wsApplied().get(WsFault.SEQUENCE_GAP);
      gapResyncs += v.resyncs().get(dev.scanflux.core.spi.ResyncCause.SEQUENCE_GAP);
    }
    assertThat(drops).as(table).isPositive();
    assertThat(disconnects).as(table).isGreaterThanOrEqualTo(drops);
    assertThat(gaps).as(table).isPositive();
    assertThat(gapResyncs).as(table).isGreaterThanOrEqualTo(gaps);
    assertThat(r.venues().stream().mapToLong(v -> v.countedFailed().get(ErrorClass.BAD_DATA))
        .sum()).as(table).isPositive();
    System.out.println(table);
  }
}
