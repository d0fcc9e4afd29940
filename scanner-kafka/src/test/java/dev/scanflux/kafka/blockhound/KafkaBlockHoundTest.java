package dev.scanflux.kafka.blockhound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.kafka.EmbeddedKafka;
import dev.scanflux.kafka.KafkaPublisher;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.MarketFeed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Publishing from and consuming onto non-blocking threads never blocks them: snapshots emitted
 * on {@code parallel} threads are only buffered there, and the feed's outputs can be consumed
 * there. BlockHound records every blocking call on a non-blocking thread.
 */
class KafkaBlockHoundTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> BLOCKED = new CopyOnWriteArrayList<>();
  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  @BeforeAll
  static void install() {
    // the extension started the broker already: its threads are its own, never non-blocking
    BlockHound.install(b -> b.blockingMethodCallback(m -> BLOCKED.add(
        m + " on " + Thread.currentThread().getName())));
  }

  @Test
  void blockHoundIsActive() {
    Mono.fromCallable(() -> {
      Thread.sleep(1);
      return 1;
    }).subscribeOn(Schedulers.parallel()).block(WAIT);
    assertThat(BLOCKED).anyMatch(s -> s.contains("sleep"));
    BLOCKED.clear();
  }

  @Test
  void publishingFromParallelThreadsAndReadingOntoThemNeverBlocks() {
    BLOCKED.clear();
    KafkaTopics topics = KafkaTopics.prefixed("hound");
    List<MarketSnapshot> read = new CopyOnWriteArrayList<>();
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
        .build();
        MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build()) {
      Flux<MarketSnapshot> books = Flux.range(0, 5_000)
          .map(i -> (MarketSnapshot) BookSnapshot.builder("v" + (i % 5),
                  Instrument.spot("C" + (i % 500), "USDT"))
              .bid(100, 1).ask(101, 1).receivedAt(Instant.EPOCH.plusMillis(i)).build())
          .subscribeOn(Schedulers.parallel());
      publisher.publish(books, Flux.<Scan>never());
      await().atMost(WAIT).until(() -> publisher.report().published()
          + publisher.report().superseded() == 5_000);

      feed.start();
      feed.snapshots().publishOn(Schedulers.parallel(), 16).subscribe(read::add);
      await().atMost(WAIT).until(() -> feed.view().size() == 500);
      await().atMost(WAIT).until(() -> !read.isEmpty());
    }
    try (Scanner scanner = Scanner.builder().venue(new SimpleSource()).maxCycles(3)
        .interval(Duration.ZERO).build(); // its default scheduler: parallel threads
        KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap())
            .topics(KafkaTopics.prefixed("hound2")).build()) {
      publisher.publish(scanner);
      scanner.start();
      scanner.scans().blockLast(WAIT);
      await().atMost(WAIT).until(() -> publisher.report().scansPublished() == 3);
    }
    assertThat(BLOCKED).isEmpty();
  }
}
