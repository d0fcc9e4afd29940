package dev.scanflux.exchanges.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads a {@code Retry-After} header: delay-seconds or an HTTP date. */
public final class RetryAfter {

  private RetryAfter() {}

  /**
   * The wait a response's headers ask for.
   *
   * @param headers the response headers, names in any case; may be null
   * @param now     the current time, for HTTP dates
   * @return the wait, or null if there is no usable {@code Retry-After}
   */
  static @Nullable Duration from(@Nullable Map<String, List<String>> headers, Instant now) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase("Retry-After")
          && e.getValue() != null && !e.getValue().isEmpty()) {
        return parse(e.getValue().get(0), now);
      }
    }
    return null;
  }

  /** Parses one header value; null if it is neither seconds nor an HTTP date. */
  public static @Nullable Duration parse(@Nullable String value, Instant now) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(now,
            ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
