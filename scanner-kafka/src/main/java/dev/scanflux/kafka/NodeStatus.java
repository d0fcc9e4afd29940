package dev.scanflux.kafka;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a feed knows of one scanner node, from the beacons the node publishes.
 *
 * @param node     the node's name
 * @param venues   the venues the node scans
 * @param state    whether it is live, silent or stopped
 * @param lastSeen when the node last published a beacon, on the node's clock
 */
public record NodeStatus(String node, List<String> venues, State state, Instant lastSeen) {

  /** A node's state as a feed sees it. */
  public enum State {
    /** The node's last beacon is recent: it is scanning. */
    LIVE,
    /** The node said nothing for longer than the feed's stale limit: it died or is cut off. */
    SILENT,
    /** The node said it stopped (it was closed cleanly). */
    STOPPED
  }

  /** Validates and freezes. */
  public NodeStatus {
    Objects.requireNonNull(node, "node");
    venues = List.copyOf(venues);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
