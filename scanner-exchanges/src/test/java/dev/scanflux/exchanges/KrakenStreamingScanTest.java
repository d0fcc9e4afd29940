package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The engine with Kraken's stream over the simulator (REST and WebSocket on 127.0.0.1): what
 * the stream keeps live is not polled; a dropped connection brings polling back until the
 * engine has reconnected the stream.
 */
class KrakenStreamingScanTest {

  private static final Instrument BTC = SimulatedVenue.KRAKEN.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.KRAKEN.instrument("ETH");
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final List<Scan> scans = new CopyOnWriteArrayList<>();
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

  /** The simulator (REST and WebSocket) and a scanner streaming BTC and ETH from it. */
  private void start() {
    sim = VenueSimulator.builder(SimulatedVenue.KRAKEN).instruments(5).rateLimit(false)
        .websocket(true).streamInterval(Duration.ofMillis(50)).build();
    MarketSource source = Venues.kraken().baseUrl(sim.start()).streamUrl(sim.websocketUrl())
        .rateLimit(RateLimitSpec.of(100, Duration.ofSeconds(1))).build();
    scanner = Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source, VenueOptions.custom().stream(true).instruments(List.of(BTC, ETH))
            .depth(10).staleAfter(Duration.ofSeconds(10)).streamCycle(Duration.ofMillis(100))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .listener(transitions)
        .build();
    scanner.scans().subscribe(scans::add);
    scanner.start();
  }

  @Test
  void streamedInstrumentsAreNotPolledAndADropBringsPollingBackUntilTheStreamReconnects() {
    start();

    // Connected, both instruments live: three later cycles poll neither book nor ticker.
    await("both instruments live", () -> liveScans() >= 1);
    int first = scans.size();
    await("three more scans", () -> scans.size() >= first + 3);
    Scan from = scans.get(first);
    Scan to = scans.get(first + 2);
    assertThat(marketData(from.startedAt(), to.completedAt())).isEmpty();
    assertThat(stream(to).state()).isEqualTo(StreamReport.State.CONNECTED);
    assertThat(stream(to).liveBooks()).isEqualTo(2);
    assertThat(stream(to).liveTickers()).isEqualTo(2);
    assertThat(scanner.view().health("kraken", BTC)).get()
        .extracting(BookHealth::origin, BookHealth::state)
        .containsExactly(BookHealth.Origin.STREAM, BookHealth.State.LIVE);

    // Dropped: polled over REST, then streamed again on a second connection.
    Instant dropped = Instant.now();
    sim.wsFault(WsFault.DROP);
    await("polling after the drop", () -> !marketData(dropped, Instant.MAX).isEmpty());
    await("a second connection", () -> connected() == 2);
    int back = scans.size();
    await("both live again", () -> scans.size() > back
        && stream(scans.get(scans.size() - 1)).liveBooks() == 2);

    assertThat(transitions).extracting(StreamTransition::type)
        .containsSubsequence(StreamTransition.Type.CONNECTED,
            StreamTransition.Type.DISCONNECTED, StreamTransition.Type.CONNECTED);
    assertThat(scans.stream().mapToLong(s -> stream(s).connects()).sum()).isEqualTo(2);
    assertThat(scans.stream().mapToLong(s -> stream(s).disconnects()).sum()).as("%s", transitions)
        .isEqualTo(1);
    assertThat(stream(scans.get(scans.size() - 1)).state())
        .isEqualTo(StreamReport.State.CONNECTED);
  }

  /** Issue 17: Kraken's checksum resyncs were handled inside XChange and never reported. */
  @Test
  void aChecksumResyncIsCountedInTheScanReportAndTheBookComesBack() {
    start();
    await("both instruments live", () -> liveScans() >= 1);

    sim.wsFault(WsFault.CHECKSUM_MISMATCH, BTC);
    await("a checksum resync counted", () -> resyncs(ResyncCause.CHECKSUM_MISMATCH) >= 1);
    int after = scans.size();
    await("both live again", () -> scans.size() > after
        && stream(scans.get(scans.size() - 1)).liveBooks() == 2);

    assertThat(resyncs(ResyncCause.CHECKSUM_MISMATCH)).isEqualTo(1);
    assertThat(scans.stream().mapToLong(s -> stream(s).disconnects()).sum()).isZero();
  }

  private long resyncs(ResyncCause cause) {
    return scans.stream().mapToLong(s -> stream(s).resyncs(cause)).sum();
  }

  private long liveScans() {
    return scans.stream().filter(s -> stream(s).state() == StreamReport.State.CONNECTED
        && stream(s).liveBooks() == 2 && stream(s).liveTickers() == 2).count();
  }

  private long connected() {
    return transitions.stream().filter(t -> t.type() == StreamTransition.Type.CONNECTED)
        .count();
  }

  private static StreamReport stream(Scan scan) {
    return scan.report().venues().get("kraken").stream();
  }

  /** Book and ticker requests the simulator served from {@code from} to {@code to}. */
  private List<ServedRequest> marketData(Instant from, Instant to) {
    return sim.requestLog().stream()
        .filter(r -> r.path().endsWith("/Depth") || r.path().endsWith("/Ticker"))
        .filter(r -> !r.time().isBefore(from) && !r.time().isAfter(to))
        .toList();
  }

  /** Waits, without sleeping, until the condition holds; checks every 10 ms. */
  private static void await(String what, BooleanSupplier condition) {
    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> condition.getAsBoolean()).next())
        .as(what)
        .expectNextCount(1)
        .expectComplete()
        .verify(PATIENCE);
  }
}
