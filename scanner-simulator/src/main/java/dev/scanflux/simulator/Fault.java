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
  CONNECTION_RESET
}
