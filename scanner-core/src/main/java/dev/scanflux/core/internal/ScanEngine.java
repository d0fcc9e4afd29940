package dev.scanflux.core.internal;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.UniverseFilter;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.MarketSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * The scan engine behind {@link Scanner}: one {@link VenueLane} per venue, each refreshing its
 * universe at its own pace, all merged into the view and the hot outputs.
 *
 * <p>A {@link Scan} is cut each time every venue has completed at least one pass since the
 * previous scan: it holds the latest snapshot per venue, instrument and kind received since then
 * (every polled item at least once; a streamed one if it changed) and each venue's report of
 * that period. Fast venues never wait for it: they go on refreshing, and their snapshots are
 * published as they arrive.
 *
 * <p>All outputs are fed from one serialized place ({@link #emit}), so the sinks are never
 * emitted to concurrently and the view sees each venue's snapshots in arrival order.
 */
public final class ScanEngine implements Scanner {

  private static final Logger log = LoggerFactory.getLogger(ScanEngine.class);

  /** A venue's source and options, as given to the builder. */
  public record Venue(MarketSource source, VenueOptions options) {
    /** Checks both are present. */
    public Venue {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(options, "options");
    }
  }

  private final List<MarketSource> sources;
  private final List<VenueLane> lanes;
  private final List<String> venueNames;
  private final long maxCycles;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final LatestView view;
  private final EngineClock clock;
  private final SafeListener listener;
  private final Sinks.Many<MarketSnapshot> snapshotSink =
      Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Scan> scanSink = Sinks.many().replay().latest();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong cycle = new AtomicLong();
  private volatile @Nullable Scan latest;
  private @Nullable Instant lastStamp;
  // written only from the serialized emit (onItem)
  private final Map<SnapshotKey, MarketSnapshot> sinceScan = new LinkedHashMap<>();
  private final Map<VenueLane, Long> passesSinceScan = new IdentityHashMap<>();
  private long scanStartNanos;
  private boolean ended;
  private volatile @Nullable Disposable streaming;
  private final AtomicInteger wip = new AtomicInteger();
  private final Queue<Object> pending = Queues.unboundedMultiproducer().get();

  /**
   * Builds the engine; {@link Scanner.Builder} has validated the arguments it owns, the lanes
   * validate the rest (resolved concurrency, book weight at the chosen depth).
   */
  public ScanEngine(List<Venue> venues, List<String> priority, UniverseFilter filter,
      Duration interval, Duration priorityRefresh,
      @Nullable Scheduler scheduler, long maxCycles, List<ScanListener> listeners) {
    this.listener = new SafeListener(listeners);
    this.maxCycles = maxCycles;
    this.ownsScheduler = scheduler == null;
    List<MarketSource> srcs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Venue v : venues) {
      srcs.add(v.source());
      names.add(v.source().venue());
    }
    this.sources = List.copyOf(srcs);
    this.venueNames = List.copyOf(names);
    Scheduler s = scheduler;
    if (s == null) {
      s = Schedulers.newParallel("scanflux", Math.max(2, Runtime.getRuntime().availableProcessors()),
          true);
    }
    this.scheduler = s;
    this.clock = new EngineClock(s);
    this.view = new LatestView(clock);
    try {
      List<VenueLane> built = new ArrayList<>();
      for (Venue v : venues) {
        String name = v.source().venue();
        built.add(new VenueLane(v.source(), v.options(), priority, priorityRefresh, interval,
            v.options().filter().orElse(filter), s, clock, listener,
            listed -> view.retain(name, listed)));
      }
      this.lanes = List.copyOf(built);
      for (VenueLane lane : lanes) {
        view.lane(lane);
      }
    } catch (RuntimeException e) {
      if (ownsScheduler) {
        s.dispose();
      }
      throw e;
    }
  }

  @Override
  public Scanner start() {
    if (closed.get()) {
      throw new IllegalStateException("scanner is closed");
    }
    if (!started.compareAndSet(false, true)) {
      return this;
    }
    scanStartNanos = clock.nanos();
    // streams run beside the lanes until the scanner ends; emit() serializes every output
    List<Flux<MarketSnapshot>> streams = new ArrayList<>();
    for (VenueLane lane : lanes) {
      if (lane.isStreamed()) {
        streams.add(lane.streamed().onErrorResume(e -> {
          log.error("{}: stream failed unexpectedly; the venue is polled only", lane.venue(), e);
          return Flux.empty();
        }));
      }
    }
    streaming = streams.isEmpty() ? null
        : Flux.merge(streams).subscribe(s -> emit(new Streamed(s)));
    // each lane starts on the scheduler, so start() returns at once
    for (VenueLane lane : lanes) {
      scheduler.schedule(() -> lane.start(this::emit));
    }
    if (closed.get()) { // close() raced with start(): do not leave anything running
      stopAll();
    }
    return this;
  }

  @Override
  public Flux<MarketSnapshot> snapshots() {
    return new FluxLatestPerKey<>(snapshotSink.asFlux(), SnapshotKey::of);
  }

  @Override
  public MarketView view() {
    return view;
  }

  @Override
  public Flux<Scan> scans() {
    return scanSink.asFlux().onBackpressureLatest();
  }

  @Override
  public Mono<Scan> latest() {
    return Mono.defer(() -> {
      Scan s = latest;
      return s != null ? Mono.just(s) : scanSink.asFlux().next();
    });
  }

  @Override
  public List<String> venues() {
    return venueNames;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      stopAll();
      for (VenueLane lane : lanes) {
        lane.close();
      }
      for (MarketSource source : sources) {
        try {
          source.close();
        } catch (RuntimeException e) {
          log.warn("{}: closing the source failed", source.venue(), e);
        }
      }
    } finally {
      try {
        complete();
      } catch (RuntimeException e) { // a subscriber still busy in an emission after 100 ms
        log.warn("closing: the outputs could not be completed", e);
      } finally {
        if (ownsScheduler) {
          scheduler.dispose();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Scanner{venues " + venueNames + ", cycle " + cycle.get()
        + (closed.get() ? ", closed}" : started.get() ? ", running}" : ", not started}");
  }

  /**
   * Serializes {@link #onItem} across the threads that deliver data (the cycle's merge, the
   * streams), without a lock: the thread that finds nobody at work handles the item at once, and
   * drains whatever others queued meanwhile, in order; the others only queue. As in Reactor's own
   * serialized sinks. Uncontended, it costs two atomic operations per item.
   */
  private void emit(Object item) {
    if (wip.get() == 0 && wip.compareAndSet(0, 1)) {
      onItem(item);
      if (wip.decrementAndGet() == 0) {
        return;
      }
    } else {
      pending.offer(item);
      if (wip.getAndIncrement() != 0) {
        return;
      }
    }
    int missed = 1;
    for (;;) {
      for (Object queued = pending.poll(); queued != null; queued = pending.poll()) {
        onItem(queued);
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /** Every output; called only through {@link #emit}, so never concurrently. */
  private void onItem(Object item) {
    if (ended) {
      return; // the last scan was published: nothing after it
    }
    if (item instanceof MarketSnapshot polled) {
      keep(publish(polled));
    } else if (item instanceof Streamed streamed) {
      keep(publish(streamed.snapshot()));
    } else if (item instanceof VenueLane.PassEnd pass) {
      passesSinceScan.merge(pass.lane(), 1L, Long::sum);
      if (passesSinceScan.size() == lanes.size()) {
        publishScan(scan());
        if (maxCycles > 0 && cycle.get() >= maxCycles) {
          ended = true;
          stopAll();
          complete();
        }
      }
    }
  }

  /** Keeps the latest snapshot per key since the previous scan, in arrival order. */
  private void keep(MarketSnapshot s) {
    SnapshotKey key = SnapshotKey.of(s);
    sinceScan.remove(key);
    sinceScan.put(key, s);
  }

  /** Stops every lane and stream: nothing more is requested or published. */
  private void stopAll() {
    for (VenueLane lane : lanes) {
      lane.stop();
    }
    Disposable st = streaming;
    if (st != null) {
      st.dispose();
    }
  }

  /** Publishes one snapshot everywhere; called only from the serialized merge. */
  private MarketSnapshot publish(MarketSnapshot arrived) {
    MarketSnapshot s = inOrder(arrived);
    view.put(s);
    if (!listener.isEmpty()) {
      listener.onSnapshot(s);
    }
    snapshotSink.tryEmitNext(s);
    return s;
  }

  /**
   * Keeps receive times in publication order: lanes stamp each answer as it arrives, on several
   * threads, so an answer merged after a later-stamped one takes that later time. Called only
   * from the serialized merge, so every output (and a recording of it) is in receive-time order.
   */
  private MarketSnapshot inOrder(MarketSnapshot s) {
    Instant last = lastStamp;
    if (last != null && s.receivedAt().isBefore(last)) {
      return s.withReceivedAt(last);
    }
    lastStamp = s.receivedAt();
    return s;
  }

  private Scan scan() {
    long n = cycle.incrementAndGet();
    List<MarketSnapshot> snapshots = new ArrayList<>(sinceScan.values());
    sinceScan.clear();
    passesSinceScan.clear();
    long end = clock.nanos();
    List<VenueReport> reports = new ArrayList<>(lanes.size());
    for (VenueLane lane : lanes) {
      reports.add(lane.report());
    }
    ScanReport report = new ScanReport(n, clock.instant(scanStartNanos),
        Duration.ofNanos(end - scanStartNanos), reports, listener.failures());
    scanStartNanos = end;
    return new Scan(clock.instant(end), snapshots, report);
  }

  private void publishScan(Scan scan) {
    latest = scan;
    listener.onScan(scan);
    scanSink.tryEmitNext(scan);
    log.debug("{}", scan.report());
  }

  private void complete() {
    Disposable st = streaming;
    if (st != null) {
      st.dispose(); // the scanner ended (maxCycles, or close()): so do the streams
    }
    // close() may race with a last emission from the merge: retry briefly instead of failing
    snapshotSink.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
    scanSink.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
  }

  /** A snapshot from a venue's push stream, as opposed to one polled. */
  private record Streamed(MarketSnapshot snapshot) {}

  /** Identity of a snapshot stream: venue, instrument and kind. */
  private record SnapshotKey(String venue, Object instrument, boolean book) {
    static SnapshotKey of(MarketSnapshot s) {
      return new SnapshotKey(s.venue(), s.instrument(), s instanceof BookSnapshot);
    }
  }
}
