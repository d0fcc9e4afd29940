package dev.scanflux.core;

import dev.scanflux.core.spi.ErrorClass;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one venue did since the previous scan: every request it sent, the passes it completed,
 * and its stream.
 *
 * <p>Each venue refreshes its universe at its own pace, in <em>passes</em> (a pass ends when
 * every instrument has been refreshed once since the previous one ended), so a fast venue may
 * complete several passes between two scans while the slowest completes one.
 *
 * <p>Counts are of requests actually sent, each once it ended:
 * {@code requests == successes + failed() + cancelled}. A request that fails and is retried
 * counts once per attempt; {@link #gaveUp()} counts the fetches that still had no data after
 * their last attempt, so nothing lost goes unreported. A request the scanner cancelled after
 * sending it (a stream's snapshot fetch when its connection was replaced, say) is counted in
 * {@code cancelled} and its weight in {@code weightUsed}: the venue may have served it and
 * charged its limit for it. (The requests cancelled by {@code Scanner.close()} reach the
 * listeners' {@link RequestEvent}s; no report follows the close.)
 *
 * @param venue       the venue
 * @param instruments instruments in the venue's universe
 * @param requests    requests sent, retries included
 * @param successes   requests that returned valid data
 * @param failures    failed requests by class (every class present, zero when none)
 * @param cancelled   requests the scanner cancelled before they ended (see above): neither
 *                    successes nor failures
 * @param retries     requests that were retries of a failed one
 * @param gaveUp      items that ended a pass without data, their last attempt failed (each
 *                    backs off on its own and is tried again in a later pass)
 * @param weightUsed  rate-limit weight spent
 * @param duration    the period this report covers: from the previous scan to this one
 * @param latencyP50  median request round trip (zero when no request completed)
 * @param latencyP99  99th percentile request round trip
 * @param utilisation weight spent over the most the limit lets through in {@code duration}
 *                    (its budget once per window begun: a period shorter than the window could
 *                    have spent one whole budget); 1.0 is exactly at the limit, never above
 * @param rediscovered true if the venue re-ran instrument discovery in this period
 * @param stream      what the venue's push stream did, {@link StreamReport#OFF} if not streamed
 * @param passes      passes the venue completed in this period
 * @param lastPass    how long the venue's latest completed pass took (zero before the first)
 */
public record VenueReport(String venue, int instruments, long requests, long successes,
    Map<ErrorClass, Long> failures, long cancelled, long retries, long gaveUp,
    long weightUsed, Duration duration, Duration latencyP50, Duration latencyP99,
    double utilisation, boolean rediscovered, StreamReport stream, long passes,
    Duration lastPass) {

  /** Validates and freezes the counts. */
  public VenueReport {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(latencyP50, "latencyP50");
    Objects.requireNonNull(latencyP99, "latencyP99");
    Objects.requireNonNull(lastPass, "lastPass");
    if (cancelled < 0) {
      throw new IllegalArgumentException("cancelled must not be negative but was " + cancelled);
    }
    EnumMap<ErrorClass, Long> all = new EnumMap<>(ErrorClass.class);
    for (ErrorClass c : ErrorClass.values()) {
      all.put(c, Objects.requireNonNull(failures, "failures").getOrDefault(c, 0L));
    }
    failures = Collections.unmodifiableMap(all);
  }

  /**
   * A report of one pass ({@code passes} 1, {@code lastPass} = {@code duration}), nothing
   * cancelled.
   */
  public VenueReport(String venue, int instruments, long requests, long successes,
      Map<ErrorClass, Long> failures, long retries, long gaveUp, long weightUsed,
      Duration duration, Duration latencyP50, Duration latencyP99, double utilisation,
      boolean rediscovered, StreamReport stream) {
    this(venue, instruments, requests, successes, failures, 0, retries, gaveUp, weightUsed,
        duration, latencyP50, latencyP99, utilisation, rediscovered, stream, 1, duration);
  }

  /** The report of a venue that is only polled ({@link StreamReport#OFF}). */
  public VenueReport(String venue, int instruments, long requests, long successes,
      Map<ErrorClass, Long> failures, long retries, long gaveUp, long weightUsed,
      Duration duration, Duration latencyP50, Duration latencyP99, double utilisation,
      boolean rediscovered) {
    this(venue, instruments, requests, successes, failures, retries, gaveUp, weightUsed,
        duration, latencyP50, latencyP99, utilisation, rediscovered, StreamReport.OFF);
  }

  /** Failed requests of one class. */
  public long failures(ErrorClass errorClass) {
    return failures.get(errorClass);
  }

  /** Failed requests of every class. */
  public long failed() {
    long n = 0;
    for (long v : failures.values()) {
      n += v;
    }
    return n;
  }

  /** Requests the venue refused for exceeding its rate limit. */
  public long throttles() {
    return failures(ErrorClass.THROTTLED);
  }
}
