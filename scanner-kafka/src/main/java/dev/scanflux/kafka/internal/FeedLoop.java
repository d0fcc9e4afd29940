package dev.scanflux.kafka.internal;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.InvalidRecordException;
import dev.scanflux.core.replay.RecordFormat;
import dev.scanflux.kafka.FeedReport;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.NodeStatus;
import dev.scanflux.kafka.RemoteHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The feed's engine: one thread of its own owns the Kafka consumer (which is not thread-safe),
 * polls, decodes, updates the view and emits into the sinks, so every emission is serial. Every
 * consumer reads every partition (no group): the snapshot and node topics from their beginning,
 * so a late joiner rebuilds the latest view from the compacted topic, the scan topic from its last
 * record, so {@code latest()} has the newest scan at once.
 */
public final class FeedLoop {

  private static final Logger LOG = LoggerFactory.getLogger(FeedLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration RETRY = Duration.ofMillis(500);

  /** The loop's settings. */
  public record Config(Map<String, Object> consumer, KafkaTopics topics, Duration staleAfter,
      FeedView view) {}

  private final Config config;
  private final FeedView view;
  private final Sinks.Many<MarketSnapshot> snapshotSink =
      Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Scan> scanSink = Sinks.many().replay().latest();
  private final Sinks.Empty<Void> caughtUp = Sinks.empty();
  private final Map<String, Beacon> beacons = new ConcurrentHashMap<>();
  private final Map<String, String> venueNodes = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile @Nullable Scan latest;
  private volatile boolean closed;
  private volatile @Nullable Consumer<byte[], byte[]> consumer;

  // written by the poll thread only; read racily for reports
  private volatile long snapshots;
  private volatile long scans;
  private volatile long beaconCount;
  private volatile long removed;
  private volatile long invalid;
  private volatile @Nullable String lastError;

  public FeedLoop(Config config) {
    this.config = config;
    this.view = config.view();
    view.healthFrom(this::health);
    this.thread = new Thread(this::run, "scanflux-kafka-feed");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public FeedView view() {
    return view;
  }

  public Flux<MarketSnapshot> snapshots() {
    return LatestPerKey.of(snapshotSink.asFlux(), Records::key);
  }

  public Flux<Scan> scans() {
    return scanSink.asFlux().onBackpressureLatest();
  }

  public Mono<Scan> latest() {
    return Mono.defer(() -> {
      Scan s = latest;
      return s != null ? Mono.just(s) : scanSink.asFlux().next();
    });
  }

  public Mono<Void> caughtUp() {
    return caughtUp.asMono();
  }

  /** Venues named by any node's beacon or by any snapshot, sorted. */
  public List<String> venues() {
    TreeSet<String> names = new TreeSet<>(venueNodes.keySet());
    beacons.values().forEach(b -> names.addAll(b.venues()));
    return List.copyOf(names);
  }

  public List<NodeStatus> nodes() {
    List<NodeStatus> out = new ArrayList<>();
    for (Beacon b : beacons.values()) {
      out.add(new NodeStatus(b.node(), b.venues(), state(b), b.at()));
    }
    out.sort(java.util.Comparator.comparing(NodeStatus::node));
    return out;
  }

  public Optional<RemoteHealth> health(String venue, Instrument instrument) {
    Optional<? extends MarketSnapshot> s = view.book(venue, instrument);
    if (s.isEmpty()) {
      s = view.ticker(venue, instrument);
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Duration age = s.get().ageAt(view.now());
    String node = venueNodes.get(venue);
    Beacon b = node == null ? null : beacons.get(node);
    NodeStatus.State state = b == null ? NodeStatus.State.SILENT : state(b);
    return Optional.of(new RemoteHealth(age, node, state,
        state != NodeStatus.State.LIVE || age.compareTo(config.staleAfter()) > 0));
  }

  public FeedReport report() {
    return new FeedReport(snapshots, scans, beaconCount, removed, invalid, lastError);
  }

  /** Stops the poll thread, which completes every output; waits for it up to 10 s. */
  public void close() {
    closed = true;
    Consumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (!thread.isAlive()) {
      complete();
    }
  }

  private NodeStatus.State state(Beacon b) {
    if (!b.running()) {
      return NodeStatus.State.STOPPED;
    }
    return Duration.between(b.at(), view.now()).compareTo(config.staleAfter()) > 0
        ? NodeStatus.State.SILENT : NodeStatus.State.LIVE;
  }

  private void run() {
    Map<String, Object> props = new HashMap<>(config.consumer());
    try (Consumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer = c;
      if (closed) {
        return;
      }
      Map<TopicPartition, Long> target = assign(c);
      RecordFormat format = RecordFormat.create();
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
          dispatch(r, format);
        }
        if (target != null && caught(c, target)) {
          target = null;
          caughtUp.tryEmitEmpty();
        }
      }
    } catch (WakeupException e) {
      // close() woke the consumer: done
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Kafka feed stopped on an unexpected error", e);
      lastError = e.toString();
    } finally {
      complete();
    }
  }

  private void complete() {
    caughtUp.tryEmitEmpty();
    snapshotSink.tryEmitComplete();
    scanSink.tryEmitComplete();
  }

  /**
   * Assigns every partition of the snapshot, scan and node topics, waiting until they exist;
   * seeks the snapshot and node topics to their beginning and the scan topic to its last record.
   *
   * @return the end offsets to reach before the feed has caught up
   */
  private Map<TopicPartition, Long> assign(Consumer<byte[], byte[]> c)
      throws InterruptedException {
    KafkaTopics t = config.topics();
    while (true) {
      List<TopicPartition> snapshot = partitions(c, t.snapshots());
      List<TopicPartition> scan = partitions(c, t.scans());
      List<TopicPartition> node = partitions(c, t.nodes());
      if (!snapshot.isEmpty() && !scan.isEmpty() && !node.isEmpty()) {
        List<TopicPartition> all = new ArrayList<>(snapshot);
        all.addAll(scan);
        all.addAll(node);
        c.assign(all);
        List<TopicPartition> fromStart = new ArrayList<>(snapshot);
        fromStart.addAll(node);
        c.seekToBeginning(fromStart);
        Map<TopicPartition, Long> begin = c.beginningOffsets(scan);
        c.endOffsets(scan).forEach((p, end) -> c.seek(p, Math.max(begin.get(p), end - 1)));
        return new HashMap<>(c.endOffsets(fromStart));
      }
      if (closed) {
        throw new WakeupException();
      }
      Thread.sleep(RETRY.toMillis()); // our own thread: waiting for the topics to be created
    }
  }

  private static List<TopicPartition> partitions(Consumer<byte[], byte[]> c, String topic) {
    List<TopicPartition> out = new ArrayList<>();
    try {
      Collection<PartitionInfo> infos = c.partitionsFor(topic);
      if (infos != null) {
        infos.forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
      }
    } catch (org.apache.kafka.common.errors.TimeoutException
        | org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
      // not there yet
    }
    return out;
  }

  private static boolean caught(Consumer<byte[], byte[]> c, Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> r, RecordFormat format) {
    KafkaTopics t = config.topics();
    try {
      if (r.topic().equals(t.nodes())) {
        if (r.value() != null) {
          Beacon b = Beacon.decode(r.value());
          beacons.put(b.node(), b);
          beaconCount++;
        }
        return;
      }
      if (r.value() == null) {
        if (r.topic().equals(t.snapshots())) {
          tombstone(r);
        }
        return;
      }
      RecordFormat.checkVersion(Records.version(r.headers()));
      if (r.topic().equals(t.snapshots())) {
        MarketSnapshot s = format.decodeSnapshot(r.value());
        String node = Records.node(r.headers());
        if (node != null) {
          venueNodes.put(s.venue(), node);
        }
        view.put(s);
        snapshots++;
        snapshotSink.tryEmitNext(s);
      } else if (r.topic().equals(t.scans())) {
        Scan scan = format.decodeScan(r.value());
        latest = scan;
        scans++;
        scanSink.tryEmitNext(scan);
      }
    } catch (InvalidRecordException | IllegalArgumentException e) {
      invalid++;
      lastError = r.topic() + " partition " + r.partition() + " offset " + r.offset() + ": "
          + e.getMessage();
      if (invalid == 1 || Long.bitCount(invalid) == 1) { // the 1st, 2nd, 4th, 8th, ...
        LOG.warn("Kafka feed skipped an invalid record ({} so far): {}", invalid, lastError);
      }
    }
  }

  private void tombstone(ConsumerRecord<byte[], byte[]> r) {
    String key = r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
    int first = key.indexOf('|');
    int last = key.lastIndexOf('|');
    if (first <= 0 || last <= first) {
      throw new IllegalArgumentException("a tombstone's key must be venue|instrument|kind but was '"
          + key + "'");
    }
    view.remove(key.substring(0, first), Instrument.parse(key.substring(first + 1, last)),
        key.substring(last + 1).equals("book"));
    removed++;
  }
}
