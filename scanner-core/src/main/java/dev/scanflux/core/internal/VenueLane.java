package dev.scanflux.core.internal;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.PassEvent;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.UniverseFilter;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One venue's part of the scan: its universe, its gate, and a refresh loop that runs at the
 * venue's own pace, whatever the other venues do.
 *
 * <p>At each free slot of the venue's budget the loop asks its {@link RefreshPlan} what to fetch
 * next (a due retry, a due priority item, else the ordinary item fetched longest ago), and
 * fetches it through the venue's {@link VenueGate}. Slots are paced evenly across the rate
 * limit's window (the weight of a request times {@code (window + round trip) / budget}), so the
 * budget is never spent in a burst that leaves the venue idle for the rest of a long window;
 * the gate still guarantees that no window ever holds more than the budget, and its pause after
 * a throttle stops the whole venue. Only one request at a time waits for admission, and it is
 * chosen just before it asks, so the choice is never older than one slot.
 *
 * <p>Every request is timed out, classified on failure and counted, a cancelled one too
 * ({@link RequestEvent#cancelled()}). A failed item backs off on its own: a transient or
 * throttled one is retried after its backoff (at most {@code maxRetries} times per pass),
 * others wait their turn again, later each time. A lane never
 * signals an error: every failure ends as a count in its {@link CycleStats} and a log line.
 *
 * <p>It emits, through the consumer given to {@link #start}, every valid snapshot as it arrives
 * and a {@link PassEnd} each time every item of its universe has been refreshed once since the
 * previous one.
 */
final class VenueLane {

  private static final Logger log = LoggerFactory.getLogger(VenueLane.class);
  /** Requests one drain may start before it yields its thread (a synchronous source). */
  private static final int MAX_STARTS_PER_STEP = 64;

  /** The end of one of this venue's passes, emitted after the pass's snapshots. */
  record PassEnd(VenueLane lane, RefreshPlan.Pass pass) {}

  private final MarketSource source;
  private final VenueOptions options;
  private final String venue;
  private final RateLimitSpec limit;
  private final int concurrency;
  private final List<String> priority;
  private final Scheduler scheduler;
  private final VenueGate gate;
  private final Retry retry;
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final SafeListener listener;
  private final EngineClock clock;
  private final UniverseFilter filter;
  private final Consumer<Set<Instrument>> onUniverse;
  private final long priorityRefreshNanos;
  private final long minPassNanos;
  private final RefreshPlan plan;
  private final boolean bulk;
  private final Predicate<RefreshPlan.Item> live;
  private final AtomicInteger wip = new AtomicInteger();
  private final Disposable.Composite running = Disposables.composite();
  private long discoveredAtNanos;
  private boolean volumeWarned;

  private volatile @Nullable List<Instrument> universe;
  private volatile Set<Instrument> known = Set.of();
  private volatile boolean rediscover;
  private final @Nullable VenueStream stream;
  // the counts since the last scan; swapped by report()
  private volatile CycleStats period;
  private volatile @Nullable Consumer<Object> out;
  private volatile boolean stopped;
  private volatile long roundTripNanos; // smoothed, for pacing
  private volatile long lastPassNanos;
  // owned by the drain loop
  private long nextSlotAt = Long.MIN_VALUE;
  private boolean discovering;
  private long discoveryDueAt = Long.MIN_VALUE;
  private int discoveryFailures;
  private volatile boolean acquiring;
  private @Nullable Disposable timer;
  private long timerAt = Long.MAX_VALUE;

  VenueLane(MarketSource source, VenueOptions options, List<String> priority,
      Duration defaultPriorityRefresh, Duration interval, UniverseFilter filter,
      Scheduler scheduler, EngineClock clock, SafeListener listener,
      Consumer<Set<Instrument>> onUniverse) {
    this.onUniverse = onUniverse;
    this.clock = clock;
    this.filter = filter;
    this.listener = listener;
    this.source = source;
    this.options = options;
    this.venue = source.venue();
    this.limit = options.rateLimit().orElseGet(source::rateLimit);
    this.concurrency = options.concurrency().orElse(source.defaultConcurrency());
    if (concurrency < 1 || concurrency > VenueOptions.MAX_CONCURRENCY) {
      throw new IllegalArgumentException("venue '" + venue + "': concurrency must be in [1, "
          + VenueOptions.MAX_CONCURRENCY + "] but was " + concurrency);
    }
    limit.weight(RequestKind.BOOK, options.depth()); // fails now if the depth has no weight
    this.priority = priority;
    this.scheduler = scheduler;
    int ordinary = Math.max(limit.weight(RequestKind.BOOK, options.depth()),
        limit.weight(RequestKind.TICKER, options.depth()));
    if (options.priorityReserve() > limit.budget() - ordinary) {
      throw new IllegalArgumentException("venue '" + venue + "': priorityReserve must be in [0, "
          + (limit.budget() - ordinary) + "] (the budget less the heaviest ordinary request) "
          + "but was " + options.priorityReserve());
    }
    this.gate = new VenueGate(limit, concurrency, options.priorityReserve(), scheduler);
    this.retry = Retry.backoff(options.retry().maxRetries(), options.retry().firstBackoff())
        .maxBackoff(options.retry().maxBackoff())
        .jitter(options.retry().jitter())
        .scheduler(scheduler)
        .filter(e -> e instanceof TransientSourceException || e instanceof ThrottledException)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure());
    this.priorityRefreshNanos =
        options.priorityRefresh().orElse(defaultPriorityRefresh).toNanos();
    this.bulk = options.tickers() && source.hasBulkTickers();
    this.period = new CycleStats(venue, clock.nanos());
    this.plan = new RefreshPlan(priorityRefreshNanos, interval.toNanos(),
        options.retry().maxRetries(), this::backoffNanos, clock.nanos());
    this.stream = streamOf(source, options, scheduler, clock, listener, this);
    this.minPassNanos = stream == null ? 0 : options.streamCycle().toNanos();
    VenueStream s = stream;
    this.live = s == null ? it -> false : it -> it.kind() == RequestKind.BOOK
        ? s.bookLive(it.instrument()) : it.kind() == RequestKind.TICKER
        ? s.tickerLive(it.instrument()) : s.allTickersLive(known);
    options.instruments().ifPresent(fixed -> setUniverse(order(fixed)));
  }

  private static @Nullable VenueStream streamOf(MarketSource source, VenueOptions options,
      Scheduler scheduler, EngineClock clock, SafeListener listener, VenueLane lane) {
    if (!options.stream()) {
      return null;
    }
    Optional<MarketStream> offered = source.stream();
    if (offered.isEmpty()) {
      log.warn("{}: streaming is on but the source has no stream; polling only", source.venue());
      return null;
    }
    if (!offered.get().venue().equals(source.venue())) {
      throw new IllegalArgumentException("venue '" + source.venue() + "': its stream is named '"
          + offered.get().venue() + "'");
    }
    return new VenueStream(offered.get(), options, scheduler, clock, listener, lane);
  }

  /**
   * A REST request a stream needs (a snapshot to sync deltas on): admitted by the gate ahead of
   * ordinary requests, timed out, classified, never retried, and counted in the period running
   * when it ends; cancelled (its connection replaced meanwhile), it is counted as cancelled.
   */
  <T> Mono<T> streamRequest(RequestKind kind, int depth, Supplier<Mono<T>> call) {
    return Mono.defer(() -> {
      int weight = limit.weight(kind, depth);
      Fetch f = new Fetch(kind, null, true);
      return gate.acquire(weight, true).flatMap(permit -> attempt(permit, weight, f, 1,
          plan::passes, () -> period, call, Function.identity()));
    }).onErrorMap(IllegalArgumentException.class, e -> new PermanentSourceException(venue,
        "stream's " + kind + " request: " + e.getMessage(), e));
  }

  /** True if the venue's push stream is used. */
  boolean isStreamed() {
    return stream != null;
  }

  /** The venue's streamed snapshots, never ending; empty if the venue is not streamed. */
  reactor.core.publisher.Flux<MarketSnapshot> streamed() {
    return stream == null ? reactor.core.publisher.Flux.empty() : stream.snapshots();
  }

  String venue() {
    return venue;
  }

  RateLimitSpec limit() {
    return limit;
  }

  int concurrency() {
    return concurrency;
  }

  VenueGate gate() {
    return gate;
  }

  /**
   * Starts the refresh loop; snapshots and pass ends go to {@code out}, from the threads that
   * deliver them (the caller serializes).
   */
  void start(Consumer<Object> out) {
    this.out = out;
    drain();
  }

  /** Wakes the loop: something it waits for may have changed (a stream dropped, say). */
  void wake() {
    if (out != null) {
      drain();
    }
  }

  /** Stops the loop: cancels in-flight requests and the timer; sends nothing more. */
  void stop() {
    stopped = true;
    gate.stopAdmitting();
    running.dispose();
    synchronized (this) {
      if (timer != null) {
        timer.dispose();
        timer = null;
      }
    }
  }

  /** This venue's counts since the previous call, and what it is doing now. */
  VenueReport report() {
    CycleStats ended = period;
    period = new CycleStats(venue, clock.nanos());
    ended.universe(known.size(), false);
    return ended.report(clock.nanos(), limit.budget(), limit.window().toNanos(),
        Duration.ofNanos(lastPassNanos), stream == null ? StreamReport.OFF : stream.drain());
  }

  /** The instruments scanned now, priority first. */
  List<Instrument> instruments() {
    List<Instrument> u = universe;
    return u == null ? List.of() : u;
  }

  /** Progress of the current pass: items refreshed of all, as {refreshed, total}. */
  synchronized int[] progress() {
    int total = plan.size();
    return new int[] {total - plan.pending(), total};
  }

  /** The health of one instrument's book (its ticker where books are off), if it is scanned. */
  @Nullable BookHealth health(Instrument instrument, @Nullable Instant updatedAt, Instant now) {
    RequestKind kind = options.books() ? RequestKind.BOOK
        : bulk ? RequestKind.TICKERS : RequestKind.TICKER;
    RefreshPlan.Item it;
    int failures;
    @Nullable ErrorClass lastError;
    boolean prio;
    synchronized (this) {
      it = plan.item(kind, kind == RequestKind.TICKERS ? null : instrument);
      if (it == null || !known.contains(instrument)) {
        return null;
      }
      failures = it.failures();
      lastError = it.lastError();
      prio = it.priority();
    }
    Duration age = updatedAt == null ? null : Duration.between(updatedAt, now);
    VenueStream s = stream;
    boolean streamedNow = s != null && (options.books() ? s.bookLive(instrument)
        : s.tickerLive(instrument));
    BookHealth.Origin origin = streamedNow ? BookHealth.Origin.STREAM : BookHealth.Origin.POLL;
    BookHealth.State state;
    if (streamedNow) {
      state = BookHealth.State.LIVE;
    } else if (failures > 0) {
      state = BookHealth.State.FAILING;
    } else if (s != null && s.resyncing(instrument)) {
      state = BookHealth.State.RESYNCING;
    } else if (age == null || age.toNanos() > staleAfterNanos(prio)) {
      state = BookHealth.State.STALE;
    } else {
      state = BookHealth.State.LIVE;
    }
    return new BookHealth(venue, instrument, prio, origin, state, age, updatedAt, lastError,
        failures);
  }

  /** A polled book is stale when older than twice its expected refresh period, plus a timeout. */
  private long staleAfterNanos(boolean prio) {
    long period = prio ? priorityRefreshNanos : Math.max(lastPassNanos, intervalNanos());
    return 2 * Math.max(period, TimeUnit.SECONDS.toNanos(1)) + options.requestTimeout().toNanos();
  }

  private long intervalNanos() {
    return plan.intervalNanos();
  }

  void close() {
    stop();
    gate.close();
    if (stream != null) {
      stream.close();
    }
  }

  // ---- the refresh loop ----

  /** Runs {@link #step} until nothing more can start now; any thread, never concurrently. */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      boolean yielded;
      try {
        yielded = step();
      } catch (RuntimeException e) { // a bug: log, and try again in a second rather than spin
        log.error("{}: the refresh loop failed; it resumes in 1 s", venue, e);
        wakeAt(clock.nanos() + TimeUnit.SECONDS.toNanos(1), clock.nanos());
        yielded = false;
      }
      if (yielded) {
        // a synchronous source completed requests inside the step: give the thread back and go
        // on from a timer (after this reset, so no drain() in between is lost)
        wip.set(0);
        wakeAt(clock.nanos(), clock.nanos());
        return;
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  /** Starts what can start now; true if it stopped early to yield the thread. */
  private boolean step() {
    Consumer<Object> sink = out;
    if (stopped || sink == null) {
      return false;
    }
    long now = clock.nanos();
    if (!discovering && needsDiscovery(now)) {
      discover(now);
    }
    // a priority item is taken up to one book's slot early, so its gap is not a slot longer
    long slotNanos = paceNanos(limit.weight(RequestKind.BOOK, options.depth()));
    for (int started = 0; !stopped; started++) {
      endPassIfDone(now, sink); // each time round: answers may arrive synchronously
      if (acquiring || universe == null) {
        if (universe == null && discoveryDueAt != Long.MIN_VALUE) {
          // a failed first discovery: nothing else will drain this lane, so its retry's timer
          wakeAt(Math.max(discoveryDueAt, now), now);
        }
        return false; // admission, or discovery's end (or its retry timer), drains again
      }
      if (started == MAX_STARTS_PER_STEP) { // a source answering synchronously
        return true;
      }
      if (now < nextSlotAt) {
        wakeAt(nextSlotAt, now);
        return false;
      }
      RefreshPlan.Item it;
      long due;
      synchronized (this) {
        it = plan.next(now, slotNanos, live);
        due = it == null ? plan.nextDue(now, live) : 0;
        if (it == null && plan.pending() == 0) {
          due = Math.min(due, plan.passStart() + minPassNanos);
        }
      }
      if (it == null) {
        if (stream != null) { // liveness also ends with time: look again at least each second
          due = Math.min(due, now + TimeUnit.SECONDS.toNanos(1));
        }
        if (discoveryDueAt != Long.MIN_VALUE) {
          due = Math.min(due, discoveryDueAt);
        }
        if (due != Long.MAX_VALUE) {
          wakeAt(Math.max(due, now), now);
        }
        return false;
      }
      // a slot taken late (a timer fires a little late on a busy machine) keeps the schedule,
      // within one slot: lateness is not lost for good, and never turns into a burst
      long pace = paceNanos(it.weight());
      nextSlotAt = Math.max(now - pace, nextSlotAt) + pace;
      fetch(it);
      now = clock.nanos();
    }
    return false;
  }

  private void endPassIfDone(long now, Consumer<Object> sink) {
    RefreshPlan.Pass ended;
    synchronized (this) {
      if (stream != null) {
        plan.sweepLive(live);
      }
      ended = universe == null ? null : plan.endPass(now, minPassNanos);
    }
    if (ended != null) {
      passEnded(ended, sink);
    }
  }

  private void passEnded(RefreshPlan.Pass p, Consumer<Object> sink) {
    lastPassNanos = p.endNanos() - p.startNanos();
    period.passEnded(p.gaveUp());
    if (p.gaveUp() > 0) {
      log.warn("{}: pass {} ended with {} of {} items not refreshed (failing; each backs off)",
          venue, p.number(), p.gaveUp(), p.items());
    }
    if (!listener.isEmpty()) {
      listener.onPass(new PassEvent(venue, p.number(), clock.instant(p.startNanos()),
          Duration.ofNanos(p.endNanos() - p.startNanos()), p.items(), p.gaveUp()));
    }
    sink.accept(new PassEnd(this, p));
  }

  /** Smooths the round trip the pacing allows for: an average that rises fast, falls slowly. */
  private void roundTrip(long nanos) {
    long old = roundTripNanos;
    roundTripNanos = nanos > old ? (old + nanos) / 2 : old - (old - nanos) / 16;
  }

  /** The pacing of one request of this weight: its share of the window, round trip included. */
  private long paceNanos(int weight) {
    return (limit.window().toNanos() + roundTripNanos) * weight / limit.budget();
  }

  private void wakeAt(long at, long now) {
    synchronized (this) {
      if (stopped || (timer != null && timerAt <= at)) {
        return;
      }
      if (timer != null) {
        timer.dispose();
      }
      timerAt = at;
      try {
        timer = scheduler.schedule(this::onTimer, Math.max(0, at - now), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        timer = null;
        timerAt = Long.MAX_VALUE;
      }
    }
  }

  private void onTimer() {
    synchronized (this) {
      timer = null;
      timerAt = Long.MAX_VALUE;
    }
    drain();
  }

  private void fetch(RefreshPlan.Item it) {
    Fetch f = new Fetch(it.kind(), it.instrument(), it.priority() || it.kind() == RequestKind.TICKERS);
    Set<Instrument> scanned = known;
    Supplier<Mono<List<MarketSnapshot>>> call = switch (f.kind) {
      case BOOK -> () -> source.book(instrument(f), options.depth()).map(List::of);
      case TICKER -> () -> source.ticker(instrument(f)).map(List::of);
      default -> () -> source.tickers().map(List::<MarketSnapshot>copyOf);
    };
    boolean isRetry = RefreshPlan.isRetry(it);
    int attemptNo = isRetry ? 2 : 1;
    long pass = plan.passes() + 1;
    if (stream != null) {
      stream.polled(1);
    }
    acquiring = true;
    Disposable.Swap self = Disposables.swap();
    running.add(self);
    self.update(gate.acquire(it.weight(), f.priority)
        .doOnNext(permit -> {
          acquiring = false;
          drain(); // the next slot may start while this request runs
        })
        .flatMap(permit -> attempt(permit, it.weight(), f, attemptNo, () -> pass,
            () -> period, call, result -> accept(f, result, scanned)))
        .doFinally(signal -> running.remove(self))
        .subscribe(result -> succeeded(it, result), e -> failed(it, e),
            () -> { }));
  }

  private void succeeded(RefreshPlan.Item it, List<MarketSnapshot> result) {
    consecutiveFailures.set(0);
    Consumer<Object> sink = out;
    if (sink != null && !stopped) {
      for (MarketSnapshot s : result) {
        sink.accept(s); // before the plan counts it, so a pass's end follows its snapshots
      }
    }
    synchronized (this) {
      plan.succeeded(it, clock.nanos());
    }
    drain();
  }

  private void failed(RefreshPlan.Item it, Throwable e) {
    acquiring = false;
    if (stopped) {
      synchronized (this) {
        plan.cancelled(it);
      }
      return;
    }
    SourceException failure;
    if (e instanceof SourceException counted) {
      failure = counted; // the attempt counted and logged it
    } else { // refused before it was sent (a weight the gate can never admit, say)
      failure = classify(e, it.kind());
      log.warn("{}: {} could not be requested: {}", venue, it, failure.getMessage());
      period.failed(failure.errorClass(), 0, clock.nanos());
    }
    synchronized (this) {
      plan.failed(it, failure.errorClass(), clock.nanos());
    }
    if (failure.errorClass() != ErrorClass.THROTTLED
        && consecutiveFailures.incrementAndGet() >= options.rediscoverAfterFailures()
        && options.instruments().isEmpty() && !rediscover) {
      consecutiveFailures.set(0);
      rediscover = true;
      log.warn("{}: {} consecutive failed fetches, instruments will be rediscovered", venue,
          options.rediscoverAfterFailures());
    }
    drain();
  }

  private long backoffNanos(int failures, ErrorClass failure) {
    long first = options.retry().firstBackoff().toNanos();
    long max = options.retry().maxBackoff().toNanos();
    long nominal = failure == ErrorClass.TRANSIENT || failure == ErrorClass.THROTTLED
        ? first << Math.min(30, failures - 1) : max;
    nominal = Math.max(0, Math.min(nominal, max));
    double jitter = options.retry().jitter();
    if (jitter == 0 || nominal == 0) {
      return nominal;
    }
    double spread = (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
    return Math.max(0, Math.min(max, (long) (nominal * (1 + spread))));
  }

  // ---- the universe ----

  private boolean needsDiscovery(long now) {
    if (options.instruments().isPresent()) {
      return false;
    }
    if (discoveryDueAt != Long.MIN_VALUE) {
      return now >= discoveryDueAt;
    }
    return universe == null || rediscover
        || now - discoveredAtNanos >= options.rediscoverEvery().toNanos();
  }

  private void discover(long now) {
    discovering = true;
    // discovery spends budget too: the next slot moves on by its weight
    nextSlotAt = Math.max(now, nextSlotAt)
        + paceNanos(limit.weight(RequestKind.INSTRUMENTS, options.depth()));
    discoveryDueAt = Long.MIN_VALUE;
    boolean first = universe == null;
    running.add(universe(plan.passes() + 1, period)
        .subscribe(found -> {
          discovering = false;
          if (found.isEmpty() && first) {
            // nothing to scan yet: an empty pass, so scans go on, and try again with backoff
            discoveryFailures++;
            discoveryDueAt = clock.nanos() + backoffNanos(discoveryFailures, ErrorClass.TRANSIENT);
            Consumer<Object> sink = out;
            if (sink != null && !stopped) {
              long t = clock.nanos();
              passEnded(new RefreshPlan.Pass(plan.passes(), t, t, 0, 0), sink);
            }
          } else {
            discoveryFailures = 0;
          }
          drain();
        }, e -> {
          discovering = false;
          log.error("{}: discovery failed unexpectedly", venue, e);
          drain();
        }));
  }

  private void setUniverse(List<Instrument> ordered) {
    synchronized (this) {
      universe = ordered;
      known = Set.copyOf(ordered);
      plan.universe(ordered, i -> priorityIndex(i) < Integer.MAX_VALUE, options.books(),
          options.tickers() && !bulk, bulk && !ordered.isEmpty(),
          kind -> limit.weight(kind, options.depth()));
    }
    if (stream != null) {
      stream.universe(ordered);
    }
    onUniverse.accept(known);
  }

  private Mono<List<Instrument>> universe(long cycle, CycleStats stats) {
    List<Instrument> current = universe;
    boolean stale = current != null
        && nowNanos() - discoveredAtNanos >= options.rediscoverEvery().toNanos();
    if (current != null && ((!rediscover && !stale) || options.instruments().isPresent())) {
      stats.universe(current.size(), false);
      return Mono.just(current);
    }
    rediscover = false;
    return request(cycle, new Fetch(RequestKind.INSTRUMENTS, null, true), stats,
        source::instruments, this::checkUniverse)
        .flatMap(found -> {
          List<Instrument> kept = filter.apply(found);
          return byVolume(cycle, kept, stats).map(liquid -> {
            List<Instrument> ordered = order(liquid);
            setUniverse(ordered);
            discoveredAtNanos = nowNanos();
            stats.universe(ordered.size(), current != null);
            log.info("{}: {} instruments {}, {} kept by {}", venue, found.size(),
                current == null ? "discovered" : "rediscovered", ordered.size(), filter);
            return ordered;
          });
        })
        .onErrorResume(e -> {
          stats.gaveUp();
          if (current == null) {
            log.warn("{}: instrument discovery failed, nothing to scan until it succeeds: {}", venue,
                e.getMessage());
            return Mono.just(List.of());
          }
          discoveredAtNanos = nowNanos(); // try again in one period, not at once
          log.warn("{}: rediscovery failed, keeping the {} known instruments: {}", venue,
              current.size(), e.getMessage());
          stats.universe(current.size(), false);
          return Mono.just(current);
        });
  }

  /** Applies the filter's minimum volume, from one bulk ticker request, where it can. */
  private Mono<List<Instrument>> byVolume(long cycle, List<Instrument> kept, CycleStats stats) {
    if (filter.minQuoteVolume24h() <= 0 || kept.isEmpty()) {
      return Mono.just(kept);
    }
    if (!source.hasBulkTickers()) {
      if (!volumeWarned) {
        volumeWarned = true;
        log.warn("{}: no bulk tickers, so the minimum 24 h volume is not applied", venue);
      }
      return Mono.just(kept);
    }
    Set<Instrument> known = new HashSet<>(kept);
    return request(cycle, new Fetch(RequestKind.TICKERS, null, true), stats,
        () -> source.tickers().map(List::<MarketSnapshot>copyOf),
        result -> accept(new Fetch(RequestKind.TICKERS, null, true), result, known))
        .map(tickers -> {
          Set<Instrument> thin = new HashSet<>();
          for (MarketSnapshot s : tickers) {
            if (!filter.acceptsVolume(((TickerSnapshot) s).quoteVolume24h())) {
              thin.add(s.instrument());
            }
          }
          return kept.stream().filter(i -> !thin.contains(i)).toList();
        })
        .onErrorResume(e -> {
          log.warn("{}: could not read 24 h volumes, keeping all {} instruments: {}", venue,
              kept.size(), e.getMessage());
          return Mono.just(kept);
        });
  }

  private List<Instrument> checkUniverse(List<Instrument> found) {
    if (found.isEmpty()) {
      throw new BadDataException(venue, "instrument discovery returned no instruments", null);
    }
    return found;
  }

  /**
   * One request with admission, timeout, validation, classification and retries. Errors with
   * the last attempt's {@link SourceException} when it finally fails.
   */
  private <T> Mono<T> request(long cycle, Fetch f, CycleStats stats, Supplier<Mono<T>> call,
      Function<T, T> accept) {
    int weight = limit.weight(f.kind, options.depth());
    AtomicInteger attempts = new AtomicInteger();
    return gate.acquire(weight, f.priority)
        .flatMap(permit -> attempt(permit, weight, f, attempts.incrementAndGet(), () -> cycle,
            () -> stats, call, accept))
        .retryWhen(retry);
  }

  /**
   * One admitted attempt: timed out, validated, classified, counted whole when it ends (in the
   * stats and cycle the suppliers give then), its permit released (or, after a timeout, kept
   * a while: a blocking client may still deliver the request).
   *
   * <p>An attempt cancelled before it ended (the scanner closing, a stream giving up the
   * snapshot it fetched because its connection was replaced) was sent, or may have been, and the
   * venue may charge it: it is counted as cancelled with its weight, and its permit's weight
   * stays in the gate's window for one window, as any ended request's does. Exactly one of
   * success, failure and cancellation is counted, whichever comes first.
   */
  private <T> Mono<T> attempt(VenueGate.Permit permit, int weight, Fetch f, int attempt,
      LongSupplier cycle, Supplier<CycleStats> stats, Supplier<Mono<T>> call,
      Function<T, T> accept) {
    return Mono.defer(() -> {
      long start = nowNanos();
      AtomicBoolean ended = new AtomicBoolean();
      return Mono.defer(call)
          .timeout(options.requestTimeout(), scheduler)
          .switchIfEmpty(Mono.error(() ->
              new BadDataException(venue, f.kind + " request returned no data", null)))
          .map(accept)
          .onErrorMap(e -> classify(e, f.kind))
          .doOnNext(ok -> {
            if (!ended.compareAndSet(false, true)) {
              return;
            }
            long now = nowNanos();
            roundTrip(now - start);
            CycleStats s = stats.get();
            s.sent(weight, attempt > 1);
            s.succeeded(now - start, now);
            completed(cycle.getAsLong(), f, attempt, weight, start, now, null, false);
          })
          .doOnError(e -> {
            if (!ended.compareAndSet(false, true)) {
              return;
            }
            SourceException failure = (SourceException) e;
            long now = nowNanos();
            CycleStats s = stats.get();
            s.sent(weight, attempt > 1);
            failed(failure, f.kind, start, now, s);
            completed(cycle.getAsLong(), f, attempt, weight, start, now, failure.errorClass(),
                false);
            if (e.getCause() instanceof TimeoutException) {
              permit.releaseAfter(options.requestTimeout());
            } else {
              permit.release();
            }
          })
          .doOnSuccess(ok -> permit.release())
          .doOnCancel(() -> {
            if (ended.compareAndSet(false, true)) {
              long now = nowNanos();
              CycleStats s = stats.get();
              s.sent(weight, attempt > 1);
              s.cancelled();
              log.debug("{}: {} request for {} cancelled after {} ms", venue, f.kind,
                  f.instrument, TimeUnit.NANOSECONDS.toMillis(now - start));
              completed(cycle.getAsLong(), f, attempt, weight, start, now, null, true);
            }
            permit.release();
          });
    });
  }

  private void completed(long cycle, Fetch f, int attempt, int weight, long start, long end,
      @Nullable ErrorClass failure, boolean cancelled) {
    if (!listener.isEmpty()) {
      listener.onRequest(new RequestEvent(venue, cycle, f.kind, f.instrument, f.priority,
          attempt, weight, clock.instant(start), Duration.ofNanos(end - start),
          failure, cancelled));
    }
  }

  /**
   * Validates an answer and stamps its snapshots with the time it arrived, one clock read per
   * answer (the merge keeps the stamps in order across venues).
   */
  private List<MarketSnapshot> accept(Fetch f, List<MarketSnapshot> result, Set<Instrument> known) {
    Instant arrived = clock.instant();
    List<MarketSnapshot> out = new ArrayList<>(result.size());
    for (MarketSnapshot s : result) {
      if (!venue.equals(s.venue())) {
        throw new BadDataException(venue, "snapshot claims venue '" + s.venue() + "'", null);
      }
      if (f.kind == RequestKind.TICKERS) {
        if (!(s instanceof TickerSnapshot) || !known.contains(s.instrument())) {
          continue; // the bulk answer covers instruments this scanner does not follow
        }
      } else if (!s.instrument().equals(f.instrument)) {
        throw new BadDataException(venue, "asked for " + f.instrument + " but got "
            + s.instrument() + " (unknown instrument)", null);
      }
      out.add(s.withReceivedAt(arrived));
    }
    return out;
  }

  private void failed(SourceException e, RequestKind kind, long start, long now,
      CycleStats stats) {
    if (e instanceof ThrottledException t) {
      Duration pause = t.retryAfter().orElse(options.retry().throttlePause());
      gate.pause(pause);
      if (stats.failed(ErrorClass.THROTTLED, now - start, now)) {
        log.warn("{}: throttled on {}, pausing the venue for {}: {}", venue, kind, pause,
            e.getMessage());
      }
      return;
    }
    boolean first = stats.failed(e.errorClass(), now - start, now);
    if (first && e instanceof PermanentSourceException && !(e.getCause() instanceof SourceException)
        && e.getCause() != null) {
      log.warn("{}: {} request failed ({}): {}", venue, kind, e.errorClass(), e.getMessage(), e);
    } else if (first) {
      log.warn("{}: {} request failed ({}): {}", venue, kind, e.errorClass(), e.getMessage());
    } else {
      log.debug("{}: {} request failed ({}): {}", venue, kind, e.errorClass(), e.getMessage());
    }
  }

  /** Maps anything a source signalled to one of the four classes. */
  SourceException classify(Throwable thrown, RequestKind kind) {
    Throwable e = Exceptions.unwrap(thrown);
    if ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof SourceException s) {
      return s;
    }
    if (e instanceof InvalidSnapshotException) {
      return new BadDataException(venue, e.getMessage(), e);
    }
    if (e instanceof TimeoutException) {
      return new TransientSourceException(venue,
          kind + " request had no answer within " + options.requestTimeout(), e);
    }
    if (e instanceof IOException || e instanceof UncheckedIOException) {
      return new TransientSourceException(venue, kind + " request failed: " + e, e);
    }
    return new PermanentSourceException(venue, kind + " request failed unexpectedly: " + e, e);
  }

  private List<Instrument> order(List<Instrument> instruments) {
    List<Instrument> distinct = new ArrayList<>(new LinkedHashSet<>(instruments));
    distinct.sort(Comparator.comparingInt(this::priorityIndex)); // stable: venue order kept
    return List.copyOf(distinct);
  }

  private int priorityIndex(Instrument i) {
    int idx = priority.indexOf(i.base());
    return idx < 0 ? Integer.MAX_VALUE : idx;
  }

  private long nowNanos() {
    return clock.nanos();
  }

  private static Instrument instrument(Fetch f) {
    if (f.instrument == null) {
      throw new IllegalStateException(f.kind + " fetch without an instrument");
    }
    return f.instrument;
  }

  private record Fetch(RequestKind kind, @Nullable Instrument instrument, boolean priority) {}
}
