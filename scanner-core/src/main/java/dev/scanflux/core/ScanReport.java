package dev.scanflux.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one scan cycle did, per venue and in total.
 *
 * <p>The venues are scanned in parallel, so the cycle lasts about as long as its slowest venue.
 * {@link #sequentialEstimate()} is what scanning them one after another would have taken (the
 * sum of the venues' durations), and {@link #speedup()} the ratio of the two.
 *
 * <p>Immutable.
 */
public final class ScanReport {

  private final long cycle;
  private final Instant startedAt;
  private final Duration duration;
  private final Map<String, VenueReport> venues;

  /**
   * @param cycle     the cycle number, from 1
   * @param startedAt when the cycle started, on the scanner's clock
   * @param duration  how long the cycle took
   * @param venues    one report per venue, in the scanner's venue order
   */
  public ScanReport(long cycle, Instant startedAt, Duration duration, List<VenueReport> venues) {
    this.cycle = cycle;
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.duration = Objects.requireNonNull(duration, "duration");
    LinkedHashMap<String, VenueReport> byName = new LinkedHashMap<>();
    for (VenueReport v : venues) {
      if (byName.put(v.venue(), v) != null) {
        throw new IllegalArgumentException("venue '" + v.venue() + "' is reported twice");
      }
    }
    this.venues = Collections.unmodifiableMap(byName);
  }

  /** The cycle number, from 1. */
  public long cycle() {
    return cycle;
  }

  /** When the cycle started, on the scanner's clock. */
  public Instant startedAt() {
    return startedAt;
  }

  /** How long the whole cycle took, all venues in parallel. */
  public Duration duration() {
    return duration;
  }

  /** The venue reports by venue name, in the scanner's venue order. */
  public Map<String, VenueReport> venues() {
    return venues;
  }

  /** Requests sent to all venues, retries included. */
  public long requests() {
    return venues.values().stream().mapToLong(VenueReport::requests).sum();
  }

  /** Failed requests on all venues. */
  public long failed() {
    return venues.values().stream().mapToLong(VenueReport::failed).sum();
  }

  /** Throttled requests on all venues: zero when the limits were respected. */
  public long throttles() {
    return venues.values().stream().mapToLong(VenueReport::throttles).sum();
  }

  /** What scanning the venues one after another would have taken: the sum of their durations. */
  public Duration sequentialEstimate() {
    return venues.values().stream().map(VenueReport::duration).reduce(Duration.ZERO,
        Duration::plus);
  }

  /** {@link #sequentialEstimate()} over {@link #duration()}; 1.0 for an instant cycle. */
  public double speedup() {
    long nanos = duration.toNanos();
    return nanos == 0 ? 1.0 : (double) sequentialEstimate().toNanos() / nanos;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof ScanReport r && cycle == r.cycle
        && startedAt.equals(r.startedAt) && duration.equals(r.duration)
        && venues.equals(r.venues));
  }

  @Override
  public int hashCode() {
    return Objects.hash(cycle, startedAt, duration, venues);
  }

  @Override
  public String toString() {
    return "ScanReport{cycle " + cycle + ", " + duration.toMillis() + " ms, " + venues.size()
        + " venues, " + requests() + " requests, " + failed() + " failed, " + throttles()
        + " throttled, speedup " + String.format(java.util.Locale.ROOT, "%.2f", speedup()) + '}';
  }
}
