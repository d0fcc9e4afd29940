package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real engine over the simulated OKX swap venue, REST and WebSocket: once the stream keeps
 * the instruments live they are no longer polled; when the connection drops (and reconnecting
 * is refused for a while) the engine polls them again, then goes back to the stream.
 */
class OkxStreamingScanTest {

  private static final Instrument BTC = SimulatedVenue.OKX_SWAP.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.OKX_SWAP.instrument("ETH");

  private final TransitionLog transitions = new TransitionLog();
  private VenueSimulator sim;
  private Scanner scanner;

  @AfterEach
  void tearDown() {
    if (scanner != null) {
      scanner.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  private static StreamReport stream(Scan scan) {
    return scan.report().venues().get("okx-swap").stream();
  }

  private Scan awaitScan(String what, Predicate<Scan> condition) {
    Scan scan = scanner.scans().filter(condition).blockFirst(PATIENCE);
    assertThat(scan).as(what).isNotNull();
    return scan;
  }

  private List<ServedRequest> marketRequests() {
    return sim.requestLog().stream().filter(r -> r.path().startsWith("/api/v5/market/"))
        .toList();
  }

  @Test
  void streamedInstrumentsAreNotPolledUntilTheStreamDropsAndComeBackToIt() {
    sim = VenueSimulator.builder(SimulatedVenue.OKX_SWAP).instruments(10).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sim.start();
    MarketSource source = Venues.okxSwap().baseUrl(sim.baseUrl())
        .streamUrl(sim.websocketUrl()).build();
    scanner = Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source, VenueOptions.custom().instruments(List.of(BTC, ETH)).stream(true)
            .streamCycle(Duration.ofMillis(100)).staleAfter(Duration.ofSeconds(2))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .listener(transitions)
        .build();
    scanner.start();

    Scan live = awaitScan("both instruments live on the stream",
        s -> stream(s).liveBooks() == 2 && stream(s).liveTickers() == 2);
    sim.clearRequestLog();
    Scan later = awaitScan("three more scans", s -> s.cycle() >= live.cycle() + 3);
    assertThat(stream(later).state()).isEqualTo(StreamReport.State.CONNECTED);
    assertThat(stream(later).polled()).isZero();
    // a 100 ms scan period may see no update on a loaded machine: some later scan does
    awaitScan("stream updates counted", s -> s.cycle() > live.cycle() && stream(s).updates() > 0);
    assertThat(later.report().venues().get("okx-swap").requests()).isZero();
    for (Instrument i : List.of(BTC, ETH)) { // a scan holds what changed in its period
      assertThat(scanner.view().health("okx-swap", i)).get()
          .extracting(BookHealth::origin, BookHealth::state)
          .containsExactly(BookHealth.Origin.STREAM, BookHealth.State.LIVE);
    }
    assertThat(marketRequests()).as("books and tickers polled while streamed").isEmpty();

    // Dropped, and refused while reconnecting: the engine polls over REST meanwhile.
    sim.wsFault(WsFault.REFUSE);
    sim.wsFault(WsFault.DROP);
    Scan polled = awaitScan("both books polled over REST while down", s -> s.cycle() > later.cycle()
        && stream(s).state() == StreamReport.State.DOWN
        && s.report().venues().get("okx-swap").requests() > 0 // counted when they complete
        && marketRequests().stream().map(ServedRequest::symbol).toList()
            .containsAll(List.of("BTC-USDT-SWAP", "ETH-USDT-SWAP")));
    assertThat(polled.report().venues().get("okx-swap").requests()).isPositive();
    assertThat(marketRequests()).extracting(ServedRequest::symbol)
        .contains("BTC-USDT-SWAP", "ETH-USDT-SWAP");

    sim.clearWsFaults();
    Scan back = awaitScan("both live on the stream again", s -> s.cycle() > polled.cycle()
        && stream(s).liveBooks() == 2 && stream(s).liveTickers() == 2);
    sim.clearRequestLog();
    awaitScan("two more scans", s -> s.cycle() >= back.cycle() + 2);
    assertThat(marketRequests()).as("polled after the stream came back").isEmpty();
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.CONNECTED)
        .hasSize(2);
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.DISCONNECTED)
        .isNotEmpty();
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.RESYNC).isEmpty();
  }
}
