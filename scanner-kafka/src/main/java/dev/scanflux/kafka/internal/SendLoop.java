package dev.scanflux.kafka.internal;

import dev.scanflux.core.Scan;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.SinkStats;
import dev.scanflux.core.alert.internal.WireJson;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordFormat;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.PublishFailure;
import dev.scanflux.kafka.PublishReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The publisher's engine. {@link #offer} runs on the scanner's threads and only puts the snapshot
 * in a buffer that keeps the latest per key (a short lock, never a wait); a thread of the loop's
 * own takes from the buffer, encodes and hands records to the Kafka producer, at most {@code
 * maxInFlight} unacknowledged at once; the producer's callbacks account for each record. While
 * the broker is away the producer stops acknowledging, the in-flight bound is reached, and the
 * buffer absorbs the scanner's output, one entry per key, so scanning never waits.
 */
public final class SendLoop {

  private static final Logger LOG = LoggerFactory.getLogger(SendLoop.class);
  private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);
  /** Alert events buffered while the broker is slow or away; the oldest is dropped beyond. */
  public static final int ALERT_BUFFER = 1_000;

  /** The loop's settings. */
  public record Config(Properties client, Map<String, Object> producer, KafkaTopics topics,
      String node, int maxPending, int maxInFlight, int scanBuffer, Duration beaconInterval,
      Duration closeTimeout, boolean createTopics, int partitions, Scheduler clock) {}

  private final Config config;
  private final byte[] node;
  private final Object lock = new Object();
  private final LinkedHashMap<String, MarketSnapshot> pending = new LinkedHashMap<>();
  private final ArrayDeque<Scan> scans = new ArrayDeque<>();
  private final ArrayDeque<AlertEvent> alerts = new ArrayDeque<>();
  private final Map<String, MarketSnapshot> lastSent = new ConcurrentHashMap<>();
  private final Set<String> venues = new LinkedHashSet<>();
  private final Sinks.Many<PublishFailure> failures = Sinks.many().multicast().directBestEffort();
  private final Thread thread;

  // guarded by lock
  private long offered;
  private long published;
  private long superseded;
  private long dropped;
  private long failed;
  private int inFlight;
  private long scansPublished;
  private long scansLost;
  private long alertsPublished;
  private long alertsFailed;
  private long alertsDropped;
  private @Nullable String lastError;
  private boolean closing;
  private boolean producerClosed;
  private boolean failing;

  public SendLoop(Config config) {
    this.config = config;
    this.node = config.node().getBytes(StandardCharsets.UTF_8);
    this.thread = new Thread(this::run, "scanflux-kafka-publisher-" + config.node());
    this.thread.setDaemon(true);
  }

  /** Starts the sending thread. */
  public void start() {
    thread.start();
  }

  /** Adds venues to those the node's beacon announces. */
  public void announce(List<String> names) {
    synchronized (lock) {
      venues.addAll(names);
    }
  }

  /** Buffers a snapshot, replacing an unsent older one of its key. Never waits. */
  public void offer(MarketSnapshot s) {
    String key = Records.key(s);
    synchronized (lock) {
      offered++;
      if (closing) {
        dropped++;
        return;
      }
      if (pending.size() >= config.maxPending() && !pending.containsKey(key)) {
        dropped++;
        lastError = "buffer full: " + config.maxPending() + " keys waiting, " + key + " dropped";
        return;
      }
      if (pending.put(key, s) != null) {
        superseded++;
      } else if (pending.size() == 1) {
        lock.notifyAll();
      }
    }
  }

  /** Buffers a scan; the oldest buffered scan is lost when the scan buffer is full. */
  public void offer(Scan scan) {
    synchronized (lock) {
      scansLost += enqueue(scans, scan, config.scanBuffer(), "scan");
    }
  }

  /** Buffers an alert event; the oldest buffered one is dropped beyond {@link #ALERT_BUFFER}. */
  public void offer(AlertEvent event) {
    synchronized (lock) {
      alertsDropped += enqueue(alerts, event, ALERT_BUFFER, "alert");
    }
  }

  /**
   * Adds to a bounded queue (under the lock), dropping its oldest beyond {@code limit}, or drops
   * the item when closing.
   *
   * @return how many items were dropped: 0 or 1
   */
  private <T> int enqueue(ArrayDeque<T> queue, T item, int limit, String what) {
    if (closing) {
      return 1;
    }
    int lost = 0;
    if (queue.size() >= limit) {
      queue.pollFirst();
      lost = 1;
      lastError = what + " buffer full: " + limit + " waiting";
    }
    queue.addLast(item);
    lock.notifyAll();
    return lost;
  }

  /** The alert events' delivery, as an alert sink reports it. */
  public SinkStats alertStats() {
    synchronized (lock) {
      return new SinkStats("kafka", alertsPublished, 0, alertsFailed, 0, alertsDropped, 0,
          alerts.size(), lastError == null ? "" : lastError);
    }
  }

  /** Every failed record, as it fails; hot, and a subscriber without demand misses some. */
  public Flux<PublishFailure> failures() {
    return failures.asFlux();
  }

  /** The counts so far. */
  public PublishReport report() {
    synchronized (lock) {
      return new PublishReport(offered, published, superseded, dropped, failed, pending.size(),
          inFlight, scansPublished, scansLost, alertsPublished, alertsFailed + alertsDropped,
          lastError);
    }
  }

  /**
   * Stops: sends what is buffered, a last beacon saying the node stopped, and waits up to the
   * close timeout for acknowledgements; what is still unsent then is counted as dropped. Blocks
   * the caller for at most about twice the close timeout.
   */
  public void close() {
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
      lock.notifyAll();
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join(config.closeTimeout().multipliedBy(2).plusSeconds(1).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      dropped += pending.size();
      pending.clear();
      scansLost += scans.size();
      scans.clear();
      alertsDropped += alerts.size();
      alerts.clear();
    }
    synchronized (failures) {
      failures.tryEmitComplete();
    }
  }

  private void run() {
    if (config.createTopics() && !createTopics()) {
      return;
    }
    Producer<String, byte[]> producer = new KafkaProducer<>(producerConfig(),
        new StringSerializer(), new ByteArraySerializer());
    RecordFormat format = RecordFormat.create();
    long nextBeacon = 0;
    List<MarketSnapshot> batch = new ArrayList<>();
    List<Scan> scanBatch = new ArrayList<>();
    List<AlertEvent> alertBatch = new ArrayList<>();
    try {
      while (true) {
        boolean stop;
        synchronized (lock) {
          long now = nowMillis();
          while (!closing && now < nextBeacon && scans.isEmpty() && alerts.isEmpty()
              && (pending.isEmpty() || inFlight >= config.maxInFlight())) {
            lock.wait(Math.max(1, nextBeacon - now));
            now = nowMillis();
          }
          stop = closing;
          take(batch, scanBatch, stop);
          alertBatch.addAll(alerts);
          alerts.clear();
        }
        sendAlerts(producer, alertBatch);
        send(producer, format, batch, scanBatch);
        if (stop) {
          beacon(producer, false);
          break;
        }
        long now = nowMillis();
        if (now >= nextBeacon) {
          beacon(producer, true);
          nextBeacon = now + config.beaconInterval().toMillis();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Kafka publisher for node {} stopped on an unexpected error", config.node(), e);
      synchronized (lock) {
        lastError = describe(e);
      }
    } finally {
      producer.close(config.closeTimeout());
      synchronized (lock) {
        producerClosed = true;
      }
    }
  }

  /** Takes what may be sent now: every scan, and snapshots up to the in-flight bound. */
  private void take(List<MarketSnapshot> batch, List<Scan> scanBatch, boolean all) {
    scanBatch.addAll(scans);
    scans.clear();
    int room = all ? pending.size() : Math.max(0, config.maxInFlight() - inFlight);
    Iterator<MarketSnapshot> it = pending.values().iterator();
    while (room-- > 0 && it.hasNext()) {
      batch.add(it.next());
      it.remove();
    }
    inFlight += batch.size();
  }

  private void send(Producer<String, byte[]> producer, RecordFormat format,
      List<MarketSnapshot> batch, List<Scan> scanBatch) {
    for (Scan scan : scanBatch) {
      byte[] value;
      try {
        value = format.encode(scan);
      } catch (RuntimeException e) {
        scanFailed(config.node(), e);
        continue;
      }
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(config.topics().scans(), config.node(), value);
      Records.stamp(record.headers(), node);
      sendScan(producer, record);
    }
    scanBatch.clear();
    for (MarketSnapshot s : batch) {
      String key = Records.key(s);
      byte[] value;
      try {
        value = format.encode(s);
      } catch (RuntimeException e) {
        synchronized (lock) {
          inFlight--;
          dropped++;
          lastError = describe(e);
        }
        emit(new PublishFailure(config.topics().snapshots(), key, describe(e),
            PublishFailure.Outcome.LOST));
        continue;
      }
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(config.topics().snapshots(), key, value);
      Records.stamp(record.headers(), node);
      lastSent.put(key, s);
      try {
        producer.send(record, (meta, error) -> acknowledged(key, s, error));
      } catch (RuntimeException e) { // e.g. a record too large, or the producer failed fatally
        acknowledged(key, s, e);
      }
    }
    batch.clear();
  }

  /** Sends alert events as the webhook's JSON, keyed by alert id so an alert's events keep order. */
  private void sendAlerts(Producer<String, byte[]> producer, List<AlertEvent> batch) {
    for (AlertEvent e : batch) {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.topics().alerts(),
          e.alert().id(), WireJson.webhook(e).getBytes(StandardCharsets.UTF_8));
      Records.stamp(record.headers(), node);
      try {
        producer.send(record, (meta, error) -> alertSent(e, error));
      } catch (RuntimeException ex) {
        alertSent(e, ex);
      }
    }
    batch.clear();
  }

  private void alertSent(AlertEvent e, @Nullable Exception error) {
    synchronized (lock) {
      if (error == null) {
        alertsPublished++;
        return;
      }
      alertsFailed++;
      lastError = describe(error);
    }
    emit(new PublishFailure(config.topics().alerts(), e.alert().id(), describe(error),
        PublishFailure.Outcome.LOST));
  }

  private void sendScan(Producer<String, byte[]> producer, ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record, (meta, error) -> {
        if (error != null) {
          scanFailed(record.key(), error);
        } else {
          synchronized (lock) {
            scansPublished++;
          }
        }
      });
    } catch (RuntimeException e) {
      scanFailed(record.key(), e);
    }
  }

  private void scanFailed(String key, Throwable error) {
    synchronized (lock) {
      scansLost++;
      lastError = describe(error);
    }
    emit(new PublishFailure(config.topics().scans(), key, describe(error),
        PublishFailure.Outcome.LOST));
  }

  /** The producer's callback for a snapshot (on its I/O thread), or a send that threw. */
  private void acknowledged(String key, MarketSnapshot s, @Nullable Exception error) {
    PublishFailure.Outcome outcome;
    synchronized (lock) {
      inFlight--;
      if (error == null) {
        published++;
        if (failing) {
          failing = false;
          LOG.info("Kafka publisher for node {} delivers again", config.node());
        }
        lock.notifyAll();
        return;
      }
      failed++;
      lastError = describe(error);
      if (!failing) {
        failing = true;
        LOG.warn("Kafka publisher for node {} cannot deliver; buffering the latest snapshot per"
            + " key until the broker is back: {}", config.node(), lastError);
      }
      if (closing || producerClosed || !(error instanceof RetriableException)) {
        dropped++; // closed, or an error that sending again cannot cure (too large, forbidden)
        outcome = PublishFailure.Outcome.LOST;
      } else if (lastSent.get(key) != s || pending.containsKey(key)) {
        superseded++;
        outcome = PublishFailure.Outcome.SUPERSEDED;
      } else {
        pending.put(key, s);
        outcome = PublishFailure.Outcome.RETRIED;
      }
      lock.notifyAll();
    }
    emit(new PublishFailure(config.topics().snapshots(), key, describe(error), outcome));
  }

  private void beacon(Producer<String, byte[]> producer, boolean running) {
    List<String> names;
    synchronized (lock) {
      names = List.copyOf(venues);
    }
    byte[] value = new Beacon(config.node(), names, running, Instant.ofEpochMilli(nowMillis()))
        .encode();
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(config.topics().nodes(), config.node(), value);
    Records.stamp(record.headers(), node);
    try {
      producer.send(record, (meta, error) -> {
        if (error != null) {
          synchronized (lock) {
            lastError = describe(error);
          }
        }
      });
    } catch (RuntimeException e) {
      synchronized (lock) {
        lastError = describe(e);
      }
    }
  }

  /** Creates the topics, retrying while the broker is away; false if closed meanwhile. */
  private boolean createTopics() {
    while (true) {
      try {
        TopicSetup.ensure(config.client(), config.topics(), config.partitions(),
            config.closeTimeout());
        return true;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return false;
        }
        synchronized (lock) {
          lastError = describe(e);
          LOG.warn("Kafka publisher for node {} cannot create its topics yet: {}", config.node(),
              lastError);
          try {
            long until = nowMillis() + TOPIC_RETRY.toMillis();
            while (!closing && nowMillis() < until) {
              lock.wait(Math.max(1, until - nowMillis()));
            }
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
          }
          if (closing) {
            producerClosed = true;
            return false;
          }
        }
      }
    }
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> props = new java.util.HashMap<>();
    config.client().forEach((k, v) -> props.put(k.toString(), v));
    props.putAll(config.producer());
    return props;
  }

  private void emit(PublishFailure failure) {
    synchronized (failures) {
      failures.tryEmitNext(failure);
    }
  }

  private long nowMillis() {
    return config.clock().now(TimeUnit.MILLISECONDS);
  }

  private static String describe(Throwable e) {
    Throwable t = e.getCause() != null && e instanceof java.util.concurrent.ExecutionException
        ? e.getCause() : e;
    return t.getMessage() == null ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
