package dev.scanflux.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.alert.Alert;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.AlertKey;
import dev.scanflux.core.alert.AlertSink;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

class KafkaPublisherTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  @Test
  void recordsAreKeyedStampedAndInTheRecordingFormatOnTopicsSetUpAsAView() throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("rec");
    List<MarketSnapshot> sent = new CopyOnWriteArrayList<>();
    List<MarketSnapshot> latest = new ArrayList<>();
    long published;
    try (Scanner scanner = Scanner.builder().venue(new TestSource("alpha", 3)).maxCycles(2)
        .interval(Duration.ZERO).build();
        KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
            .node("n1").partitions(2).build()) {
      scanner.snapshots().subscribe(sent::add);
      publisher.publish(scanner);
      scanner.start();
      scanner.scans().blockLast(WAIT);
      await().atMost(WAIT).until(() -> publisher.report().published()
          + publisher.report().superseded() == 12 && publisher.report().scansPublished() == 2);
      latest.addAll(scanner.view().books());
      latest.addAll(scanner.view().tickers());
      published = publisher.report().published();
    }

    Map<String, MarketSnapshot> read = new HashMap<>();
    List<ConsumerRecord<String, byte[]>> records = readAll(topics.snapshots(), published);
    RecordFormat format = RecordFormat.create();
    for (ConsumerRecord<String, byte[]> r : records) {
      MarketSnapshot s = format.decodeSnapshot(r.value());
      assertThat(r.key()).isEqualTo(s.venue() + "|" + s.instrument() + "|"
          + (s instanceof BookSnapshot ? "book" : "ticker"));
      assertThat(new String(r.headers().lastHeader("scanflux-format").value(),
          StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(new String(r.headers().lastHeader("scanflux-node").value(),
          StandardCharsets.UTF_8)).isEqualTo("n1");
      read.put(r.key(), s);
    }
    assertThat(records).hasSize((int) published);
    assertThat(sent).hasSize(12).containsAll(
        records.stream().map(r -> decode(format, r.value())).toList());
    assertThat(read.values()).containsExactlyInAnyOrderElementsOf(latest); // the last per key
    assertThat(readAll(topics.scans(), 2)).extracting(ConsumerRecord::key)
        .containsExactly("n1", "n1");

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
      Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
          new ConfigResource(ConfigResource.Type.TOPIC, topics.snapshots()),
          new ConfigResource(ConfigResource.Type.TOPIC, topics.scans()),
          new ConfigResource(ConfigResource.Type.TOPIC, topics.nodes()))).all().get();
      assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topics.snapshots()))
          .get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topics.nodes()))
          .get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topics.scans()))
          .get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(admin.describeTopics(List.of(topics.snapshots())).allTopicNames().get()
          .get(topics.snapshots()).partitions()).hasSize(2);
    }
  }

  @Test
  void withoutABrokerTheBufferKeepsTheLatestPerKeyAndCountsWhatItCannotHold() {
    Sinks.Many<MarketSnapshot> snapshots = Sinks.many().unicast().onBackpressureBuffer();
    KafkaPublisher publisher = KafkaPublisher.builder("127.0.0.1:1") // nothing listens there
        .maxPending(3).closeTimeout(Duration.ofMillis(200)).build();
    List<PublishFailure> failures = new CopyOnWriteArrayList<>();
    publisher.failures().subscribe(failures::add);
    publisher.publish(snapshots.asFlux(), Flux.<Scan>never());

    List<String> venues = List.of("a", "b", "c", "d", "e");
    for (int round = 0; round < 2; round++) {
      for (String v : venues) {
        snapshots.tryEmitNext(book(v, 100 + round));
      }
    }
    // a, b, c are buffered, round 2 superseding round 1; d and e found the buffer full twice
    PublishReport report = publisher.report();
    assertThat(report.offered()).isEqualTo(10);
    assertThat(report.pending()).isEqualTo(3);
    assertThat(report.superseded()).isEqualTo(3);
    assertThat(report.dropped()).isEqualTo(4);
    assertThat(report.lastError()).contains("buffer full");

    publisher.close();
    PublishReport closed = publisher.report();
    assertThat(closed.dropped()).isEqualTo(7); // what was still buffered is counted at close
    assertThat(closed.offered()).isEqualTo(closed.published() + closed.superseded()
        + closed.dropped() + closed.pending() + closed.inFlight());
  }

  @Test
  void aRecordTheBrokerRefusesForGoodIsDroppedCountedAndReportedNotRetried() {
    Sinks.Many<MarketSnapshot> snapshots = Sinks.many().unicast().onBackpressureBuffer();
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap())
        .topics(KafkaTopics.prefixed("large")).property("max.request.size", 300).build()) {
      List<PublishFailure> failures = new CopyOnWriteArrayList<>();
      publisher.failures().subscribe(failures::add);
      publisher.publish(snapshots.asFlux(), Flux.<Scan>never());
      BookSnapshot.Builder big = BookSnapshot.builder("a", Instrument.parse("BTC/USDT"));
      for (int i = 0; i < 50; i++) {
        big.bid(1000 - i, 1).ask(1001 + i, 1);
      }
      snapshots.tryEmitNext(big.build());
      snapshots.tryEmitNext(book("b", 100)); // small enough

      await().atMost(WAIT).until(() -> publisher.report().published() == 1
          && publisher.report().dropped() == 1);
      PublishReport r = publisher.report();
      assertThat(r.failed()).isEqualTo(1);
      assertThat(r.pending() + r.inFlight()).isZero();
      assertThat(r.lastError()).startsWith("RecordTooLargeException");
      assertThat(failures).singleElement().satisfies(f -> {
        assertThat(f.key()).isEqualTo("a|BTC/USDT|book");
        assertThat(f.topic()).isEqualTo("large.snapshots");
        assertThat(f.outcome()).isEqualTo(PublishFailure.Outcome.LOST);
      });
    }
  }

  @Test
  void alertEventsArePublishedAsTheWebhooksJsonKeyedByAlertId() {
    KafkaTopics topics = KafkaTopics.prefixed("alerts");
    Instant t = Instant.parse("2025-01-31T12:00:00Z");
    Signal s = Signal.builder("order-book-wall", t).venues("binance")
        .instruments(Instrument.parse("BTC/USDT")).subject("binance bid").strength(1.2e6)
        .description("bid wall on binance BTC/USDT").build();
    Alert open = new Alert("3f2a9c0d1b7e4a55", AlertKey.of(s), t, t, null, 1, s, s, false);
    Alert closed = new Alert("3f2a9c0d1b7e4a55", AlertKey.of(s), t, t.plusSeconds(60),
        t.plusSeconds(90), 9, s, s, false);
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
        .build()) {
      AlertSink sink = publisher.alerts();
      sink.offer(new AlertEvent(AlertEvent.Type.OPENED, 0, t, open));
      sink.offer(new AlertEvent(AlertEvent.Type.SUPPRESSED, 0, t, open)); // never delivered
      sink.offer(new AlertEvent(AlertEvent.Type.CLOSED, 1, t.plusSeconds(90), closed));
      await().atMost(WAIT).until(() -> sink.stats().delivered() == 2);
      assertThat(sink.stats().lost()).isZero();
      assertThat(publisher.report().alertsPublished()).isEqualTo(2);
    }
    List<ConsumerRecord<String, byte[]>> records = readAll(topics.alerts(), 2);
    assertThat(records).extracting(ConsumerRecord::key)
        .containsExactly("3f2a9c0d1b7e4a55", "3f2a9c0d1b7e4a55");
    assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
        .contains("\"eventId\":\"3f2a9c0d1b7e4a55-0\"", "\"type\":\"opened\"");
    assertThat(new String(records.get(1).value(), StandardCharsets.UTF_8))
        .contains("\"eventId\":\"3f2a9c0d1b7e4a55-1\"", "\"type\":\"closed\"");
  }

  private static BookSnapshot book(String venue, double bid) {
    return BookSnapshot.builder(venue, Instrument.parse("BTC/USDT")).bid(bid, 1).ask(bid + 1, 1)
        .receivedAt(Instant.EPOCH).build();
  }

  private static MarketSnapshot decode(RecordFormat format, byte[] value) {
    try {
      return format.decodeSnapshot(value);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic, long expected) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        Map.of("bootstrap.servers", kafka.bootstrap()), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        return out.size() >= expected;
      });
    }
    return out;
  }
}
