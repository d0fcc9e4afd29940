package dev.scanflux.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one scan's period did, per venue and in total: from the previous scan until every venue
 * had completed a pass since then.
 *
 * <p>Each venue runs at its own pace, so the period lasts about as long as the slowest venue's
 * pass, while faster venues complete several.
 * {@link #sequentialEstimate()} is what refreshing every venue's universe once, one venue after
 * another, would take (the sum of the venues' latest passes), and {@link #speedup()} that over
 * the slowest venue's latest pass, the time it takes in parallel.
 *
 * <p>Immutable.
 */
public final class ScanReport {

  private final long cycle;
  private final Instant startedAt;
  private final Duration duration;
  private final Map<String, VenueReport> venues;
  private final long listenerFailures;

  /**
   * @param cycle     the scan number, from 1
   * @param startedAt when the period started (the previous scan), on the scanner's clock
   * @param duration  how long the period lasted
   * @param venues    one report per venue, in the scanner's venue order
   */
  public ScanReport(long cycle, Instant startedAt, Duration duration, List<VenueReport> venues) {
    this(cycle, startedAt, duration, venues, 0);
  }

  /**
   * @param cycle            the scan number, from 1
   * @param startedAt        when the period started (the previous scan), on the scanner's clock
   * @param duration         how long the period lasted
   * @param venues           one report per venue, in the scanner's venue order
   * @param listenerFailures {@link ScanListener} callbacks that threw since the scanner started,
   *                         at least 0
   */
  public ScanReport(long cycle, Instant startedAt, Duration duration, List<VenueReport> venues,
      long listenerFailures) {
    if (listenerFailures < 0) {
      throw new IllegalArgumentException(
          "listenerFailures must be at least 0 but was " + listenerFailures);
    }
    this.listenerFailures = listenerFailures;
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

  /** The scan number, from 1. */
  public long cycle() {
    return cycle;
  }

  /** When the period started, on the scanner's clock. */
  public Instant startedAt() {
    return startedAt;
  }

  /** How long the period lasted, all venues in parallel. */
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

  /**
   * Requests the scanner cancelled before they ended, on all venues (see
   * {@link VenueReport#cancelled()}): neither successes nor failures, their weight charged.
   */
  public long cancelled() {
    return venues.values().stream().mapToLong(VenueReport::cancelled).sum();
  }

  /**
   * {@link ScanListener} callbacks that threw since the scanner started, up to this scan's
   * start (a failure in the listeners of this very scan counts in the next report). Each failure
   * is counted here; only the first is logged in full (WARN), later ones at DEBUG. Zero for a
   * replayed scan.
   */
  public long listenerFailures() {
    return listenerFailures;
  }

  /** Throttled requests on all venues: zero when the limits were respected. */
  public long throttles() {
    return venues.values().stream().mapToLong(VenueReport::throttles).sum();
  }

  /**
   * What refreshing every venue's universe once, one venue after another, would take: the sum of
   * the venues' latest passes.
   */
  public Duration sequentialEstimate() {
    return venues.values().stream().map(VenueReport::lastPass).reduce(Duration.ZERO,
        Duration::plus);
  }

  /** The slowest venue's latest pass: how long refreshing every universe once takes in parallel. */
  public Duration parallelPass() {
    return venues.values().stream().map(VenueReport::lastPass).max(Duration::compareTo)
        .orElse(Duration.ZERO);
  }

  /**
   * {@link #sequentialEstimate()} over {@link #parallelPass()}: how many times faster every
   * universe is refreshed in parallel than one venue after another; 1.0 before any pass.
   */
  public double speedup() {
    long nanos = parallelPass().toNanos();
    return nanos == 0 ? 1.0 : (double) sequentialEstimate().toNanos() / nanos;
  }

  @Override
  public boolean equals(Object o) {
    return this == o || (o instanceof ScanReport r && cycle == r.cycle
        && startedAt.equals(r.startedAt) && duration.equals(r.duration)
        && venues.equals(r.venues) && listenerFailures == r.listenerFailures);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cycle, startedAt, duration, venues, listenerFailures);
  }

  @Override
  public String toString() {
    return "ScanReport{cycle " + cycle + ", " + duration.toMillis() + " ms, " + venues.size()
        + " venues, " + requests() + " requests, " + failed() + " failed, " + cancelled()
        + " cancelled, " + throttles() + " throttled, speedup "
        + String.format(java.util.Locale.ROOT, "%.2f", speedup())
        + (listenerFailures == 0 ? "" : ", " + listenerFailures + " listener failures") + '}';
  }
}
