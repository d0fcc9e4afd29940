package dev.scanflux.simulator;

import java.time.Instant;

/**
 * One entry of the simulator's {@linkplain VenueSimulator#wsLog() WebSocket log}.
 *
 * @param time       when it happened, on the simulator's clock
 * @param connection the connection's number, from 1 in the order connections arrived
 * @param kind       what happened
 * @param text       for {@link Kind#OPENED} and {@link Kind#REFUSED} the path asked for, for
 *                   {@link Kind#RECEIVED} the client's frame, for {@link Kind#CLOSED} the close
 *                   code and reason
 */
public record WsEvent(Instant time, int connection, Kind kind, String text) {

  /** What happened on a connection. */
  public enum Kind {
    /** A client connected. */
    OPENED,
    /** A client's connection was refused ({@link WsFault#REFUSE} or an unknown path). */
    REFUSED,
    /** A client sent a text frame. */
    RECEIVED,
    /** The connection closed, by either side. */
    CLOSED
  }
}
