package dev.scanflux.core.spi;

/** The kinds of request a scanner makes of a venue; each may weigh differently. */
public enum RequestKind {
  /** Instrument discovery: the venue's list of tradable instruments. */
  INSTRUMENTS,
  /** One instrument's order book. */
  BOOK,
  /** One instrument's ticker. */
  TICKER,
  /** Every instrument's ticker in one request, where the venue offers it. */
  TICKERS
}
