package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every malformed WebSocket message the simulator injects is one rejection the scanner reports,
 * on each venue whose stream the chaos suite checks: N injected = N reported, whatever the
 * message replaced (a delta, a ticker, a snapshot, a subscription's answer, a pong), also in a
 * burst and on the first messages of a connection that is still subscribing. The counts are of
 * injected messages, exact once all are delivered; every wait is bounded and woken by a check.
 */
class MalformedMessagesTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String MALFORMED = "502 Bad Gateway"; // in the simulator's frame

  private final TransitionLog transitions = new TransitionLog();
  private VenueSimulator sim;
  private Scanner scanner;

  @AfterEach
  void stop() {
    if (scanner != null) {
      scanner.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"OKX", "BYBIT", "KRAKEN"})
  void everyInjectedMalformedMessageIsOneReportedRejection(SimulatedVenue venue) {
    sim = VenueSimulator.builder(venue).instruments(8).rateLimit(false).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    MarketSource source = SimulatedPresets.of(venue).baseUrl(sim.start())
        .streamUrl(sim.websocketUrl()).rateLimit(RateLimitSpec.of(100, Duration.ofSeconds(1)))
        .build();
    List<Instrument> instruments = List.of(venue.instrument("BTC"), venue.instrument("ETH"),
        venue.instrument("SOL"));
    scanner = Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source, VenueOptions.custom().stream(true).instruments(instruments).depth(10)
            .staleAfter(Duration.ofSeconds(10)).streamCycle(Duration.ofMillis(100))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .listener(transitions)
        .build();
    scanner.start();
    await("connected", () -> count(StreamTransition.Type.CONNECTED) >= 1);

    // One at a time, each delivered before the next.
    for (int k = 1; k <= 3; k++) {
      sim.wsFault(WsFault.MALFORMED);
      int applied = k;
      await(k + " applied", () -> applied() >= applied);
    }
    // A burst: consecutive messages, among them the answers and snapshots of the
    // resubscriptions the lost deltas bring.
    for (int k = 0; k < 4; k++) {
      sim.wsFault(WsFault.MALFORMED);
    }
    await("7 applied", () -> applied() >= 7);
    // Read before the drop: frames still queued on a connection dropped under them are lost
    // with it (see docs/reliability.md).
    await("7 reported", () -> malformedReported() >= 7);
    // On a new connection: waiting while it is down, they replace its first messages.
    sim.wsFault(WsFault.REFUSE);
    sim.wsFault(WsFault.DROP);
    await("disconnected", () -> count(StreamTransition.Type.DISCONNECTED) >= 1);
    long connects = count(StreamTransition.Type.CONNECTED);
    sim.clearWsFaults();
    for (int k = 0; k < 3; k++) {
      sim.wsFault(WsFault.MALFORMED);
    }
    await("reconnected", () -> count(StreamTransition.Type.CONNECTED) > connects);
    await("10 applied", () -> applied() >= 10);

    await("10 reported", () -> malformedReported() >= 10);
    assertThat(applied()).isEqualTo(10);
    assertThat(malformedReported()).isEqualTo(10);
  }

  private long applied() {
    return sim.wsFaultsApplied().get(WsFault.MALFORMED);
  }

  private long malformedReported() {
    return transitions.stream().filter(t -> t.type() == StreamTransition.Type.REJECTED
        && t.detail().contains(MALFORMED)).count();
  }

  private long count(StreamTransition.Type type) {
    return transitions.stream().filter(t -> t.type() == type).count();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + PATIENCE + " waiting for " + what);
      }
      LockSupport.parkNanos(10_000_000);
    }
  }
}
