package dev.scanflux.simulator.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The venue's side of a rate limit: weight per sliding window, per bucket (Binance has one
 * weight bucket, OKX one per endpoint). Admitted requests are remembered with their time and
 * weight; a request that would exceed the budget is refused with the time until enough weight
 * has left the window. Refused requests use no weight. Thread-safe.
 */
public final class SlidingWindowLimiter {

  private final Map<String, Bucket> buckets = new HashMap<>();

  /** @param limits the buckets this venue enforces */
  public SlidingWindowLimiter(List<VenueProtocol.Limit> limits) {
    for (VenueProtocol.Limit l : limits) {
      buckets.put(l.bucket(), new Bucket(l.budget(), l.window().toMillis()));
    }
  }

  /**
   * Admits a request or says how long to wait.
   *
   * @param bucket the bucket; unknown buckets are unlimited
   * @param weight the request's weight
   * @param nowMs  the current time in milliseconds
   * @return zero if admitted, otherwise the wait until it would be admitted
   */
  public synchronized Duration acquire(String bucket, int weight, long nowMs) {
    Bucket b = buckets.get(bucket);
    return b == null ? Duration.ZERO : Duration.ofMillis(b.acquire(weight, nowMs));
  }

  /** Weight used in the bucket's current window. */
  public synchronized int used(String bucket, long nowMs) {
    Bucket b = buckets.get(bucket);
    if (b == null) {
      return 0;
    }
    b.evict(nowMs);
    return b.used;
  }

  private static final class Bucket {
    private final int budget;
    private final long windowMs;
    private final ArrayDeque<long[]> admitted = new ArrayDeque<>();
    private int used;

    Bucket(int budget, long windowMs) {
      this.budget = budget;
      this.windowMs = windowMs;
    }

    void evict(long nowMs) {
      while (!admitted.isEmpty() && admitted.peekFirst()[0] + windowMs <= nowMs) {
        used -= (int) admitted.pollFirst()[1];
      }
    }

    long acquire(int weight, long nowMs) {
      evict(nowMs);
      if (used + weight <= budget) {
        admitted.addLast(new long[] {nowMs, weight});
        used += weight;
        return 0;
      }
      int freed = 0;
      for (long[] entry : admitted) {
        freed += (int) entry[1];
        if (used - freed + weight <= budget) {
          return Math.max(1, entry[0] + windowMs - nowMs);
        }
      }
      return windowMs;
    }
  }
}
