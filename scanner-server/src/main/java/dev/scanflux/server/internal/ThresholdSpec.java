package dev.scanflux.server.internal;

/**
 * A threshold a scan request may set: its name, default and allowed range (inclusive).
 */
public record ThresholdSpec(String name, double defaultValue, double min, double max) {

  /** Checks the range holds the default. */
  public ThresholdSpec {
    if (name.isBlank() || !(min <= defaultValue && defaultValue <= max)) {
      throw new IllegalArgumentException("threshold '" + name + "' must have a name and a "
          + "default in [min, max] but was " + defaultValue + " in [" + min + ", " + max + "]");
    }
  }
}
