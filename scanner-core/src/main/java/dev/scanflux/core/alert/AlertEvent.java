package dev.scanflux.core.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to an alert: it opened, was updated, closed, or was suppressed by its
 * cooldown.
 *
 * @param type     what happened
 * @param sequence the event's number within its alert: 0 for {@code OPENED} or
 *                 {@code SUPPRESSED}, then 1, 2, … for each later event
 * @param at       when, on the alerts' scheduler
 * @param alert    the alert's state just after the event
 */
public record AlertEvent(Type type, long sequence, Instant at, Alert alert) {

  /** What happened to an alert. */
  public enum Type {
    /** Its condition has held for the minimum lifetime: the alert is on. */
    OPENED,
    /** A new peak, at most once per update interval. */
    UPDATED,
    /** Its condition stopped holding for the grace period (or the signals ended). */
    CLOSED,
    /** It would have opened, but its key's cooldown holds it back; it is not delivered. */
    SUPPRESSED
  }

  /** Checks the parts. */
  public AlertEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(alert, "alert");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be at least 0 but was " + sequence);
    }
  }

  /**
   * The event's id, unique per event and the same on every replay and every retry of its
   * delivery: the webhook's idempotency key. e.g. {@code 3f2a9c0d1b7e4a55-0}.
   */
  public String id() {
    return alert.id() + '-' + sequence;
  }

  /** e.g. {@code OPENED order-book-wall binance BTC/USDT bid 64,120.5 (3f2a9c0d1b7e4a55-0)}. */
  @Override
  public String toString() {
    return type + " " + alert.key() + " (" + id() + ")";
  }
}
