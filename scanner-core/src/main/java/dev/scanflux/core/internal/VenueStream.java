package dev.scanflux.core.internal;

import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One venue's push stream as the engine runs it: connected for the lane's current universe,
 * reconnected with backoff and jitter whenever it fails, and watched per instrument.
 *
 * <p>It tells the lane which instruments the stream keeps <em>live</em> (an update within
 * {@code staleAfter}, and no resync since), so the lane polls only the others: everything while
 * the stream is down, the resyncing or stale instruments otherwise. A connection that delivers
 * nothing for {@code staleAfter} counts as dropped and is reconnected.
 *
 * <p>Thread-safety: the liveness maps are concurrent (written by the stream, read by cycles);
 * the counters are adders drained once per scan.
 */
final class VenueStream implements StreamContext {

  private static final Logger log = LoggerFactory.getLogger(VenueStream.class);

  private final MarketStream stream;
  private final String venue;
  private final VenueOptions options;
  private final Scheduler scheduler;
  private final EngineClock clock;
  private final SafeListener listener;
  private final VenueLane lane;
  private final long staleNanos;
  private final Sinks.Many<List<Instrument>> universes = Sinks.many().replay().latest();
  private final Sinks.Many<Instrument> resyncs = Sinks.many().multicast().directBestEffort();
  // last update of each live book and ticker; absent: not live
  private final Map<Key, Long> updatedAt = new ConcurrentHashMap<>();
  // subscribed on the open connection but not delivered yet: since when (or since last asked)
  private final Map<Key, Long> waiting = new ConcurrentHashMap<>();
  private final Set<Instrument> resyncingBooks = ConcurrentHashMap.newKeySet();
  private final LongAdder updates = new LongAdder();
  private final LongAdder connects = new LongAdder();
  private final LongAdder disconnects = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder polled = new LongAdder();
  private final Map<ResyncCause, LongAdder> resynced = new EnumMap<>(ResyncCause.class);
  private volatile boolean connected;
  private volatile Set<Instrument> known = Set.of();

  VenueStream(MarketStream stream, VenueOptions options, Scheduler scheduler, EngineClock clock,
      SafeListener listener, VenueLane lane) {
    this.lane = lane;
    this.stream = stream;
    this.venue = stream.venue();
    this.options = options;
    this.scheduler = scheduler;
    this.clock = clock;
    this.listener = listener;
    this.staleNanos = options.staleAfter().toNanos();
    for (ResyncCause c : ResyncCause.values()) {
      resynced.put(c, new LongAdder());
    }
  }

  /** The lane's universe changed (or was first known): the stream reconnects for it. */
  void universe(List<Instrument> instruments) {
    known = Set.copyOf(instruments);
    universes.tryEmitNext(instruments);
  }

  /** True if the stream keeps this instrument's book live, so it need not be polled. */
  boolean bookLive(Instrument instrument) {
    return live(new Key(instrument, true));
  }

  /** True if the stream keeps this instrument's ticker live, so it need not be polled. */
  boolean tickerLive(Instrument instrument) {
    return live(new Key(instrument, false));
  }

