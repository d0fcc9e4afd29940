package dev.scanflux.simulator.internal;

import dev.scanflux.core.model.BookSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * One venue's WebSocket wire format, as the simulator's {@link WsServer} runs it: it answers
 * the clients' frames (subscriptions, pings) and, on every tick of the simulator's stream
 * interval, pushes what changed to the subscribers.
 *
 * <p>Every method is called on the simulator's one stream thread, never concurrently, so a
 * protocol keeps its state (subscriptions per peer, books per instrument) in plain fields.
 * Nothing may block. To add a venue: implement this, read the faults that concern the format
 * ({@link dev.scanflux.simulator.WsFault#SEQUENCE_GAP},
 * {@link dev.scanflux.simulator.WsFault#CHECKSUM_MISMATCH}) with
 * {@link WsFaults#take} where a delta is made, and add a case to {@code VenueSimulator}'s
 * switch; the server handles the other faults, the log and the counts.
 */
public interface WsProtocol {

  /** The path clients connect to by default, e.g. {@code /ws/v5/public}. */
  String path();

  /** Whether clients may connect at {@code path} (no query); other paths are refused. */
  default boolean accepts(String path) {
    return path.equals(path());
  }

  /**
   * The binary frame this format sends in place of a text message, or null to send it as text
   * (the default). BingX gzips every message; the simulator's {@code MALFORMED} text is encoded
   * the same way, so it reaches the client as the venue would send it.
   */
  default byte @Nullable [] binary(String text) {
    return null;
  }

  /** A client connected; nothing to do by default. */
  default void onOpen(WsPeer peer) {}

  /** A client sent a text frame. */
  void onText(WsPeer peer, String text);

  /** A client's connection closed; forget its subscriptions. */
  default void onClose(WsPeer peer) {}

  /**
   * One tick of the market: evolve the subscribed instruments and push to their subscribers.
   *
   * @param faults the one-shot faults waiting to be injected
   */
  void onTick(WsFaults faults);

  /**
   * The instrument's book as this format last streamed it, as its clients read it: the top
   * {@code depth} levels per side, prices and sizes parsed from the text sent, stamped with the
   * time of the last message about it. For tests that check a client keeps the book in sync.
   *
   * @param book a builder for the venue and instrument, to fill and build
   * @return the book, or null if no client subscribed the instrument's book (or the format does
   *     not tell)
   */
  default @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    return null;
  }

  /** The one-shot, per-instrument faults a protocol injects itself. */
  @FunctionalInterface
  interface WsFaults {
    /**
     * Takes a waiting fault of this kind given for this instrument or for any instrument.
     *
     * @return true if one was waiting; it is then used up
     */
    boolean take(dev.scanflux.simulator.WsFault fault, SimInstrument instrument);
  }
}
