package dev.scanflux.core.alert;

import java.util.Objects;

/**
 * What one {@link AlertSink} did. A message is one event to one destination (a Telegram sink
 * with two chats sends two messages per event).
 *
 * @param sink      the sink's name
 * @param delivered messages the destination accepted
 * @param retries   attempts repeated after a transient failure or a throttle
 * @param failed    messages given up after the last retry
 * @param rejected  messages the destination refused for good (e.g. Telegram's 400 for a chat
 *                  that does not exist), never retried
 * @param dropped   messages dropped because the outbox was full (the oldest go first)
 * @param abandoned messages still undelivered when the sink closed
 * @param pending   messages queued or in flight now
 * @param lastError the last failure, e.g. {@code HTTP 400: Bad Request: chat not found};
 *                  empty if none; never holds a secret
 */
public record SinkStats(String sink, long delivered, long retries, long failed, long rejected,
    long dropped, long abandoned, long pending, String lastError) {

  /** Checks the parts. */
  public SinkStats {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(lastError, "lastError");
  }

  /** Messages lost one way or another: failed, rejected, dropped or abandoned. */
  public long lost() {
    return failed + rejected + dropped + abandoned;
  }

  /** e.g. {@code telegram: 12 delivered, 1 retries, 0 failed, 1 rejected, 0 dropped, …}. */
  @Override
  public String toString() {
    return sink + ": " + delivered + " delivered, " + retries + " retries, " + failed
        + " failed, " + rejected + " rejected, " + dropped + " dropped, " + abandoned
        + " abandoned, " + pending + " pending" + (lastError.isEmpty() ? "" : " (last error: "
        + lastError + ")");
  }
}
