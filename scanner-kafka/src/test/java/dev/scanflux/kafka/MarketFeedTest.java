package dev.scanflux.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.replay.Replay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import dev.scanflux.kafka.internal.TopicSetup;
import reactor.core.Disposable;

class MarketFeedTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  /** Runs a scanner of two venues for some cycles, published; returns it closed. */
  private static Scanner scanAndPublish(KafkaTopics topics, int cycles) {
    Scanner scanner = Scanner.builder()
        .venue(new TestSource("alpha", 6))
        .venue(new TestSource("beta", 4))
        .interval(Duration.ofMillis(20))
        .maxCycles(cycles)
        .build();
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap())
        .topics(topics).node("node-a").partitions(3).build()) {
      publisher.publish(scanner);
      scanner.start();
      scanner.scans().blockLast(WAIT);
      await().atMost(WAIT).untilAsserted(() -> {
        PublishReport r = publisher.report();
        assertThat(r.pending() == 0 && r.inFlight() == 0 && r.scansPublished() == cycles)
            .as("%s", r).isTrue();
      });
      PublishReport r = publisher.report();
      assertThat(r.offered()).isEqualTo(r.published() + r.superseded());
      assertThat(r.dropped()).isZero();
      assertThat(r.lastError()).isNull();
    }
    scanner.close();
    return scanner;
  }

  static void createTopics(KafkaTopics topics) throws Exception {
    Properties client = new Properties();
    client.put("bootstrap.servers", kafka.bootstrap());
    TopicSetup.ensure(client, topics, 3, WAIT);
  }

  @Test
  void aFeedGivesWhatTheScannerGaveWithTheSameContracts() throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("same");
    createTopics(topics);
    try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build().start()) {
      feed.caughtUp().block(WAIT); // reading from the start: it will see every scan
      List<MarketSnapshot> seen = new CopyOnWriteArrayList<>();
      List<Scan> scans = new CopyOnWriteArrayList<>();
      Disposable d1 = feed.snapshots().subscribe(seen::add);
      Disposable d2 = feed.scans().subscribe(scans::add);

      Scanner scanner = scanAndPublish(topics, 3);

      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(scans).as("scans, feed %s", feed.report()).hasSize(3);
        assertThat(feed.view().size()).as("view").isEqualTo(20);
      });
      assertThat(new HashSet<>(feed.view().books())).isEqualTo(
          new HashSet<>(scanner.view().books()));
      assertThat(new HashSet<>(feed.view().tickers())).isEqualTo(
          new HashSet<>(scanner.view().tickers()));
      Scan last = scanner.latest().block(WAIT);
      assertThat(scans.get(2).report()).isEqualTo(last.report());
      assertThat(scans.get(2).snapshots()).isEqualTo(last.snapshots());
      assertThat(feed.latest().block(WAIT).cycle()).isEqualTo(3);
      assertThat(seen).hasSize((int) feed.report().snapshots());
      assertThat(seen).containsAll(last.snapshots());
      assertThat(feed.venues()).containsExactly("alpha", "beta");
      assertThat(feed.nodes()).singleElement().satisfies(n -> {
        assertThat(n.node()).isEqualTo("node-a");
        assertThat(n.venues()).containsExactly("alpha", "beta");
        assertThat(n.state()).isEqualTo(NodeStatus.State.STOPPED);
      });
      Instrument btc = Instrument.parse("BTC/USDT");
      assertThat(feed.view().book("alpha", btc)).isEqualTo(scanner.view().book("alpha", btc));
      assertThat(feed.health("alpha", btc)).hasValueSatisfying(h -> {
        assertThat(h.node()).isEqualTo("node-a");
        assertThat(h.stale()).isTrue(); // its node said it stopped
      });
      d1.dispose();
      d2.dispose();
    }
  }

  @Test
  void aLateJoinerGetsTheLatestViewAtOnceThenLiveUpdates() {
    KafkaTopics topics = KafkaTopics.prefixed("late");
    Scanner first = scanAndPublish(topics, 4);

    try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build().start()) {
      feed.caughtUp().block(WAIT);
      assertThat(new HashSet<>(feed.view().books())).isEqualTo(
          new HashSet<>(first.view().books()));
      assertThat(feed.view().size()).isEqualTo(20);
      Scan latest = feed.latest().block(Duration.ofSeconds(5));
      assertThat(latest.cycle()).isEqualTo(4);
      assertThat(latest.report()).isEqualTo(first.latest().block().report());

      List<Scan> live = new CopyOnWriteArrayList<>();
      feed.scans().subscribe(live::add);
      assertThat(live).singleElement().extracting(Scan::cycle).isEqualTo(4L); // the latest, at once
      Scanner second = scanAndPublish(topics, 2);
      await().atMost(WAIT).until(() -> live.size() == 3);
      await().atMost(WAIT).until(() -> new HashSet<>(feed.view().books()).equals(
          new HashSet<>(second.view().books())));
    }
    // a consumer restart is a late joiner again: same view
    try (MarketFeed again = MarketFeed.builder(kafka.bootstrap()).topics(topics).build()
        .start()) {
      again.caughtUp().block(WAIT);
      assertThat(again.view().size()).isEqualTo(20);
      assertThat(again.latest().block(WAIT).cycle()).isEqualTo(2);
    }
  }

  @Test
  void invalidRecordsAreSkippedCountedAndNeverEmitted() {
    KafkaTopics topics = KafkaTopics.prefixed("bad");
    scanAndPublish(topics, 1);
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()), new StringSerializer(),
        new ByteArraySerializer())) {
      String crossed = "{\"type\":\"book\",\"venue\":\"alpha\",\"instrument\":\"ZZZ/USDT\","
          + "\"exchangeTime\":1,\"receivedAt\":1,\"bids\":[[101,1]],\"asks\":[[100,1]]}";
      ProducerRecord<String, byte[]> invalid = new ProducerRecord<>(topics.snapshots(),
          "alpha|ZZZ/USDT|book", crossed.getBytes(StandardCharsets.UTF_8));
      invalid.headers().add("scanflux-format", "1".getBytes(StandardCharsets.UTF_8));
      ProducerRecord<String, byte[]> future = new ProducerRecord<>(topics.snapshots(),
          "alpha|ZZZ/USDT|ticker", "{}".getBytes(StandardCharsets.UTF_8));
      future.headers().add("scanflux-format", "9".getBytes(StandardCharsets.UTF_8));
      raw.send(invalid);
      raw.send(future);
      raw.send(new ProducerRecord<>(topics.snapshots(), "alpha|BTC/USDT|book", null));
      raw.flush();
    }

    try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build().start()) {
      List<MarketSnapshot> seen = new ArrayList<>();
      feed.snapshots().subscribe(seen::add);
      feed.caughtUp().block(WAIT);
      FeedReport report = feed.report();
      assertThat(report.invalid()).isEqualTo(2);
      assertThat(report.removed()).isEqualTo(1);
      assertThat(report.lastError()).contains(topics.snapshots()).contains("offset")
          .contains("format version 9 is not supported");
      assertThat(seen).noneMatch(s -> s.instrument().base().equals("ZZZ"));
      assertThat(feed.view().book("alpha", Instrument.parse("BTC/USDT"))).isEmpty();
      assertThat(feed.view().size()).isEqualTo(19);
    }
  }

  @Test
  void aRecordingCutFromTheTopicReplays(@TempDir Path dir) {
    KafkaTopics topics = KafkaTopics.prefixed("cut");
    Scanner scanner = scanAndPublish(topics, 2);
    List<MarketSnapshot> cut;
    try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build().start()) {
      feed.caughtUp().block(WAIT);
      cut = new ArrayList<>(feed.view().books());
      cut.addAll(feed.view().tickers());
    }
    cut.sort(Comparator.comparing(MarketSnapshot::receivedAt));
    Path file = dir.resolve("cut.jsonl.gz");
    RecordingWriter.builder(file).venues(scanner.venues()).build()
        .write(reactor.core.publisher.Flux.fromIterable(cut)).block(WAIT);

    List<MarketSnapshot> replayed = Replay.of(file).collectList().block(WAIT);
    assertThat(replayed).containsExactlyElementsOf(cut);
    Set<MarketSnapshot> latest = new HashSet<>(scanner.view().books());
    latest.addAll(scanner.view().tickers());
    assertThat(new HashSet<>(replayed)).isEqualTo(latest);
  }
}
