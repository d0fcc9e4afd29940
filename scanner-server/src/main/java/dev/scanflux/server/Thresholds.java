package dev.scanflux.server;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The thresholds of one scan request, by name: each one the server declared ({@link
 * ScanServer.Builder#threshold}), at its default unless the request gave a value in its range.
 *
 * @param values every declared threshold's value, by name
 */
public record Thresholds(Map<String, Double> values) {

  /** Freezes the values. */
  public Thresholds {
    values = Map.copyOf(Objects.requireNonNull(values, "values"));
  }

  /**
   * A threshold's value.
   *
   * @throws IllegalArgumentException if no threshold of that name was declared
   */
  public double get(String name) {
    Double v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no threshold '" + name + "'; declared: "
          + new TreeMap<>(values).keySet());
    }
    return v;
  }
}
