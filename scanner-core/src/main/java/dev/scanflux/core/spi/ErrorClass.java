package dev.scanflux.core.spi;

/** How a failed request is classified, counted and handled. */
public enum ErrorClass {
  /** The venue said "too many requests": the whole venue pauses, then the request is retried. */
  THROTTLED,
  /** A timeout, a reset, a 5xx: retried with exponential backoff and jitter. */
  TRANSIENT,
  /** The venue answered with data that is malformed or invalid: counted, never retried. */
  BAD_DATA,
  /** The request cannot succeed as asked (unknown symbol, 4xx, a bug): counted, never retried. */
  PERMANENT
}
