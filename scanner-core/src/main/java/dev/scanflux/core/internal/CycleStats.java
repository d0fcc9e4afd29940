package dev.scanflux.core.internal;

import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;

/**
 * One venue's counters for one period between two scans. Thread-safe; written by many request
 * threads.
 */
final class CycleStats {

  private final String venue;
  private final long startNanos;
  private final long[] failures = new long[ErrorClass.values().length];
  private final boolean[] logged = new boolean[ErrorClass.values().length];
  private long requests;
  private long successes;
  private long cancelled;
  private long retries;
  private long gaveUp;
  private long weight;
  private long[] latencies = new long[64];
  private int latencyCount;
  private long lastResponseNanos;
  private int instruments;
  private boolean rediscovered;
  private long passes;

  CycleStats(String venue, long startNanos) {
    this.venue = venue;
    this.startNanos = startNanos;
    this.lastResponseNanos = startNanos;
  }

  synchronized void sent(int weight, boolean retry) {
    requests++;
    this.weight += weight;
    if (retry) {
      retries++;
    }
  }

  synchronized void succeeded(long latencyNanos, long nowNanos) {
    successes++;
    latency(latencyNanos, nowNanos);
  }

  /**
   * Counts a failed request.
   *
   * @return true if this is the cycle's first failure of that class, the one to log in full
   */
  synchronized boolean failed(ErrorClass errorClass, long latencyNanos, long nowNanos) {
    failures[errorClass.ordinal()]++;
    latency(latencyNanos, nowNanos);
    boolean first = !logged[errorClass.ordinal()];
    logged[errorClass.ordinal()] = true;
    return first;
  }

  /** Counts a request cancelled before it ended (not a round trip: no latency sample). */
  synchronized void cancelled() {
    cancelled++;
  }

  synchronized void gaveUp() {
    gaveUp++;
  }

  /** One of the venue's passes ended in this period, with items that had no data in it. */
  synchronized void passEnded(int gaveUp) {
    passes++;
    this.gaveUp += gaveUp;
  }

  synchronized void universe(int instruments, boolean rediscovered) {
    this.instruments = instruments;
    this.rediscovered |= rediscovered;
  }

  synchronized long failures(ErrorClass errorClass) {
    return failures[errorClass.ordinal()];
  }

  /**
   * The report of this period.
   *
   * @param endNanos when the period ends
   * @param lastPass the duration of the venue's latest completed pass
   */
  synchronized VenueReport report(long endNanos, long budget, long windowNanos,
      Duration lastPass, StreamReport stream) {
    long duration = Math.max(0, endNanos - startNanos);
    EnumMap<ErrorClass, Long> byClass = new EnumMap<>(ErrorClass.class);
    for (ErrorClass c : ErrorClass.values()) {
      byClass.put(c, failures[c.ordinal()]);
    }
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    // the most a sliding window lets through in `duration`: its budget once per window begun
    double allowed = (double) budget * Math.max(1, (duration + windowNanos - 1) / windowNanos);
    return new VenueReport(venue, instruments, requests, successes, byClass, cancelled, retries,
        gaveUp, weight, Duration.ofNanos(duration), Duration.ofNanos(percentile(sorted, 0.50)),
        Duration.ofNanos(percentile(sorted, 0.99)), allowed == 0 ? 0 : weight / allowed,
        rediscovered, stream, passes, lastPass);
  }

  private void latency(long latencyNanos, long nowNanos) {
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencyCount * 2);
    }
    latencies[latencyCount++] = latencyNanos;
    lastResponseNanos = Math.max(lastResponseNanos, nowNanos);
  }

  /** Nearest-rank percentile; 0 for no samples. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
