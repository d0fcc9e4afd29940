package dev.scanflux.core;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the argument and the allowed range. */
final class Checks {

  private Checks() {}

  static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "] but was " + value);
    }
    return value;
  }

  static Duration range(String name, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "] but was " + value);
    }
    return value;
  }
}
