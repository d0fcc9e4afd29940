package dev.scanflux.kafka;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.AlertSink;
import dev.scanflux.core.alert.SinkStats;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.kafka.internal.Args;
import dev.scanflux.kafka.internal.SendLoop;
import dev.scanflux.kafka.internal.TopicSetup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes a scanner's snapshots and scans to Kafka, so that other processes can read them with
 * a {@link MarketFeed}.
 *
 * <pre>{@code
 * try (KafkaPublisher kafka = KafkaPublisher.builder("broker1:9092,broker2:9092")
 *          .node("scanner-eu-1")
 *          .build();
 *      Scanner scanner = Scanner.builder().venue(binance).venue(okx).build()) {
 *   kafka.publish(scanner);   // before start(), so the first snapshots are published too
 *   scanner.start();
 *   ...
 * }
 * }</pre>
 *
 * <h2>Records</h2>
 * Every snapshot goes to {@link KafkaTopics#snapshots()}, keyed {@code venue|instrument|kind},
 * its value a line of the recording format ({@link dev.scanflux.core.replay.RecordFormat}); every
 * scan goes to {@link KafkaTopics#scans()}, keyed by node; every {@link Builder#beaconInterval}
 * the node's beacon (its venues, running) goes to {@link KafkaTopics#nodes()}, and a last one
 * saying it stopped on {@link #close()}. Each record carries the headers {@code scanflux-format}
 * (the format version) and {@code scanflux-node}. The topics are created, compacted where the
 * topic is a view, unless they exist ({@link Builder#createTopics}).
 *
 * <h2>Delivery</h2>
 * The producer is idempotent with {@code acks=all}, so a retried send never duplicates or
 * reorders a key's records. A broker outage never slows scanning: snapshots wait in a bounded
 * buffer that keeps the latest per key (an older unsent snapshot of the same venue, instrument
 * and kind is superseded, as in the compacted topic itself), at most {@link Builder#maxInFlight}
 * records are handed to the producer unacknowledged, and a send that fails is put back in the
 * buffer unless a newer snapshot of its key supersedes it. So when the broker returns, the topic
 * gets the latest snapshot of every key. What cannot be published (the buffer full of other
 * keys, a record that cannot be encoded, a scan) is counted in {@link #report()} and reported
 * on {@link #failures()}, never dropped silently.
 *
 * <h2>Threading</h2>
 * The scanner's threads only put snapshots in the buffer (a short lock, never a wait). A thread
 * of the publisher's own creates the topics, encodes records and calls the producer, whose calls
 * may block while the broker is away; the producer's callbacks run on its I/O thread. {@link
 * #close()} blocks the caller until the buffer is sent or the close timeout passes.
 */
public final class KafkaPublisher implements AutoCloseable {

  private final SendLoop loop;
  private final AtomicBoolean started = new AtomicBoolean();
  private final Disposable.Composite subscriptions = Disposables.composite();

  private final AlertSink alertSink;

  private KafkaPublisher(SendLoop loop) {
    this.loop = loop;
    this.alertSink = new AlertSink() {
      @Override
      public String name() {
        return "kafka";
      }

      @Override
      public void offer(AlertEvent event) {
        if (event.type() != AlertEvent.Type.SUPPRESSED) {
          start();
          loop.offer(event);
        }
      }

      @Override
      public SinkStats stats() {
        return loop.alertStats();
      }

      @Override
      public Mono<Void> close(Duration timeout) {
        return Mono.empty();
      }
    };
  }

  private void start() {
    if (started.compareAndSet(false, true)) {
      loop.start();
    }
  }

  /**
   * A builder for a publisher to the given brokers.
   *
   * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
   * @return a new builder; not thread-safe
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Publishes everything the scanner emits from now on: subscribe before {@link Scanner#start()}
   * to miss nothing. The scanner's venues are announced in the node's beacons.
   *
   * @return cancels this scanner's subscription (the publisher stays open)
   */
  public Disposable publish(Scanner scanner) {
    Objects.requireNonNull(scanner, "scanner");
    loop.announce(scanner.venues());
    return publish(scanner.snapshots(), scanner.scans());
  }

  /**
   * Publishes any stream of snapshots and of scans. Each is subscribed with unbounded demand;
   * their items are buffered as {@link KafkaPublisher} describes, on the emitting thread.
   *
   * @return cancels both subscriptions (the publisher stays open)
   */
  public Disposable publish(Publisher<? extends MarketSnapshot> snapshots,
      Publisher<Scan> scans) {
    Objects.requireNonNull(snapshots, "snapshots");
    Objects.requireNonNull(scans, "scans");
    start();
    Disposable both = Disposables.composite(
        Flux.from(snapshots).subscribe(loop::offer, this::sourceFailed),
        Flux.from(scans).subscribe(loop::offer, this::sourceFailed));
    subscriptions.add(both);
    return both;
  }

  /**
   * An alert sink that publishes alert events (opened, updated, closed; never suppressed ones) to
   * {@link KafkaTopics#alerts()}, keyed by alert id, each value the webhook's JSON (docs/alerts.md),
   * through this publisher's producer: give it to {@code Alerts.builder().sink(...)}. Events wait
   * in a buffer of {@value SendLoop#ALERT_BUFFER} (the oldest dropped beyond) while the broker is
   * slow; failed sends are not retried. Its {@code close} returns at once: {@link #close()}
   * delivers what is buffered.
   */
  public AlertSink alerts() {
    return alertSink;
  }

  /** The counts so far; see {@link PublishReport}. */
  public PublishReport report() {
    return loop.report();
  }

  /**
   * Every record the broker did not take, the moment the producer reports it; hot. Emitted on
   * the producer's I/O thread or the publisher's thread, serially; a subscriber that cannot keep
   * up misses failures (they are all counted in {@link #report()}). Completes on {@link
   * #close()}.
   */
  public Flux<PublishFailure> failures() {
    return loop.failures();
  }

  /**
   * Stops publishing: cancels the subscriptions, sends what is buffered and a beacon saying the
   * node stopped, and closes the producer, waiting up to the close timeout for the broker;
   * anything still unsent is counted as dropped. Idempotent.
   */
  @Override
  public void close() {
    subscriptions.dispose();
    loop.close();
  }

  private void sourceFailed(Throwable error) {
    org.slf4j.LoggerFactory.getLogger(KafkaPublisher.class)
        .warn("A stream published to Kafka failed; its publishing stopped", error);
  }

  /**
   * Configures a {@link KafkaPublisher}; setters validate at once, naming the bad argument. Not
   * thread-safe.
   */
  public static final class Builder {
    private final Properties client = new Properties();
    private final Map<String, Object> producer = new HashMap<>();
    private KafkaTopics topics = KafkaTopics.ofDefaults();
    private String node = "scanflux";
    private int maxPending = 100_000;
    private int maxInFlight = 10_000;
    private int scanBuffer = 8;
    private Duration beaconInterval = Duration.ofSeconds(1);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private boolean createTopics = true;
    private int partitions = 6;
    private Scheduler clock = Schedulers.parallel();

    private Builder(String bootstrapServers) {
      client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, Args.bootstrap(bootstrapServers));
    }

    /** The topic names (default {@link KafkaTopics#ofDefaults()}). */
    public Builder topics(KafkaTopics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /**
     * This node's name, unique among the nodes publishing to the same topics: it keys the
     * node's scans and beacons and names it in every record (default {@code scanflux}).
     */
    public Builder node(String node) {
      Objects.requireNonNull(node, "node");
      if (node.isBlank() || node.length() > 100) {
        throw new IllegalArgumentException("node must be 1 to 100 characters but was '" + node
            + "'");
      }
      this.node = node;
      return this;
    }

    /**
     * Keys (venue, instrument, kind) the buffer holds while the broker is slow or away, 1 to
     * 10,000,000 (default 100,000); a snapshot of a new key beyond it is dropped and counted.
     */
    public Builder maxPending(int keys) {
      this.maxPending = Args.range("maxPending", keys, 1, 10_000_000);
      return this;
    }

    /** Records handed to the producer and not yet acknowledged, 1 to 1,000,000 (default 10,000). */
    public Builder maxInFlight(int records) {
      this.maxInFlight = Args.range("maxInFlight", records, 1, 1_000_000);
      return this;
    }

    /** Scans buffered while the broker is slow, 1 to 1,000 (default 8); the oldest is lost beyond. */
    public Builder scanBuffer(int scans) {
      this.scanBuffer = Args.range("scanBuffer", scans, 1, 1_000);
      return this;
    }

    /** How often the node's beacon is published, 10 ms to 1 h (default 1 s). */
    public Builder beaconInterval(Duration interval) {
      this.beaconInterval = Args.duration("beaconInterval", interval);
      return this;
    }

    /** How long {@link #close()} waits for the broker, 10 ms to 1 h (default 5 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = Args.duration("closeTimeout", timeout);
      return this;
    }

    /**
     * Whether to create missing topics (default true): the snapshot and node topics compacted,
     * the scan topic with one partition, 1 h retention and room for {@value
     * TopicSetup#MAX_SCAN_BYTES} byte records; replication as the broker's default. Without it,
     * create them yourself as docs/kafka.md says.
     */
    public Builder createTopics(boolean create) {
      this.createTopics = create;
      return this;
    }

    /** Partitions of the snapshot topic when it is created, 1 to 10,000 (default 6). */
    public Builder partitions(int partitions) {
      this.partitions = Args.range("partitions", partitions, 1, 10_000);
      return this;
    }

    /**
     * A Kafka client setting for the producer and the topic setup, e.g. security settings.
     * Serializers, {@code enable.idempotence} and {@code acks} cannot be changed.
     *
     * @throws IllegalArgumentException for a setting the publisher owns
     */
    public Builder property(String name, Object value) {
      Args.property(name, value, List.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          ProducerConfig.ACKS_CONFIG), "publisher");
      producer.put(name, value);
      client.put(name, value); // the admin client ignores the producer's own settings
      return this;
    }

    /** The clock that dates beacons; use the scanner's scheduler (default {@link Schedulers#parallel()}). */
    public Builder clock(Scheduler clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the publisher; nothing connects until the first {@link KafkaPublisher#publish}. */
    public KafkaPublisher build() {
      Map<String, Object> props = new HashMap<>();
      props.put(ProducerConfig.CLIENT_ID_CONFIG, "scanflux-" + node);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicSetup.MAX_SCAN_BYTES);
      props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) closeTimeout.toMillis());
      // One produce request per broker at a time (each carries a batch for every partition):
      // with five, a loaded machine saw the 4.2 broker reject retried batches as out of
      // sequence until they expired.
      props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
      props.putAll(producer);
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      Properties clientCopy = new Properties();
      clientCopy.putAll(client);
      return new KafkaPublisher(new SendLoop(new SendLoop.Config(clientCopy, props, topics, node,
          maxPending, maxInFlight, scanBuffer, beaconInterval, closeTimeout, createTopics,
          partitions, clock)));
    }
  }
}
