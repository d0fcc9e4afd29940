package dev.scanflux.kafka;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Snapshots per second through Kafka on this machine, and the latency from a snapshot's arrival
 * (its receive time) to a {@link MarketFeed} subscriber in the same JVM; not a test (its name
 * does not end in Test). Broker, publisher and feed share the machine's cores.
 *
 * <p>Run it after {@code mvn -B -ntp -q -pl scanner-kafka -am -DskipTests test-compile}:
 *
 * <pre>
 * cd scanner-kafka
 * mvn -B -ntp -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:../scanner-core/target/classes:$(cat /tmp/cp.txt) \
 *     dev.scanflux.kafka.PublishThroughput
 * </pre>
 */
public final class PublishThroughput {

  private static final int KEYS = 100_000;
  private static final int LEVELS = 20;

  private PublishThroughput() {}

  public static void main(String[] args) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      throughput(kafka, "throughput");
      latency(kafka, "latency", 1_000, Duration.ofSeconds(10));
    }
    System.exit(0);
  }

  /** {@link #KEYS} distinct 20-level books offered at once; time until all are acknowledged. */
  private static void throughput(EmbeddedKafka kafka, String prefix) {
    KafkaTopics topics = KafkaTopics.prefixed(prefix);
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
        .maxPending(KEYS).node("bench").build()) {
      Sinks.Many<MarketSnapshot> sink = Sinks.many().unicast().onBackpressureBuffer();
      publisher.publish(sink.asFlux(), Flux.<Scan>never());
      warmUp(publisher, sink);
      long offeredBefore = publisher.report().offered();
      long start = System.nanoTime();
      for (int i = 0; i < KEYS; i++) {
        sink.tryEmitNext(book(i, Instant.now()));
      }
      long offered = System.nanoTime() - start;
      while (publisher.report().published() + publisher.report().superseded()
          < offeredBefore + KEYS) {
        Thread.onSpinWait();
      }
      long total = System.nanoTime() - start;
      PublishReport r = publisher.report();
      System.out.printf(Locale.ROOT, "publish: %d books of %d levels offered in %.0f ms "
              + "(%.0f/s into the buffer), acknowledged in %.0f ms: %.0f snapshots/s through "
              + "Kafka; %s%n", KEYS, LEVELS, offered / 1e6, KEYS / (offered / 1e9), total / 1e6,
          KEYS / (total / 1e9), r);
    }
  }

  private static void warmUp(KafkaPublisher publisher, Sinks.Many<MarketSnapshot> sink) {
    for (int i = 0; i < 2_000; i++) {
      sink.tryEmitNext(book(i, Instant.now()));
    }
    while (publisher.report().published() + publisher.report().superseded() < 2_000) {
      Thread.onSpinWait();
    }
  }

  /** A steady rate of books; the latency of each from its receive time to the feed's subscriber. */
  private static void latency(EmbeddedKafka kafka, String prefix, int perSecond,
      Duration length) throws InterruptedException {
    KafkaTopics topics = KafkaTopics.prefixed(prefix);
    int n = (int) (perSecond * length.toSeconds());
    long[] nanos = new long[n];
    AtomicInteger seen = new AtomicInteger();
    try (KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap()).topics(topics)
        .node("bench").property("linger.ms", 0).build()) {
      Sinks.Many<MarketSnapshot> sink = Sinks.many().unicast().onBackpressureBuffer();
      publisher.publish(sink.asFlux(), Flux.<Scan>never());
      warmUp(publisher, sink);
      try (MarketFeed feed = MarketFeed.builder(kafka.bootstrap()).topics(topics).build()
          .start()) {
        feed.caughtUp().block(Duration.ofSeconds(60));
        feed.snapshots().subscribe(s -> {
          Instant now = Instant.now();
          int i = seen.getAndIncrement();
          if (i < n) {
            nanos[i] = Duration.between(s.receivedAt(), now).toNanos();
          }
        });
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
          while (System.nanoTime() < next) {
            Thread.onSpinWait();
          }
          sink.tryEmitNext(book(i % 1_000, Instant.now()));
          next += intervalNanos;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.get() < n && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
      }
    }
    int got = Math.min(seen.get(), n);
    long[] sorted = Arrays.copyOf(nanos, got);
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "latency: %d books/s for %d s, %d of %d received: arrival to "
            + "remote subscriber p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", perSecond,
        length.toSeconds(), got, n, sorted[got / 2] / 1e6, sorted[(int) (got * 0.99)] / 1e6,
        sorted[got - 1] / 1e6);
    Schedulers.shutdownNow();
  }

  private static BookSnapshot book(int key, Instant at) {
    BookSnapshot.Builder b = BookSnapshot.builder("v" + (key % 10),
        Instrument.spot("C" + key, "USDT"));
    double mid = 100 + key % 977;
    for (int l = 0; l < LEVELS; l++) {
      b.bid(mid - 0.01 * (l + 1), 1 + l).ask(mid + 0.01 * (l + 1), 2 + l);
    }
    return b.receivedAt(at).build();
  }
}
