package dev.scanflux.simulator;

/** A fault the simulator can inject, at a rate or into the next requests. */
public enum Fault {
  /** The venue's own "too many requests" answer (429 with {@code Retry-After}). */
  THROTTLE,
  /** An HTTP 503 with an error body. */
  SERVER_ERROR,
  /** No answer at all until the simulator closes. */
  HANG,
  /** The body cut in half (the length header matches the cut body). */
  TRUNCATED_JSON,
  /** A body that is not JSON. */
  MALFORMED_JSON,
  /** A book or ticker whose best bid is above its best ask. */
  CROSSED_BOOK,
  /** The connection closed without an answer. */
  CONNECTION_RESET,
  /**
   * Hostile: a 200 whose body never ends. JSON-looking bytes (an array that never closes) are
   * sent, chunked, as fast as the client reads them, until the client closes the connection or
   * the simulator closes. A client without a body cap and a read deadline holds it all.
   * {@link VenueSimulator#endlessBytesSent()} counts what was sent.
   */
  ENDLESS_BODY,
  /**
   * Hostile: the right answer (status, headers and the whole length announced at once), its
   * body dribbled one piece at a time, {@link VenueSimulator#SLOW_DRIP_PIECES} pieces spread over
   * {@link VenueSimulator#SLOW_DRIP_SPAN}: slower than any sane read deadline, so a client that
   * waits for it holds the connection a minute.
   */
  SLOW_DRIP
}
