package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.exchanges.internal.Threads;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection lifecycle end to end, for every venue with a push stream: the real engine, the
 * preset's REST and stream clients, and the simulator's HTTP and WebSocket sides on loopback, in
 * real time with short timings. A stream that never connects leaves the venue polled until it
 * does; an idle connection is detected, dropped and replaced while REST polling covers the gap;
 * in both cases the venue goes back to the stream once it delivers, and stops polling.
 */
class StreamFallbackTest {

  // generous: Kraken polls one request a second, and a loaded machine slows every venue
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Duration STALE_AFTER = Duration.ofMillis(600);

  private VenueSimulator sim;
  private Scanner scanner;
  private final TransitionLog transitions = new TransitionLog();

  static Stream<SimulatedVenue> streamed() {
    return Arrays.stream(SimulatedVenue.values())
        .filter(v -> v.hasWebsocket() && SimulatedPresets.of(v).hasStream());
  }

  @AfterEach
  void tearDown() {
    if (scanner != null) {
      scanner.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private void start(SimulatedVenue venue, WsFault... faultsFirst) {
    sim = VenueSimulator.builder(venue).instruments(3).latency(Duration.ofMillis(5))
        .websocket(true).streamInterval(Duration.ofMillis(20)).build();
    for (WsFault f : faultsFirst) {
      sim.wsFault(f);
    }
    String url = sim.start();
    scanner = Scanner.builder()
        .venue(SimulatedPresets.of(venue).baseUrl(url).streamUrl(sim.websocketUrl()).build(),
            VenueOptions.custom().stream(true).staleAfter(STALE_AFTER)
                .streamCycle(Duration.ofMillis(200))
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(300)).build())
        .interval(Duration.ofMillis(100))
        .listener(transitions)
        .build();
    scanner.start();
  }

  /** Waits for the first scan from now on whose only venue report matches. */
  private VenueReport awaitScan(String what, Predicate<VenueReport> condition) {
    Scan scan = scanner.scans().skip(1) // the replayed latest scan is not "from now on"
        .filter(s -> condition.test(s.report().venues().values().iterator().next()))
        .next()
        .block(PATIENCE);
    assertThat(scan).as(what).isNotNull();
    return scan.report().venues().values().iterator().next();
  }

  private static boolean allStreamed(VenueReport r) {
    return r.requests() == 0 && r.stream().state() == StreamReport.State.CONNECTED
        && r.stream().liveBooks() == r.instruments() && r.instruments() > 0;
  }

  @ParameterizedTest
  @MethodSource("streamed")
  void aStreamThatNeverConnectsLeavesTheVenuePolledUntilItDoes(SimulatedVenue venue) {
    start(venue, WsFault.REFUSE);
    VenueReport down = awaitScan("a polled cycle with the stream down", r ->
        r.stream().state() == StreamReport.State.DOWN && r.requests() >= r.instruments()
            && r.instruments() > 0 && r.successes() == r.requests());
    assertThat(down.stream().polled()).isGreaterThanOrEqualTo(down.instruments());
    awaitScan("a second polled cycle", r -> r.stream().state() == StreamReport.State.DOWN
        && r.stream().disconnects() > 0);
    assertThat(sim.wsLog()).filteredOn(e -> e.kind() == WsEvent.Kind.REFUSED)
        .as("reconnection attempts").hasSizeGreaterThanOrEqualTo(2);

    sim.clearWsFaults();
    awaitScan("every instrument streamed and nothing polled",
        StreamFallbackTest::allStreamed);
    // the connection's state: an instrument's resync (a STALE one may follow the connection)
    // is not one
    assertThat(transitions).extracting(StreamTransition::type)
        .filteredOn(t -> t != StreamTransition.Type.RESYNC)
        .contains(StreamTransition.Type.DISCONNECTED, StreamTransition.Type.CONNECTED)
        .last().isEqualTo(StreamTransition.Type.CONNECTED);
  }

  @ParameterizedTest
  @MethodSource("streamed")
  void anIdleConnectionIsDroppedPolledAroundAndReplaced(SimulatedVenue venue) {
    start(venue);
    awaitScan("every instrument streamed", StreamFallbackTest::allStreamed);

    sim.wsFault(WsFault.IDLE);
    VenueReport fallback = awaitScan("a polled cycle while the connection is idle",
        r -> r.requests() >= r.instruments() && r.successes() == r.requests());
    // the staleness watchdog may have the instruments polled a moment before the connection's
    // own deadline drops it (both are staleAfter): the drop is awaited, not assumed
    Threads.await(() -> transitions.stream()
            .anyMatch(t -> t.type() == StreamTransition.Type.DISCONNECTED), PATIENCE,
        () -> "a disconnection: " + transitions);
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.DISCONNECTED)
        .first().extracting(StreamTransition::detail)
        .isEqualTo("no message for " + STALE_AFTER);
    assertThat(fallback.throttles()).isZero();

    sim.clearWsFaults();
    awaitScan("back on the stream", StreamFallbackTest::allStreamed);
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.CONNECTED)
        .hasSizeGreaterThanOrEqualTo(2);
  }
}
