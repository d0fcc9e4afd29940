package dev.scanflux.simulator;

/**
 * A fault the simulator's WebSocket side can inject, through {@link VenueSimulator#wsFault}.
 *
 * <p>{@link #SEQUENCE_GAP}, {@link #CHECKSUM_MISMATCH}, {@link #MALFORMED} and
 * {@link #ENDLESS_MESSAGE} hit the next message they apply to, once each time they are given; {@link #IDLE} and {@link #REFUSE} last
 * until {@link VenueSimulator#clearWsFaults()}; {@link #DROP} acts at once.
 */
public enum WsFault {
  /** The next book delta skips a sequence number (its previous id is not the last one sent). */
  SEQUENCE_GAP,
  /**
   * The next book delta carries a wrong checksum; a venue format without checksums ignores
   * it.
   */
  CHECKSUM_MISMATCH,
  /** The next message sent is not JSON. */
  MALFORMED,
  /** Every open connection is closed at once, without a close handshake. */
  DROP,
  /** Connections stay open but nothing is sent on them (no data, no answers, no pongs). */
  IDLE,
  /** No connection is accepted: the WebSocket upgrade is answered with an HTTP error. */
  REFUSE,
  /**
   * Hostile: the next message sent on a connection becomes a text message that never ends: a
   * first fragment, then continuation fragments of 64 KiB, none final, as fast as the client
   * reads, until the connection closes. Nothing else is sent on that connection meanwhile.
   * {@link VenueSimulator#endlessBytesSent()} counts the bytes.
   */
  ENDLESS_MESSAGE
}
