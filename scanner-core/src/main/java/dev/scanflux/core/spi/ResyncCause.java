package dev.scanflux.core.spi;

/** Why a streamed instrument's book had to be rebuilt. */
public enum ResyncCause {
  /** A delta's sequence number did not follow the previous one: updates were lost. */
  SEQUENCE_GAP,
  /** The venue's checksum of its book did not match the local book's. */
  CHECKSUM_MISMATCH,
  /** A message for the instrument was unreadable or would have made the book invalid. */
  BAD_DATA,
  /** No update arrived for longer than the venue's staleness limit (the scanner's watchdog). */
  STALE
}
