package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Sinks;

/**
 * The tests every whole-book stream passes against its simulator (each book message is the
 * whole top of the book, so there is no sequence to break: Bitstamp, BingX): sequence faults
 * change nothing and a malformed message is rejected, a dropped connection errors, and a resync
 * request resubscribes that instrument's channels and nothing else. A subclass names the venue,
 * builds its stream and says which frames it expects; it adds its venue's own tests.
 */
abstract class WholeBookStreamContract {

  /** Closes what a test opened. */
  @RegisterExtension
  final Closer closer = new Closer();

  /** The simulated venue. */
  abstract SimulatedVenue simulatedVenue();

  /** The stream under test on {@code sim}'s REST and WebSocket sides, closed after the test. */
  abstract MarketStream stream(VenueSimulator sim);

  /** The frame the stream answers the venue's heartbeat with, left out of {@link #received}. */
  abstract String heartbeatAnswer();

  /**
   * The frames that unsubscribe, then subscribe again, BTC's book and ticker channels at depth
   * 20, on a connection that first subscribed BTC's and ETH's.
   */
  abstract List<String> btcResubscribed();

  /** Registers {@code c} to be closed after the test; returns it. */
  <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  /** A started simulator of the venue with 20 instruments, pushing every 20 ms. */
  VenueSimulator sim() {
    return SimulatedStreams.started(closer, simulatedVenue(), 20);
  }

  /** The frames {@code sim} received, in order, without the heartbeat answers. */
  List<String> received(VenueSimulator sim) {
    return SimulatedStreams.received(sim, heartbeatAnswer());
  }

  /** A probe of the stream's BTC book at depth 20 on {@code sim}, once it equals the venue's. */
  private StreamProbe btcInSync(VenueSimulator sim) {
    Instrument btc = simulatedVenue().instrument("BTC");
    StreamProbe probe = closing(StreamProbe.connect(stream(sim), 20, btc));
    probe.awaitInSync(sim, btc, 20);
    return probe;
  }

  @Test
  void booksAreWholeSoGapAndChecksumFaultsDoNotApplyAndAMalformedMessageIsRejected() {
    VenueSimulator sim = sim();
    Instrument btc = simulatedVenue().instrument("BTC");
    StreamProbe probe = btcInSync(sim);

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    sim.wsFault(WsFault.CHECKSUM_MISMATCH, btc);
    sim.wsFault(WsFault.MALFORMED, btc);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    int seen = probe.books(btc).size();
    probe.await("more books", p -> p.books(btc).size() >= seen + 5, PATIENCE);

    probe.awaitInSync(sim, btc, 20);
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .satisfies(r -> assertThat(r.detail()).startsWith("malformed JSON: <html>"));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aDroppedConnectionErrorsSoTheScannerReconnects() {
    VenueSimulator sim = sim();
    StreamProbe probe = btcInSync(sim);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(Duration.ofSeconds(30)).error())
        .isInstanceOf(TransientSourceException.class).hasMessageContaining(sim.websocketUrl());
    assertThat(probe.completed()).isFalse();
  }

  @Test
  void aResyncRequestResubscribesTheInstrumentsChannels() {
    VenueSimulator sim = sim();
    Instrument btc = simulatedVenue().instrument("BTC");
    Instrument eth = simulatedVenue().instrument("ETH");
    Sinks.Many<Instrument> resyncs = Sinks.many().unicast().onBackpressureBuffer();
    StreamProbe probe = closing(StreamProbe.connect(stream(sim),
        new StreamRequest(List.of(btc, eth), 20, true, true),
        StreamContext.direct(resyncs.asFlux())));
    probe.awaitInSync(sim, btc, 20);
    probe.awaitInSync(sim, eth, 20);
    sim.clearWsLog();

    resyncs.tryEmitNext(simulatedVenue().instrument("SOL")); // not streamed here
    resyncs.tryEmitNext(btc);
    List<String> expected = btcResubscribed();
    probe.await("BTC resubscribed", p -> received(sim).size() >= expected.size(), PATIENCE);

    assertThat(received(sim)).containsExactlyElementsOf(expected);
    int seen = probe.books(btc).size();
    probe.await("more books", p -> p.books(btc).size() >= seen + 5, PATIENCE);
    probe.awaitInSync(sim, btc, 20);
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
  }
}
