package dev.scanflux.core.spi;

import dev.scanflux.core.model.Instrument;
import java.util.List;
import java.util.Objects;

/**
 * What a scanner subscribes on a {@link MarketStream}: the instruments, priority bases first, and
 * which channels.
 *
 * @param instruments the instruments, in the order to subscribe them (copied)
 * @param depth       book levels per side wanted in every emitted book, at least 1
 * @param books       true to subscribe order books
 * @param tickers     true to subscribe tickers
 */
public record StreamRequest(List<Instrument> instruments, int depth, boolean books,
    boolean tickers) {

  /** Validates and copies. */
  public StreamRequest {
    instruments = List.copyOf(Objects.requireNonNull(instruments, "instruments"));
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1 but was " + depth);
    }
    if (!books && !tickers) {
      throw new IllegalArgumentException("books and tickers must not both be off");
    }
  }
}
