package dev.scanflux.core.replay;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The first line of a recording: format version, venues and creation time.
 *
 * <p>On disk it reads {@code {"format":"scanflux-recording","version":1,"venues":["binance"],
 * "createdAt":"2025-01-31T12:00:00.123Z"}}.
 *
 * @param version   the format version, from 1
 * @param venues    the venues the writer declared, in the writer's order; empty when it declared
 *                  none (then the file may hold any venue)
 * @param createdAt when the file was created, on the writer's scheduler clock
 */
public record RecordingHeader(int version, List<String> venues, Instant createdAt) {

  /** The {@code format} field's value, which marks a file as a Scanflux recording. */
  public static final String FORMAT = "scanflux-recording";

  /** The format version this Scanflux writes, and the only one it reads. */
  public static final int CURRENT_VERSION = 1;

  /**
   * Validates and freezes the header.
   *
   * @throws IllegalArgumentException if the version is below 1 or a venue is blank
   */
  public RecordingHeader {
    if (version < 1) {
      throw new IllegalArgumentException(
          "version must be in [1, " + Integer.MAX_VALUE + "] but was " + version);
    }
    venues = List.copyOf(Objects.requireNonNull(venues, "venues"));
    for (String v : venues) {
      if (v.isBlank()) {
        throw new IllegalArgumentException("venues must not be blank but were " + venues);
      }
    }
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
