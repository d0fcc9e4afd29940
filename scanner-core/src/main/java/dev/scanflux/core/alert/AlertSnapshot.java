package dev.scanflux.core.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A consistent picture of {@link Alerts} at one moment, for dashboards and APIs.
 *
 * @param at     when, on the alerts' scheduler
 * @param open   the open alerts (suppressed ones included), oldest first
 * @param recent the most recently closed alerts, newest first, at most
 *               {@link AlertConfig#recent()} of them
 * @param stats  the counts so far
 */
public record AlertSnapshot(Instant at, List<Alert> open, List<Alert> recent, AlertStats stats) {

  /** Checks and freezes the parts. */
  public AlertSnapshot {
    Objects.requireNonNull(at, "at");
    open = List.copyOf(Objects.requireNonNull(open, "open"));
    recent = List.copyOf(Objects.requireNonNull(recent, "recent"));
    Objects.requireNonNull(stats, "stats");
  }
}
