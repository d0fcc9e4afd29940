package dev.scanflux.core.alert;

import dev.scanflux.core.strategy.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One alert's state at one moment: what it is about, since when, until when, and its strongest
 * and latest signal. Immutable; {@link Alerts} makes a new one at each event.
 *
 * @param id         a stable id, the same on every replay of the same data: a hash of the key and
 *                   the first-seen time, 16 hex digits
 * @param key        what it is about
 * @param firstSeen  when its condition was first seen, on the alerts' scheduler
 * @param lastSeen   when its condition was last seen
 * @param closedAt   when it closed, or {@code null} while it is open
 * @param signals    how many signals it has seen
 * @param latest     its latest signal
 * @param peak       its strongest signal (highest {@link Signal#strength()}), the first of equals
 * @param suppressed whether it was held back by its key's cooldown: such an alert is tracked and
 *                   counted, but its events are not delivered
 */
public record Alert(String id, AlertKey key, Instant firstSeen, Instant lastSeen,
    @Nullable Instant closedAt, long signals, Signal latest, Signal peak, boolean suppressed) {

  /** Checks the parts. */
  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(firstSeen, "firstSeen");
    Objects.requireNonNull(lastSeen, "lastSeen");
    Objects.requireNonNull(latest, "latest");
    Objects.requireNonNull(peak, "peak");
    if (lastSeen.isBefore(firstSeen)) {
      throw new IllegalArgumentException("lastSeen must not be before firstSeen " + firstSeen
          + " but was " + lastSeen);
    }
  }

  /** How long its condition has held: {@code lastSeen - firstSeen}. */
  public Duration lifetime() {
    return Duration.between(firstSeen, lastSeen);
  }

  /** The peak signal's strength. */
  public double peakValue() {
    return peak.strength();
  }

  /** Whether it is still open. */
  public boolean isOpen() {
    return closedAt == null;
  }
}
