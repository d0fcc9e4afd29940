package dev.scanflux.core.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What one venue said about one instrument at one moment: an order book or a ticker.
 *
 * <p>Snapshots are immutable and safe to share between threads. Each carries two times: when the
 * venue produced it ({@link #exchangeTime()}) and when Scanflux received it ({@link
 * #receivedAt()}, from the scanner's {@code Scheduler} clock), so that its age can always be
 * told.
 */
public sealed interface MarketSnapshot permits BookSnapshot, TickerSnapshot {

  /** The venue's name, e.g. {@code binance}. */
  String venue();

  /** The instrument, in Scanflux's symbol language. */
  Instrument instrument();

  /** When the venue produced the data; the receive time where the venue does not say. */
  Instant exchangeTime();

  /** When Scanflux received the data, on the scanner's clock. */
  Instant receivedAt();

  /**
   * This snapshot with another receive time; the rest is shared, not copied. Where the venue gave
   * no exchange time (the exchange time equals the receive time), the exchange time moves with it.
   */
  MarketSnapshot withReceivedAt(Instant receivedAt);

  /**
   * How old this snapshot is at {@code now}, measured from its receive time.
   *
   * @param now the current time on the same clock as {@link #receivedAt()}
   * @return the age, never negative
   */
  default Duration ageAt(Instant now) {
    Duration age = Duration.between(receivedAt(), now);
    return age.isNegative() ? Duration.ZERO : age;
  }
}
