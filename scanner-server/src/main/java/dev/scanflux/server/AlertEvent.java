package dev.scanflux.server;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One change of an alert as the server shows it ({@code GET /api/alerts}, the {@code alerts}
 * event stream, the dashboard's feed): an alert opens when its condition first holds, is updated
 * while it lasts, and closes when it stops holding. Events of one alert share its {@link #key()}.
 *
 * @param key         the alert's identity, e.g. {@code walls|binance|BTC/USDT|bid}
 * @param type        what changed
 * @param kind        what kind of alert, e.g. {@code order-book-wall}
 * @param description for people, one line
 * @param venues      the venues it concerns
 * @param instruments the instruments it concerns, in Scanflux's symbol language
 * @param value       its measure now (e.g. a wall's notional or a spread's edge)
 * @param openedAt    when it opened
 * @param at          when this change happened
 */
public record AlertEvent(String key, Type type, String kind, String description,
    List<String> venues, List<String> instruments, double value, Instant openedAt,
    Instant at) {

  /** What changed. */
  public enum Type {
    /** The condition first held. */
    OPENED,
    /** It still holds; its value or description changed. */
    UPDATED,
    /** It no longer holds. */
    CLOSED
  }

  /** Checks and freezes the parts. */
  public AlertEvent {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    venues = List.copyOf(venues);
    instruments = List.copyOf(instruments);
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(at, "at");
  }
}
