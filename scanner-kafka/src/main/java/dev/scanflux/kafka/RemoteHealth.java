package dev.scanflux.kafka;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How fresh a feed's latest book or ticker for one venue and instrument is, and whether the node
 * that publishes it is alive.
 *
 * @param age       the latest snapshot's age on the feed's clock (its receive time is the
 *                  node's clock, so nodes and feeds need synchronised clocks, e.g. NTP)
 * @param node      the node that published it, if the record named one
 * @param nodeState that node's state; {@link NodeStatus.State#SILENT} when no beacon of it was
 *                  seen
 * @param stale     true when the node is not {@link NodeStatus.State#LIVE} or the snapshot is
 *                  older than the feed's stale limit: a strategy should not act on it
 */
public record RemoteHealth(Duration age, @Nullable String node, NodeStatus.State nodeState,
    boolean stale) {

  /** Validates. */
  public RemoteHealth {
    Objects.requireNonNull(age, "age");
    Objects.requireNonNull(nodeState, "nodeState");
  }
}
