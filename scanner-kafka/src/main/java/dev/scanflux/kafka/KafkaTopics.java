package dev.scanflux.kafka;

import java.util.Objects;

/**
 * The names of the four topics one deployment of scanner nodes and feeds shares.
 *
 * <ul>
 *   <li>{@link #snapshots()}: every snapshot, keyed {@code venue|instrument|kind} (e.g. {@code
 *       binance|BTC/USDT|book}), compacted, so the topic holds the latest view;
 *   <li>{@link #scans()}: every node's completed scans, keyed by node, one partition, deleted
 *       after a retention time;
 *   <li>{@link #nodes()}: each node's beacon (its venues, running or stopped, when it last
 *       spoke), keyed by node, compacted;
 *   <li>{@link #alerts()}: alert events (opened, updated, closed), keyed by alert id, as the
 *       webhook's JSON, one partition, deleted after a retention time.
 * </ul>
 *
 * @param snapshots the snapshot topic's name
 * @param scans     the scan topic's name
 * @param nodes     the node topic's name
 * @param alerts    the alert topic's name
 */
public record KafkaTopics(String snapshots, String scans, String nodes, String alerts) {

  /** The default prefix: {@code scanflux.snapshots}, {@code .scans}, {@code .nodes}, {@code .alerts}. */
  public static final String DEFAULT_PREFIX = "scanflux";

  /**
   * Checks the names.
   *
   * @throws IllegalArgumentException if a name is not a legal Kafka topic name or two are equal
   */
  public KafkaTopics {
    check("snapshots", snapshots);
    check("scans", scans);
    check("nodes", nodes);
    check("alerts", alerts);
    if (java.util.Set.of(snapshots, scans, nodes, alerts).size() != 4) {
      throw new IllegalArgumentException("topics must be distinct but were " + snapshots + ", "
          + scans + ", " + nodes + ", " + alerts);
    }
  }

  /** {@code scanflux.snapshots}, {@code .scans}, {@code .nodes} and {@code .alerts}. */
  public static KafkaTopics ofDefaults() {
    return prefixed(DEFAULT_PREFIX);
  }

  /**
   * {@code PREFIX.snapshots}, {@code PREFIX.scans}, {@code PREFIX.nodes} and {@code
   * PREFIX.alerts}.
   *
   * @throws IllegalArgumentException if the names would not be legal topic names
   */
  public static KafkaTopics prefixed(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return new KafkaTopics(prefix + ".snapshots", prefix + ".scans", prefix + ".nodes",
        prefix + ".alerts");
  }

  private static void check(String name, String topic) {
    Objects.requireNonNull(topic, name);
    if (topic.isEmpty() || topic.length() > 249 || topic.equals(".") || topic.equals("..")
        || !topic.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '.'
            || c == '_' || c == '-')) {
      throw new IllegalArgumentException(name + " topic must be 1 to 249 of [a-zA-Z0-9._-] but was '"
          + topic + "'");
    }
  }
}
