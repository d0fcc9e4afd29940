package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import java.time.Duration;
import java.util.List;

/**
 * Set-up and checks shared by the native streams' tests against the simulator's WebSocket side:
 * a started simulator, the frames it received, and a streamed ticker checked against the books.
 */
final class SimulatedStreams {

  private SimulatedStreams() {}

  /**
   * A started simulator of {@code venue} with {@code instruments} instruments and its WebSocket
   * side on, pushing every 20 ms; closed after the test by {@code closer}.
   */
  static VenueSimulator started(Closer closer, SimulatedVenue venue, int instruments) {
    VenueSimulator sim = closer.add(VenueSimulator.builder(venue).instruments(instruments)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build());
    sim.start();
    return sim;
  }

  /**
   * The text frames {@code sim} received over WebSocket, in order, without the stream's answers to
   * the venue's heartbeat ({@code heartbeat}, compared whole).
   */
  static List<String> received(VenueSimulator sim, String heartbeat) {
    return sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .map(WsEvent::text).filter(t -> !t.equals(heartbeat)).toList();
  }

  /**
   * Checks the last ticker of {@code instrument}: its bid and ask are some streamed book's best,
   * its last price between them, its 24 h base volume positive and its change a number.
   *
   * @return that ticker, for the venue's own checks
   */
  static TickerSnapshot assertLastTickerIsTheBooks(StreamProbe probe, Instrument instrument) {
    List<TickerSnapshot> tickers = probe.tickers(instrument);
    TickerSnapshot t = tickers.get(tickers.size() - 1);
    assertThat(probe.books(instrument)).anySatisfy(b -> {
      assertThat(b.bestBid()).isEqualTo(t.bid());
      assertThat(b.bestAsk()).isEqualTo(t.ask());
    });
    assertThat(t.last()).isBetween(t.bid(), t.ask());
    assertThat(t.baseVolume24h()).isPositive();
    assertThat(t.change24h()).isNotNaN();
    return t;
  }
}
