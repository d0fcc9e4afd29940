package dev.scanflux.exchanges;

import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import java.time.Duration;
import java.util.List;

/**
 * Set-up shared by the native streams' tests against the simulator's WebSocket side: a started
 * simulator, and the frames it received.
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
}