  /** True if the stream keeps the ticker of every one of these instruments live. */
  boolean allTickersLive(Set<Instrument> instruments) {
    if (instruments.isEmpty()) {
      return false;
    }
    for (Instrument i : instruments) {
      if (!tickerLive(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * True if the connection is up but this instrument's book is being rebuilt: resynced, gone
   * stale, or not delivered since the connection opened.
   */
  boolean resyncing(Instrument instrument) {
    Key key = new Key(instrument, true);
    return connected && !live(key) && (resyncingBooks.contains(instrument)
        || waiting.containsKey(key));
  }

  @Override
  public Flux<Instrument> resyncs() {
    return resyncs.asFlux();
  }

  @Override
  public <T> Mono<T> request(RequestKind kind, int depth, Supplier<Mono<T>> call) {
    return lane.streamRequest(kind, depth, call);
  }

  /** Counts fetches polled because the stream did not cover them. */
  void polled(int fetches) {
    polled.add(fetches);
  }

  /**
   * The stream's valid snapshots, stamped on arrival, for as long as it is subscribed: it waits
   * for the first universe, reconnects for every new one, and never errors or completes. Under
   * backpressure it keeps the latest snapshot per instrument and kind.
   */
  Flux<MarketSnapshot> snapshots() {
    Flux<MarketSnapshot> connections = universes.asFlux()
        .filter(list -> !list.isEmpty())
        .switchMap(this::connectForever);
    Flux<MarketSnapshot> watchdog = Flux.interval(watchPeriod(), scheduler)
        .handle((tick, sink) -> watch());
    return new FluxLatestPerKey<>(Flux.merge(connections, watchdog), Key::of);
  }

  /** This cycle's counts and the state now; resets the counts. */
  StreamReport drain() {
    long now = clock.nanos();
    Map<ResyncCause, Long> byCause = new EnumMap<>(ResyncCause.class);
    resynced.forEach((c, n) -> byCause.put(c, n.sumThenReset()));
    return new StreamReport(connected ? StreamReport.State.CONNECTED : StreamReport.State.DOWN,
        count(true, now), count(false, now), updates.sumThenReset(),
        connects.sumThenReset(), disconnects.sumThenReset(), byCause, rejected.sumThenReset(),
        polled.sumThenReset());
  }

  /** Closes the stream; its connections were cancelled with the engine's subscription. */
  void close() {
    universes.tryEmitComplete();
    try {
      stream.close();
    } catch (RuntimeException e) {
      log.warn("{}: closing the stream failed", venue, e);
    }
  }

  private Flux<MarketSnapshot> connectForever(List<Instrument> instruments) {
    StreamRequest request = new StreamRequest(instruments, options.depth(), options.books(),
        options.tickers());
    return Flux.defer(() -> stream.connect(request, this))
        .doOnNext(e -> {
          if (e instanceof StreamEvent.Connected) {
            long now = clock.nanos();
            waiting.clear();
            for (Instrument i : instruments) {
              if (options.books()) {
                waiting.put(new Key(i, true), now);
              }
              if (options.tickers()) {
                waiting.put(new Key(i, false), now);
              }
            }
          }
        })
        .timeout(options.staleAfter(), scheduler) // an idle connection is a dead one
        .concatMap(this::accept)
        .concatWith(Mono.error(() -> new IllegalStateException("the venue ended the stream")))
        .doOnError(this::dropped)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, options.reconnectFirst())
            .maxBackoff(options.reconnectMax())
            .jitter(0.5)
            .transientErrors(true) // back to the first pause once a connection delivered
            .scheduler(scheduler));
  }

  private Mono<MarketSnapshot> accept(StreamEvent event) {
    if (event instanceof StreamEvent.Update u) {
      return Mono.justOrEmpty(update(u.snapshot()));
    }
    if (event instanceof StreamEvent.Resync r) {
      updatedAt.remove(new Key(r.instrument(), true));
      resyncingBooks.add(r.instrument());
      resynced.get(r.cause()).increment();
      lane.wake(); // poll it meanwhile
      transition(StreamTransition.Type.RESYNC, r.instrument(), r.cause(), r.detail());
    } else if (event instanceof StreamEvent.Rejected r) {
      rejected.increment();
      transition(StreamTransition.Type.REJECTED, null, null, r.detail());
    } else {
      connected = true;
      connects.increment();
      transition(StreamTransition.Type.CONNECTED, null, null, "subscribed");
    }
    return Mono.empty();
  }

  private @Nullable MarketSnapshot update(MarketSnapshot s) {
    if (!venue.equals(s.venue())) {
      return reject("snapshot claims venue '" + s.venue() + "'");
    }
    if (!known.contains(s.instrument())) {
      return reject("update for " + s.instrument() + ", which this scanner does not follow");
    }
    long now = clock.nanos();
    Key key = Key.of(s);
    updatedAt.put(key, now);
    if (key.book() && !resyncingBooks.isEmpty()) {
      resyncingBooks.remove(key.instrument());
    }
    if (!waiting.isEmpty()) {
      waiting.remove(key);
    }
    updates.increment();
    return s.withReceivedAt(clock.instant(now));
  }

  private @Nullable MarketSnapshot reject(String detail) {
    rejected.increment();
    transition(StreamTransition.Type.REJECTED, null, null, detail);
    return null;
  }

  private void dropped(Throwable thrown) {
    Throwable e = Exceptions.unwrap(thrown);
    String why = e instanceof TimeoutException
        ? "no message for " + options.staleAfter()
        : String.valueOf(e.getMessage() == null ? e : e.getMessage());
    boolean was = connected;
    connected = false;
    updatedAt.clear();
    waiting.clear();
    resyncingBooks.clear();
    disconnects.increment();
    transition(StreamTransition.Type.DISCONNECTED, null, null, why);
    lane.wake(); // everything is polled until it is back
    if (was) {
      log.warn("{}: stream disconnected ({}); polling until it is back", venue, why);
    } else {
      log.debug("{}: stream connection failed ({})", venue, why);
    }
  }

  /**
   * Marks instruments without a recent update stale and asks the stream to rebuild them, and
   * asks again, every {@code staleAfter}, for those the connection never delivered at all (a
   * lost snapshot, a refused subscription), which are polled meanwhile.
   */
  private void watch() {
    long now = clock.nanos();
    for (Map.Entry<Key, Long> w : waiting.entrySet()) {
      if (now - w.getValue() >= staleNanos && waiting.replace(w.getKey(), w.getValue(), now)) {
        stale(w.getKey().instrument(), "no " + w.getKey().what()
            + " since the connection opened, " + options.staleAfter() + " or more ago");
      }
    }
    for (Map.Entry<Key, Long> u : updatedAt.entrySet()) {
      if (now - u.getValue() >= staleNanos && updatedAt.remove(u.getKey(), u.getValue())) {
        stale(u.getKey().instrument(), "no " + u.getKey().what() + " update for "
            + options.staleAfter());
      }
    }
  }

  private void stale(Instrument instrument, String detail) {
    resyncingBooks.add(instrument);
    resynced.get(ResyncCause.STALE).increment();
    transition(StreamTransition.Type.RESYNC, instrument, ResyncCause.STALE, detail);
    resyncs.tryEmitNext(instrument);
    lane.wake();
  }

  private void transition(StreamTransition.Type type, @Nullable Instrument instrument,
      @Nullable ResyncCause cause, String detail) {
    if (type == StreamTransition.Type.RESYNC || type == StreamTransition.Type.REJECTED) {
      log.debug("{}: stream {} {}: {}", venue, type, instrument == null ? "" : instrument,
          detail);
    }
    if (!listener.isEmpty()) {
      listener.onStreamTransition(
          new StreamTransition(venue, type, instrument, cause, detail, clock.instant()));
    }
  }

  private boolean live(Key key) {
    Long t = updatedAt.get(key);
    return t != null && clock.nanos() - t < staleNanos;
  }

  private int count(boolean books, long now) {
    int n = 0;
    for (Map.Entry<Key, Long> u : updatedAt.entrySet()) {
      if (u.getKey().book() == books && now - u.getValue() < staleNanos) {
        n++;
      }
    }
    return n;
  }

  private Duration watchPeriod() {
    return options.staleAfter().dividedBy(4);
  }

  /** Identity of a streamed snapshot for conflation: instrument and kind. */
  private record Key(Instrument instrument, boolean book) {
    static Key of(MarketSnapshot s) {
      return new Key(s.instrument(), s instanceof BookSnapshot);
    }

    String what() {
      return book ? "book" : "ticker";
    }
  }
}
