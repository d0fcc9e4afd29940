package dev.scanflux.core.alert;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import java.util.List;
import java.util.Objects;

/**
 * The identity of a condition: signals with the same key on many scans are one alert. Taken from
 * a signal's kind, instruments and {@linkplain Signal#subject() subject}, or, for a signal
 * without a subject, its venues; its description, strength, time, evidence (and, with a subject,
 * venues) may change while the alert lasts. So a cross-venue spread whose best pair of venues
 * changes stays one alert, while a wall names its venue, side and price in its subject.
 *
 * @param kind        the signal kind, e.g. {@code order-book-wall}
 * @param instruments the instruments
 * @param subject     the condition, e.g. {@code "binance bid 64,120.5"}; may be empty
 */
public record AlertKey(String kind, List<Instrument> instruments, String subject) {

  /** Checks and freezes the parts. */
  public AlertKey {
    Objects.requireNonNull(kind, "kind");
    instruments = List.copyOf(Objects.requireNonNull(instruments, "instruments"));
    Objects.requireNonNull(subject, "subject");
  }

  /**
   * The key of a signal: its kind, its instruments, and its subject or, if that is empty, its
   * venues joined by {@code /}.
   *
   * @param signal the signal
   * @return its key
   */
  public static AlertKey of(Signal signal) {
    String subject = signal.subject().isEmpty() ? String.join("/", signal.venues())
        : signal.subject();
    return new AlertKey(signal.kind(), signal.instruments(), subject);
  }

  /** e.g. {@code order-book-wall BTC/USDT binance bid 64,120.5}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind);
    for (Instrument i : instruments) {
      b.append(' ').append(i);
    }
    if (!subject.isEmpty()) {
      b.append(' ').append(subject);
    }
    return b.toString();
  }
}
