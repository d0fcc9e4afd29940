package dev.scanflux.bench;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.kafka.KafkaPublisher;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.LocalKafka;
import dev.scanflux.kafka.MarketFeed;
import dev.scanflux.kafka.PublishReport;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.openjdk.jol.info.GraphLayout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Kafka in real time, broker included: scanner-kafka's in-process broker ({@link LocalKafka},
 * KRaft, one node on loopback), a {@link KafkaPublisher} and a {@link MarketFeed}, all in this
 * JVM, on the machine's cores. Three figures:
 *
 * <ul>
 *   <li><b>throughput</b>: {@link #BOOKS} distinct {@link #LEVELS}-level books (10 venues, every
 *       instrument on each) offered to the publisher at once; the time until the broker
 *       acknowledged them all, and until a feed (started before, caught up) read them all:
 *       snapshots per second through publish to feed;
 *   <li><b>latency</b>: a scanner on a streamed venue of the simulator ({@link #STREAMED}
 *       instruments, books and tickers changed every {@link #TICK}) publishing to Kafka, with a
 *       strategy subscribed to the scanner in process and another to a feed, each on its own
 *       thread ({@code publishOn}); both measure from the engine stamping a snapshot on arrival
 *       to the strategy, on the scanner's clock, over the same {@link #MEASURE} after a {@link
 *       #WARM_UP};
 *   <li><b>heap</b>: the JOL deep size of the throughput feed's view (its two maps, as {@link
 *       HeapFigure} measures the in-process view), beside the in-process view of the same books.
 * </ul>
 *
 * <pre>
 * mvn -B -ntp -pl scanner-benchmarks -am package -DskipTests
 * java -jar scanner-benchmarks/target/benchmarks.jar kafka   # prints, and rewrites its section
 * </pre>
 */
final class KafkaCheck {

  static final int VENUES = 10;
  static final int BOOKS = 100_000;
  static final int LEVELS = 20;
  static final int STREAMED = 50;
  static final Duration TICK = Duration.ofMillis(100);
  static final Duration WARM_UP = Duration.ofSeconds(6);
  static final Duration MEASURE = Duration.ofSeconds(10);
  static final Duration BOUND = Duration.ofMinutes(3);
  static final int CORES = Runtime.getRuntime().availableProcessors();

  /**
   * The figures.
   *
   * @param offeredPerSecond   books per second put into the publisher's buffer
   * @param ackedPerSecond     books per second acknowledged by the broker
   * @param feedPerSecond      books per second read by the feed (publish to feed)
   * @param feedBytes          deep size of the feed's view of the {@link #BOOKS} books
   * @param localBytes         deep size of the in-process view of as many books
   * @param localPerSecond     snapshots per second the in-process strategy received
   * @param remotePerSecond    snapshots per second the feed's strategy received
   * @param localP50Us         arrival to in-process strategy, median (µs)
   * @param localP99Us         its 99th percentile (µs)
   * @param remoteP50Ms        arrival to the feed's strategy, median (ms)
   * @param remoteP99Ms        its 99th percentile (ms)
   * @param remoteMaxMs        its largest (ms)
   * @param superseded         snapshots the publisher superseded during the latency run
   * @param dropped            snapshots it dropped during the whole run
   * @param loadStart          the system load average at the start
   * @param loadEnd            the system load average at the end
   */
  record Result(double offeredPerSecond, double ackedPerSecond, double feedPerSecond,
      long feedBytes, long localBytes, double localPerSecond, double remotePerSecond,
      double localP50Us, double localP99Us, double remoteP50Ms, double remoteP99Ms,
      double remoteMaxMs, long superseded, long dropped, double loadStart, double loadEnd) {

    private String heapComparison() {
      double pct = feedBytes * 100.0 / localBytes - 100;
      return Math.abs(pct) < 1 ? "the heap of the in-process view of the same books (within 1 %)"
          : String.format(Locale.ROOT, "%.0f %% %s heap than the in-process view of the same"
              + " books", Math.abs(pct), pct > 0 ? "more" : "less");
    }

    /** The section of BENCHMARKS.md. */
    String markdown(String date) {
      StringBuilder md = new StringBuilder();
      md.append("\n## Kafka: publish to feed\n\n")
          .append("Measured with `java -jar scanner-benchmarks/target/benchmarks.jar kafka` on ")
          .append(date).append(" (`KafkaCheck`; method in [docs/benchmarks.md]"
              + "(docs/benchmarks.md#kafka-publish-to-feed)). The broker (Kafka 4.2, KRaft, one"
              + " node on loopback), the publisher, the feed and the scanner all run in one JVM"
              + " on the same ").append(CORES).append(" cores; system load average ")
          .append(String.format(Locale.ROOT, "%.1f at the start, %.1f at the end", loadStart,
              loadEnd))
          .append(" (other work shares the machine). Publisher defaults"
              + " (`acks=all`, idempotent, lz4, `linger.ms` 5, one request in flight per"
              + " broker); feed defaults.\n\n")
          .append("| measure | figure | in process |\n|---|---|---|\n")
          .append(String.format(Locale.ROOT, "| throughput: %,d distinct %d-level books offered"
                  + " at once, until a feed read them all | %,.0f snapshots/s (acknowledged by"
                  + " the broker: %,.0f/s; into the publisher's buffer: %,.0f/s) | see"
                  + " Pipeline: millions/s |%n", BOOKS, LEVELS, feedPerSecond, ackedPerSecond,
              offeredPerSecond))
          .append(String.format(Locale.ROOT, "| latency: a streamed venue (%d instruments, books"
                  + " and tickers every %d ms), engine arrival to strategy, p50 / p99 (max) |"
                  + " %.1f / %.1f ms (%.0f ms), %,.0f snapshots/s received | %.0f / %.0f µs,"
                  + " %,.0f snapshots/s received |%n", STREAMED, TICK.toMillis(), remoteP50Ms,
              remoteP99Ms, remoteMaxMs, remotePerSecond, localP50Us, localP99Us,
              localPerSecond))
          .append(String.format(Locale.ROOT, "| heap of the view, %,d books of %d levels"
                  + " (%d venues) | %.1f MB (%.2f MB per 1,000) | %.1f MB (%.2f MB per 1,000)"
                  + " |%n", BOOKS, LEVELS, VENUES, feedBytes / 1e6, feedBytes / 1e6 / (BOOKS
                  / 1000.0), localBytes / 1e6, localBytes / 1e6 / (BOOKS / 1000.0)))
          .append(String.format(Locale.ROOT, "%nDuring the latency run the publisher"
              + " superseded %,d snapshots (a newer one of the same key came before the broker"
              + " took the older: the feed never sees those, by design) and dropped %,d in the"
              + " whole run.%n", superseded, dropped))
          .append(String.format(Locale.ROOT, "%nRead: a node offers snapshots to its publisher"
                  + " at %,.0f/s without waiting, and a feed reads them at %,.0f/s here (each a"
                  + " 20-level book of about 1 KB of JSON, lz4 on the wire). The hop through"
                  + " Kafka adds about %.0f ms at the median: the publisher's batching"
                  + " (`linger.ms` 5), the broker's `acks=all` acknowledgement, the feed's fetch"
                  + " and decoding. A feed's view takes %s.", offeredPerSecond, feedPerSecond,
              remoteP50Ms - localP50Us / 1e3, heapComparison()));
      if (Math.max(loadStart, loadEnd) > CORES) {
        md.append(String.format(Locale.ROOT, " The load average exceeded the %d cores, so the"
                + " tails are mostly threads waiting for a core — in process too, p99 is %.0f ms"
                + " against a median of %.0f µs; measure the tails on an idle machine before"
                + " sizing on them.", CORES, localP99Us / 1e3, localP50Us));
      }
      return md.append('\n').toString();
    }
  }

  private KafkaCheck() {}

  /** Runs the three measurements on one broker. */
  static Result run() throws Exception {
    double loadBefore = load();
    try (LocalKafka kafka = LocalKafka.start()) {
      Throughput t = throughput(kafka.bootstrap());
      long localBytes = HeapFigure.measure(VENUES, BOOKS / VENUES, LEVELS, 1).lastBytes();
      Latency l = latency(kafka.bootstrap());
      Result r = new Result(t.offered, t.acked, t.read, t.feedBytes, localBytes, l.localRate,
          l.remoteRate, l.localP50Us, l.localP99Us, l.remoteP50Ms, l.remoteP99Ms, l.remoteMaxMs,
          l.superseded, t.dropped + l.dropped, loadBefore, load());
      System.out.println(r);
      return r;
    }
  }

  private record Throughput(double offered, double acked, double read, long feedBytes,
      long dropped) {}

  private static Throughput throughput(String bootstrap) throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("throughput");
    try (KafkaPublisher publisher = KafkaPublisher.builder(bootstrap).topics(topics)
        .maxPending(BOOKS).node("bench").build()) {
      Sinks.Many<MarketSnapshot> sink = Sinks.many().unicast().onBackpressureBuffer();
      publisher.publish(sink.asFlux(), Flux.<Scan>never());
      for (int i = 0; i < 2_000; i++) { // warm-up; creates the topics
        sink.tryEmitNext(book(i));
      }
      await("the warm-up acknowledged", () -> settled(publisher.report()) >= 2_000);
      try (MarketFeed feed = MarketFeed.builder(bootstrap).topics(topics).build().start()) {
        feed.caughtUp().block(BOUND);
        long read0 = feed.report().snapshots();
        long settled0 = settled(publisher.report());
        long start = System.nanoTime();
        for (int i = 0; i < BOOKS; i++) {
          sink.tryEmitNext(book(i));
        }
        long offered = System.nanoTime() - start;
        await("every book acknowledged", () -> settled(publisher.report()) >= settled0 + BOOKS);
        long acked = System.nanoTime() - start;
        await("every book read", () -> feed.report().snapshots() >= read0 + BOOKS);
        long read = System.nanoTime() - start;
        long bytes = GraphLayout.parseInstance(HeapFigure.contents(feed.view())).totalSize();
        return new Throughput(BOOKS / (offered / 1e9), BOOKS / (acked / 1e9),
            BOOKS / (read / 1e9), bytes, publisher.report().dropped());
      }
    }
  }

  /** Acknowledged or superseded: no longer the publisher's to send. */
  private static long settled(PublishReport r) {
    return r.published() + r.superseded();
  }

  private static BookSnapshot book(int key) {
    // every instrument on every venue, as in a real universe (and in HeapFigure's)
    BookSnapshot.Builder b = BookSnapshot.builder("venue" + (key % VENUES),
        Instrument.spot("C" + key / VENUES, "USDT"));
    double mid = 100 + key % 977;
    for (int l = 0; l < LEVELS; l++) {
      b.bid(mid - 0.01 * (l + 1), 1 + l).ask(mid + 0.01 * (l + 1), 2 + l);
    }
    return b.receivedAt(Instant.now()).build();
  }

  private record Latency(double localRate, double remoteRate, double localP50Us,
      double localP99Us, double remoteP50Ms, double remoteP99Ms, double remoteMaxMs,
      long superseded, long dropped) {}

  private static Latency latency(String bootstrap) throws Exception {
    KafkaTopics topics = KafkaTopics.prefixed("latency");
    Scheduler localThread = Schedulers.newSingle("local-strategy", true);
    Scheduler remoteThread = Schedulers.newSingle("remote-strategy", true);
    try (VenueSimulator sim = StreamCheck.simulator(SimulatedVenue.OKX, STREAMED, TICK);
        Scanner scanner = StreamCheck.streamed(SimulatedVenue.OKX, sim).build();
        KafkaPublisher publisher = KafkaPublisher.builder(bootstrap).topics(topics)
            .node("bench").build();
        MarketFeed feed = MarketFeed.builder(bootstrap).topics(topics).build()) {
      MarketView clock = scanner.view(); // both sides measure on the scanner's clock
      Ages local = new Ages();
      Ages remote = new Ages();
      publisher.publish(scanner);
      Disposable l = scanner.snapshots().publishOn(localThread, 256)
          .subscribe(s -> local.seen(s, clock));
      scanner.start();
      feed.start();
      Disposable r = feed.snapshots().publishOn(remoteThread, 256)
          .subscribe(s -> remote.seen(s, clock));
      StreamCheck.pause(WARM_UP);
      long superseded0 = publisher.report().superseded();
      local.measuring = true;
      remote.measuring = true;
      long t0 = System.nanoTime();
      StreamCheck.pause(MEASURE);
      local.measuring = false;
      remote.measuring = false;
      double seconds = (System.nanoTime() - t0) / 1e9;
      l.dispose();
      r.dispose();
      long[] loc = local.sorted();
      long[] rem = remote.sorted();
      return new Latency(loc.length / seconds, rem.length / seconds,
          StreamCheck.Probe.pct(loc, 0.50) / 1e3, StreamCheck.Probe.pct(loc, 0.99) / 1e3,
          StreamCheck.Probe.pct(rem, 0.50) / 1e6, StreamCheck.Probe.pct(rem, 0.99) / 1e6,
          rem.length == 0 ? Double.NaN : rem[rem.length - 1] / 1e6,
          publisher.report().superseded() - superseded0, publisher.report().dropped());
    } finally {
      localThread.dispose();
      remoteThread.dispose();
    }
  }

  /** Ages of snapshots at a strategy, from their arrival, while measuring. */
  private static final class Ages {
    volatile boolean measuring;
    private long[] nanos = new long[1 << 14];
    private int n;

    synchronized void seen(MarketSnapshot s, MarketView clock) {
      if (!measuring) {
        return;
      }
      if (n == nanos.length) {
        nanos = Arrays.copyOf(nanos, n * 2);
      }
      nanos[n++] = Duration.between(s.receivedAt(), clock.now()).toNanos();
    }

    synchronized long[] sorted() {
      long[] out = Arrays.copyOf(nanos, n);
      Arrays.sort(out);
      return out;
    }
  }

  private static void await(String what, BooleanSupplier done) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not done within " + BOUND + ": " + what);
      }
      StreamCheck.pause(Duration.ofMillis(1));
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
