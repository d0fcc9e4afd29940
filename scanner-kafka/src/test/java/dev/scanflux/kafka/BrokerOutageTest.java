package dev.scanflux.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker stops and starts again while a node scans and publishes. */
class BrokerOutageTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  @Test
  void scanningGoesOnAndTheLatestOfEveryKeyArrivesWhenTheBrokerIsBack() throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("outage");
    List<Scan> scans = new CopyOnWriteArrayList<>();
    Scanner scanner = Scanner.builder()
        .venue(new TestSource("alpha", 5))
        .venue(new TestSource("beta", 5))
        .interval(Duration.ofMillis(50))
        .build();
    KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap())
        .topics(topics).node("n1").partitions(2)
        .closeTimeout(Duration.ofSeconds(2))
        .property("request.timeout.ms", 1000)
        .property("delivery.timeout.ms", 2000)
        .property("reconnect.backoff.max.ms", 200)
        .build();
    try (scanner; publisher) {
      scanner.scans().subscribe(scans::add);
      publisher.publish(scanner);
      scanner.start();
      await().atMost(WAIT).until(() -> publisher.report().scansPublished() >= 2);

      kafka.stop();
      int before = scans.size();
      // scanning does not wait for the broker: cycles keep completing
      await().atMost(WAIT).until(() -> scans.size() >= before + 10);
      await().atMost(WAIT).until(() -> publisher.report().failed() > 0);
      PublishReport down = publisher.report();
      assertThat(down.pending()).isLessThanOrEqualTo(20); // one per key at most
      assertThat(down.superseded()).isPositive();
      assertThat(down.lastError()).isNotNull();

      kafka.restart();
      await().atMost(WAIT).until(() -> publisher.report().published() > down.published());
      scanner.close(); // no more snapshots: what is buffered must drain
      await().atMost(WAIT).untilAsserted(() -> {
        PublishReport r = publisher.report();
        assertThat(r.pending() + r.inFlight()).as("%s", r).isZero();
      });
      PublishReport after = publisher.report();
      assertThat(after.dropped()).isZero();
      assertThat(after.offered()).isEqualTo(after.published() + after.superseded());

      try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build()
          .start()) {
        feed.caughtUp().block(WAIT);
        assertThat(new HashSet<>(feed.view().books()))
            .isEqualTo(new HashSet<>(scanner.view().books()));
        assertThat(new HashSet<>(feed.view().tickers()))
            .isEqualTo(new HashSet<>(scanner.view().tickers()));
      }
    }
  }
}
