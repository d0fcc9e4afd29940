package dev.scanflux.exchanges.sim.internal;

import org.jspecify.annotations.Nullable;

/**
 * One venue's WebSocket wire format, as the simulator's {@link WsServer} runs it: it answers
 * the clients' frames (subscriptions, pings) and, on every tick of the simulator's stream
 * interval, pushes what changed to the subscribers.
 *
 * <p>Every method is called on the simulator's one stream thread, never concurrently, so a
 * protocol keeps its state (subscriptions per peer, books per instrument) in plain fields.
 * Nothing may block. To add a venue: implement this, read the faults that concern the format
 * ({@link dev.scanflux.exchanges.sim.WsFault#SEQUENCE_GAP},
 * {@link dev.scanflux.exchanges.sim.WsFault#CHECKSUM_MISMATCH}) with
 * {@link WsFaults#take} where a delta is made, and add a case to {@code VenueSimulator}'s
 * switch; the server handles the other faults, the log and the counts.
 */
public interface WsProtocol {

  /** The path clients connect to, e.g. {@code /ws/v5/public}; other paths are refused. */
  String path();

  /** A client connected; nothing to do by default. */
  default void onOpen(WsPeer peer) {}

  /** A client sent a text frame. */
  void onText(WsPeer peer, String text);

  /** A client's connection closed; forget its subscriptions. */
  default void onClose(WsPeer peer) {}

  /**
   * The instrument's streamed book now, or null if it is not streamed (no client subscribed it
   * yet, or the format keeps none); for {@code VenueSimulator#streamedBook}.
   */
  default @Nullable LiveBook liveBook(SimInstrument instrument) {
    return null;
  }

  /**
   * One tick of the market: evolve the subscribed instruments and push to their subscribers.
   *
   * @param faults the one-shot faults waiting to be injected
   */
  void onTick(WsFaults faults);

  /** The one-shot, per-instrument faults a protocol injects itself. */
  @FunctionalInterface
  interface WsFaults {
    /**
     * Takes a waiting fault of this kind given for this instrument or for any instrument.
     *
     * @return true if one was waiting; it is then used up
     */
    boolean take(dev.scanflux.exchanges.sim.WsFault fault, SimInstrument instrument);
  }
}
