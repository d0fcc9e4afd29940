package dev.scanflux.core.alert;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import java.util.List;
import java.util.Objects;

/**
 * The identity of a condition: the same key on many scans is one alert. Taken from a signal's
 * kind, venues, instruments and {@linkplain Signal#subject() subject}; its description, strength,
 * time and evidence may change while the alert lasts.
 *
 * @param kind        the signal kind, e.g. {@code order-book-wall}
 * @param venues      the venues, in the signal's order
 * @param instruments the instruments
 * @param subject     the condition within them, e.g. {@code "bid 64,120.5"}; may be empty
 */
public record AlertKey(String kind, List<String> venues, List<Instrument> instruments,
    String subject) {

  /** Checks and freezes the parts. */
  public AlertKey {
    Objects.requireNonNull(kind, "kind");
    venues = List.copyOf(Objects.requireNonNull(venues, "venues"));
    instruments = List.copyOf(Objects.requireNonNull(instruments, "instruments"));
    Objects.requireNonNull(subject, "subject");
  }

  /**
   * The key of a signal.
   *
   * @param signal the signal
   * @return its kind, venues, instruments and subject
   */
  public static AlertKey of(Signal signal) {
    return new AlertKey(signal.kind(), signal.venues(), signal.instruments(), signal.subject());
  }

  /** e.g. {@code order-book-wall binance BTC/USDT bid 64,120.5}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind);
    if (!venues.isEmpty()) {
      b.append(' ').append(String.join("/", venues));
    }
    for (Instrument i : instruments) {
      b.append(' ').append(i);
    }
    if (!subject.isEmpty()) {
      b.append(' ').append(subject);
    }
    return b.toString();
  }
}
