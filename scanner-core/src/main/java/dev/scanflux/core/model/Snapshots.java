package dev.scanflux.core.model;

import java.util.Objects;

/** Checks shared by the snapshot types. */
final class Snapshots {

  private Snapshots() {}

  static String venue(String venue) {
    Objects.requireNonNull(venue, "venue");
    if (venue.isBlank()) {
      throw new IllegalArgumentException("venue must not be blank");
    }
    return venue;
  }
}
