package dev.scanflux.core.alert;

/**
 * Counts of what {@link Alerts} did since it was built.
 *
 * @param signals    signals tracked
 * @param opened     alerts opened (and handed to the sinks)
 * @param updated    update events
 * @param closed     alerts closed
 * @param suppressed alerts held back by their key's cooldown
 * @param shortLived conditions that stopped before the minimum lifetime, never opened
 * @param overflowed signals of new keys ignored because the most open alerts were tracked
 * @param open       alerts open now, suppressed ones included
 */
public record AlertStats(long signals, long opened, long updated, long closed, long suppressed,
    long shortLived, long overflowed, long open) {

  /** No alerts yet. */
  public static final AlertStats EMPTY = new AlertStats(0, 0, 0, 0, 0, 0, 0, 0);

  /** e.g. {@code 12 opened, 3 updated, 9 closed, 2 suppressed, 40 short-lived, 3 open}. */
  @Override
  public String toString() {
    return opened + " opened, " + updated + " updated, " + closed + " closed, " + suppressed
        + " suppressed, " + shortLived + " short-lived, " + open + " open"
        + (overflowed > 0 ? ", " + overflowed + " signals over the open limit" : "");
  }
}
