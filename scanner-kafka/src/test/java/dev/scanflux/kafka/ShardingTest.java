package dev.scanflux.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.kafka.internal.Beacon;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes share the venues; one feed sees both, and sees one stop, die and come back. */
class ShardingTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> VENUES = List.of("alpha", "beta", "gamma", "delta");
  private static final Instrument BTC = Instrument.parse("BTC/USDT");
  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  /** A node scanning its shard of {@link #VENUES} continuously, publishing as {@code name}. */
  private record Node(Scanner scanner, KafkaPublisher publisher) implements AutoCloseable {
    static Node start(String name, Shard shard, KafkaTopics topics) {
      Scanner.Builder b = Scanner.builder().interval(Duration.ofMillis(100));
      shard.select(VENUES).forEach(v -> b.venue(new TestSource(v, 2)));
      Scanner scanner = b.build();
      KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
          .node(name).beaconInterval(Duration.ofMillis(200)).build();
      publisher.publish(scanner);
      scanner.start();
      return new Node(scanner, publisher);
    }

    @Override
    public void close() {
      scanner.close();
      publisher.close();
    }
  }

  @Test
  void oneFeedSeesEveryShardAndEachNodeStopDieAndReturn() throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("shards");
    Node one = Node.start("node-1", Shard.parse("1/2"), topics);
    Node two = Node.start("node-2", Shard.parse("2/2"), topics);
    try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics)
        .staleAfter(Duration.ofSeconds(2)).build().start()) {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(feed.venues()).containsExactlyInAnyOrderElementsOf(VENUES);
        assertThat(feed.nodes()).extracting(NodeStatus::node, NodeStatus::state).containsExactly(
            org.assertj.core.groups.Tuple.tuple("node-1", NodeStatus.State.LIVE),
            org.assertj.core.groups.Tuple.tuple("node-2", NodeStatus.State.LIVE));
        for (String v : VENUES) {
          assertThat(feed.health(v, BTC)).hasValueSatisfying(h -> assertThat(h.stale()).isFalse());
        }
      });
      // sorted alpha, beta, delta, gamma, dealt round-robin
      assertThat(feed.nodes().get(0).venues()).containsExactly("alpha", "delta");
      assertThat(feed.nodes().get(1).venues()).containsExactly("beta", "gamma");

      // node-1 stops cleanly: its venues are stale at once, node-2's are not
      one.close();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(feed.health("alpha", BTC)).hasValueSatisfying(h -> {
          assertThat(h.node()).isEqualTo("node-1");
          assertThat(h.nodeState()).isEqualTo(NodeStatus.State.STOPPED);
          assertThat(h.stale()).isTrue();
        });
        assertThat(feed.health("delta", BTC).orElseThrow().stale()).isTrue();
      });
      assertThat(feed.health("beta", BTC).orElseThrow().stale()).isFalse();
      assertThat(feed.view().book("alpha", BTC)).isPresent(); // still there, marked stale
      // the same, as the per-book health every Scanner's view answers
      assertThat(feed.view().health("alpha", BTC)).get()
          .extracting(BookHealth::origin, BookHealth::state)
          .containsExactly(BookHealth.Origin.REMOTE, BookHealth.State.STALE);
      assertThat(feed.view().health("alpha")).extracting(BookHealth::state)
          .containsOnly(BookHealth.State.STALE);

      // a node that dies says nothing more: its last beacon ages until the feed calls it silent
      try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
          Map.of("bootstrap.servers", kafka.bootstrap()), new StringSerializer(),
          new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(topics.nodes(), "node-3", new Beacon("node-3",
            List.of("epsilon"), true, Instant.now()).encode())).get();
      }
      await().atMost(WAIT).until(() -> feed.nodes().stream().anyMatch(
          n -> n.node().equals("node-3") && n.state() == NodeStatus.State.LIVE));
      await().atMost(WAIT).until(() -> feed.nodes().stream().anyMatch(
          n -> n.node().equals("node-3") && n.state() == NodeStatus.State.SILENT));

      // node-1 starts again: it resumes, and its venues are fresh again
      try (Node again = Node.start("node-1", Shard.parse("1/2"), topics)) {
        assertThat(again.scanner().venues()).containsExactly("alpha", "delta");
        await().atMost(WAIT).untilAsserted(() -> {
          assertThat(feed.health("alpha", BTC).orElseThrow().stale()).isFalse();
          assertThat(feed.health("delta", BTC).orElseThrow().nodeState())
              .isEqualTo(NodeStatus.State.LIVE);
        });
      }
    } finally {
      two.close();
      one.close();
    }
  }
}
