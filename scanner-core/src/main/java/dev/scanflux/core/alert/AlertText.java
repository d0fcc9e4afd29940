package dev.scanflux.core.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Alert events as text for people: a message of a few lines for a chat, or one line for a
 * console. The signal's own description carries the figures (formatted by its strategy);
 * this adds what happened and the lifetime.
 *
 * <pre>
 * Alert opened: order-book-wall binance BTC/USDT bid 64,120.5
 * bid wall on binance BTC/USDT at 64,120.5: 1.2 M USDT over 3 levels, 0.35 % from mid
 * first seen 12:00:01 UTC
 * </pre>
 */
public final class AlertText {

  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private AlertText() {}

  /**
   * A message of up to four lines: what happened and to what, the latest description, the
   * lifetime, and for an update or a close the peak.
   *
   * @param e the event
   * @return the message
   */
  public static String message(AlertEvent e) {
    Alert a = e.alert();
    StringBuilder b = new StringBuilder();
    b.append("Alert ").append(verb(e.type())).append(": ").append(a.key()).append('\n');
    b.append(a.latest().description().isEmpty() ? "(no description)" : a.latest().description());
    b.append('\n');
    switch (e.type()) {
      case OPENED, SUPPRESSED -> b.append("first seen ").append(clock(a.firstSeen()))
          .append(" UTC").append(a.lifetime().isZero() ? ""
              : ", holding for " + duration(a.lifetime()));
      case UPDATED -> b.append("holding for ").append(duration(a.lifetime()))
          .append(" since ").append(clock(a.firstSeen())).append(" UTC");
      case CLOSED -> b.append("lasted ").append(duration(a.lifetime())).append(", ")
          .append(clock(a.firstSeen())).append(" to ").append(clock(a.lastSeen()))
          .append(" UTC");
      default -> throw new IllegalStateException("unknown type " + e.type());
    }
    if ((e.type() == AlertEvent.Type.UPDATED || e.type() == AlertEvent.Type.CLOSED)
        && !a.peak().description().isEmpty()) {
      b.append("\npeak: ").append(a.peak().description());
    }
    return b.toString();
  }

  /**
   * The event as one line, e.g.
   * {@code alert opened order-book-wall binance BTC/USDT bid 64,120.5: bid wall on …}.
   *
   * @param e the event
   * @return the line, without a line break
   */
  public static String line(AlertEvent e) {
    Alert a = e.alert();
    String what = "alert " + verb(e.type()) + " " + a.key();
    return switch (e.type()) {
      case CLOSED -> what + " after " + duration(a.lifetime()) + ", peak: "
          + a.peak().description();
      case UPDATED -> what + " (" + duration(a.lifetime()) + "): " + a.latest().description();
      default -> what + ": " + a.latest().description();
    };
  }

  /**
   * A duration for people: {@code 0 s}, {@code 45 s}, {@code 4 min 12 s}, {@code 2 h 5 min},
   * {@code 3 d 4 h}; below a second, {@code 250 ms}.
   *
   * @param d a duration, not negative
   * @return the text
   */
  public static String duration(Duration d) {
    long s = d.toSeconds();
    if (s == 0 && !d.isZero()) {
      return d.toMillis() + " ms";
    }
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
    }
    if (s < 86_400) {
      return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
    return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
  }

  private static String verb(AlertEvent.Type t) {
    return t.name().toLowerCase(Locale.ROOT);
  }

  private static String clock(Instant t) {
    return CLOCK.format(t);
  }
}
