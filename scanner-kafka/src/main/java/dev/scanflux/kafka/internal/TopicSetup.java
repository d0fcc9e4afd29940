package dev.scanflux.kafka.internal;

import dev.scanflux.kafka.KafkaTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the four topics with their settings where they do not exist yet; blocking, for the
 * publisher's own thread. Existing topics are left as they are.
 */
public final class TopicSetup {

  /** The largest scan record a topic accepts: a scan holds a whole cycle's snapshots. */
  public static final int MAX_SCAN_BYTES = 16 << 20;

  private TopicSetup() {}

  /**
   * @param client     the client's connection properties (bootstrap servers, security)
   * @param topics     the names
   * @param partitions partitions of the snapshot topic
   * @param timeout    how long to wait for the broker
   * @throws Exception the admin client's failure, e.g. a timeout while the broker is down
   */
  public static void ensure(Properties client, KafkaTopics topics, int partitions,
      Duration timeout) throws ExecutionException, InterruptedException, TimeoutException {
    Properties props = new Properties();
    props.putAll(client);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(props)) {
      List<NewTopic> wanted = new ArrayList<>();
      wanted.add(new NewTopic(topics.snapshots(), Optional.of(partitions), Optional.empty())
          .configs(Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
              // compact often enough that a late joiner reads little beyond the latest view
              TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofMinutes(10).toMillis()),
              TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1")));
      wanted.add(new NewTopic(topics.scans(), Optional.of(1), Optional.empty())
          .configs(Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
              TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
              TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_SCAN_BYTES))));
      wanted.add(new NewTopic(topics.nodes(), Optional.of(1), Optional.empty())
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
              TopicConfig.CLEANUP_POLICY_COMPACT)));
      wanted.add(new NewTopic(topics.alerts(), Optional.of(1), Optional.empty())
          .configs(Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
              TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()))));
      for (KafkaFuture<Void> f : admin.createTopics(wanted).values().values()) {
        try {
          f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      awaitLeaders(admin, List.of(topics.snapshots(), topics.scans(), topics.nodes(),
          topics.alerts()), timeout);
    }
  }

  /**
   * Waits until every partition has a leader: a producer that starts sending to a topic whose
   * partitions are still being placed retries its first batches, which an idempotent producer
   * then may see rejected as out of sequence.
   */
  private static void awaitLeaders(Admin admin, List<String> names, Duration timeout)
      throws ExecutionException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean ready = true;
      try {
        for (TopicDescription d : admin.describeTopics(names).allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS).values()) {
          for (TopicPartitionInfo p : d.partitions()) {
            ready &= p.leader() != null && !p.leader().isEmpty();
          }
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
        ready = false;
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the topics " + names + " have partitions without a leader");
      }
      Thread.sleep(50); // the publisher's own thread, before it sends anything
    }
  }
}
