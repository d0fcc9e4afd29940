package dev.scanflux.kafka;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.kafka.internal.Args;
import dev.scanflux.kafka.internal.FeedLoop;
import dev.scanflux.kafka.internal.FeedView;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Scanner} read from Kafka: what the scanner nodes publishing to the topics (with a
 * {@link KafkaPublisher}) found, in another process, with the same outputs and contracts, so
 * strategies run on it unchanged.
 *
 * <pre>{@code
 * try (MarketFeed feed = MarketFeed.builder("broker1:9092").build().start()) {
 *   feed.caughtUp().block(Duration.ofSeconds(30));     // the latest view is in
 *   feed.scans().transform(strategy).subscribe(signal -> ...);
 *   Optional<BookSnapshot> btc = feed.view().book("okx", Instrument.parse("BTC/USDT"),
 *       Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <h2>What it shows</h2>
 * <ul>
 *   <li>{@link #view()}: the latest snapshot per venue, instrument and kind. A feed that starts
 *       late reads the compacted snapshot topic from its beginning, so it has the latest view at
 *       once ({@link #caughtUp()} says when), then every update as it is published.
 *   <li>{@link #snapshots()}: every snapshot read, backlog included; a subscriber without demand
 *       gets, when it asks again, only the latest per venue, instrument and kind it missed.
 *   <li>{@link #scans()}, {@link #latest()}: every node's completed scans (each covers that
 *       node's venues), the newest one first at once; a slow subscriber skips to the newest.
 *   <li>{@link #nodes()}, {@link #health}: which nodes publish which venues and whether they
 *       are live; a venue whose node stopped or went silent is stale in every feed.
 * </ul>
 *
 * <h2>Threading</h2>
 * A thread of the feed's own owns the Kafka consumer: it polls, decodes and validates every
 * record (an invalid one is skipped and counted in {@link #report()}, never emitted), updates the
 * view and emits every output, serially. Subscribers with unbounded demand run on it and must be
 * quick; a slow one should say so with its demand ({@code publishOn(scheduler, 16)}). Reads of the
 * view never lock. No consumer group is used: every feed reads every partition, and nothing is
 * committed.
 *
 * <h2>Lifecycle</h2>
 * Nothing connects until {@link #start()}; the feed waits for the topics to exist. {@link
 * #close()} stops the thread, closes the consumer and completes every output.
 */
public final class MarketFeed implements Scanner {

  private final FeedLoop loop;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private MarketFeed(FeedLoop loop) {
    this.loop = loop;
  }

  /**
   * A builder for a feed from the given brokers.
   *
   * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
   * @return a new builder; not thread-safe
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Starts reading; calling it again has no effect.
   *
   * @throws IllegalStateException if the feed is closed
   */
  @Override
  public MarketFeed start() {
    if (closed.get()) {
      throw new IllegalStateException("the feed is closed");
    }
    if (started.compareAndSet(false, true)) {
      loop.start();
    }
    return this;
  }

  /**
   * Every snapshot read, the topic's backlog first, then each one as it is published; hot. A
   * subscriber without demand gets, when it asks again, only the latest snapshot per venue,
   * instrument and kind it missed. Completes on {@link #close()}.
   */
  @Override
  public Flux<MarketSnapshot> snapshots() {
    return loop.snapshots();
  }

  /** The latest snapshot per venue, instrument and kind read so far; reads never lock. */
  @Override
  public MarketView view() {
    return loop.view();
  }

  /**
   * Every node's completed scans; hot. A subscriber first gets the latest scan published (if
   * any), then each new one; a slow subscriber skips to the newest. Completes on {@link
   * #close()}.
   */
  @Override
  public Flux<Scan> scans() {
    return loop.scans();
  }

  /**
   * The latest published scan: at once if the feed has read one, otherwise the first to arrive;
   * completes empty if the feed closes first.
   */
  @Override
  public Mono<Scan> latest() {
    return loop.latest();
  }

  /** The venues any node announced or any snapshot named so far, sorted by name. */
  @Override
  public List<String> venues() {
    return loop.venues();
  }

  /**
   * Completes once the feed has read the snapshot and node topics as far as they reached when
   * it started, so its view holds the latest snapshot of every key; completes at once after
   * {@link #close()}.
   */
  public Mono<Void> caughtUp() {
    return loop.caughtUp();
  }

  /** Every node whose beacon the feed has read, by name. */
  public List<NodeStatus> nodes() {
    return loop.nodes();
  }

  /**
   * How fresh the latest book (or, without one, ticker) of a venue and instrument is, and
   * whether its node is live; empty when the feed has neither.
   */
  public Optional<RemoteHealth> health(String venue, Instrument instrument) {
    return loop.health(venue, instrument);
  }

  /** What the feed has read so far, and what it skipped. */
  public FeedReport report() {
    return loop.report();
  }

  /** Stops reading and completes every output; idempotent. Waits for the poll thread up to 10 s. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      loop.close();
    }
  }

  /** Configures a {@link MarketFeed}; setters validate at once. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> consumer = new HashMap<>();
    private KafkaTopics topics = KafkaTopics.ofDefaults();
    private Duration staleAfter = Duration.ofSeconds(5);
    private Scheduler clock = Schedulers.parallel();

    private Builder(String bootstrapServers) {
      consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Args.bootstrap(bootstrapServers));
    }

    /** The topic names (default {@link KafkaTopics#ofDefaults()}). */
    public Builder topics(KafkaTopics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /**
     * How long a node may be silent, or a snapshot old, before {@link MarketFeed#health} calls
     * it stale: 10 ms to 1 h (default 5 s). Make it a few of the nodes' beacon intervals.
     */
    public Builder staleAfter(Duration staleAfter) {
      this.staleAfter = Args.duration("staleAfter", staleAfter);
      return this;
    }

    /** The feed's clock, the reference for every age (default {@link Schedulers#parallel()}). */
    public Builder clock(Scheduler clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A Kafka consumer setting, e.g. security settings. Deserializers, {@code group.id} and
     * {@code enable.auto.commit} cannot be changed.
     *
     * @throws IllegalArgumentException for a setting the feed owns
     */
    public Builder property(String name, Object value) {
      Args.property(name, value, List.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG,
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG), "feed");
      consumer.put(name, value);
      return this;
    }

    /** Builds the feed; nothing connects until {@link MarketFeed#start()}. */
    public MarketFeed build() {
      Map<String, Object> props = new HashMap<>();
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, "scanflux-feed");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      props.putAll(consumer);
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      return new MarketFeed(new FeedLoop(new FeedLoop.Config(props, topics, staleAfter,
          new FeedView(clock))));
    }
  }
}
