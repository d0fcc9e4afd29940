package dev.scanflux.core.internal;

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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * One venue's part of the scan: its universe, its gate, and the requests of each cycle.
 *
 * <p>A cycle fetches the venue's instruments (discovering them first when needed) priority
 * bases first. Every request passes the venue's {@link VenueGate}, is timed out, classified on
 * failure, and retried only when transient or throttled. A lane never signals an error: every
 * failure ends as a count in its {@link CycleStats} and a log line.
 */
final class VenueLane {

  private static final Logger log = LoggerFactory.getLogger(VenueLane.class);

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
  private long discoveredAtNanos;
  private boolean volumeWarned;

  private volatile @Nullable List<Instrument> universe;
  private volatile boolean rediscover;
  private volatile @Nullable Known knownCache;
  private final @Nullable VenueStream stream;
  private volatile long currentCycle;
  // the running cycle's stats, or null between cycles, when the stream's requests go to `between`
  private volatile @Nullable CycleStats currentStats;
  private CycleStats between;

  VenueLane(MarketSource source, VenueOptions options, List<String> priority,
      UniverseFilter filter, Scheduler scheduler, EngineClock clock, SafeListener listener,
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
    options.instruments().ifPresent(fixed -> this.universe = order(fixed));
    this.between = new CycleStats(venue, 0);
    this.stream = streamOf(source, options, scheduler, clock, listener, this);
    List<Instrument> fixed = universe;
    if (stream != null && fixed != null) {
      stream.universe(fixed);
    }
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
   * ordinary requests, timed out, classified, never retried, and counted whole when it completes
   * in the cycle running then (or the next one, between cycles).
   */
  <T> Mono<T> streamRequest(RequestKind kind, int depth, Supplier<Mono<T>> call) {
    return Mono.defer(() -> {
      int weight = limit.weight(kind, depth);
      Fetch f = new Fetch(kind, null, true);
      return gate.acquire(weight, true).flatMap(permit -> attempt(permit, weight, f, 1,
          () -> currentCycle, this::statsNow, call, Function.identity()));
    }).onErrorMap(IllegalArgumentException.class, e -> new PermanentSourceException(venue,
        "stream's " + kind + " request: " + e.getMessage(), e));
  }


  /** True if the venue's push stream is used. */
  boolean isStreamed() {
    return stream != null;
  }

  /** The venue's streamed snapshots, never ending; empty if the venue is not streamed. */
  Flux<MarketSnapshot> streamed() {
    return stream == null ? Flux.empty() : stream.snapshots();
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
   * One cycle of this venue: every valid snapshot as it arrives, then completion once every
   * request has succeeded or been given up. Never errors.
   */
  Flux<MarketSnapshot> cycle(long cycle, CycleStats stats) {
    currentCycle = cycle;
    CycleStats carried = betweenCycles(true);
    stats.absorb(carried);
    currentStats = stats;
    return universe(cycle, stats)
        .flatMapMany(instruments -> {
          List<Fetch> fetches = plan(instruments);
          Set<Instrument> known = known(instruments);
          Flux<MarketSnapshot> polled = Flux.fromIterable(fetches)
              .flatMap(f -> fetch(cycle, f, stats, known), Math.max(1, fetches.size()), 1);
          // a streamed venue with nothing to poll would otherwise spin: a cycle lasts a while
          return stream == null ? polled : polled.mergeWith(
              Mono.delay(options.streamCycle(), scheduler).then(Mono.empty()));
        })
        .doOnComplete(() -> logSummary(cycle, stats));
  }

  /** The universe as a set, for filtering bulk answers; rebuilt only when the universe changes. */
  private Set<Instrument> known(List<Instrument> instruments) {
    Known k = knownCache;
    if (k == null || k.list != instruments) {
      k = new Known(instruments, Set.copyOf(instruments));
      knownCache = k;
    }
    return k.set;
  }

  private record Known(List<Instrument> list, Set<Instrument> set) {}

  private CycleStats statsNow() {
    CycleStats running = currentStats;
    return running != null ? running : betweenCycles(false);
  }

  /** The stats of requests between cycles; when {@code swap}, replaced by new ones. */
  private synchronized CycleStats betweenCycles(boolean swap) {
    CycleStats old = between;
    if (swap) {
      between = new CycleStats(venue, 0);
    }
    return old;
  }

  VenueReport report(CycleStats stats) {
    currentStats = null;
    return stats.report(limit.budget(), limit.window().toNanos(),
        stream == null ? StreamReport.OFF : stream.drain());
  }

  void close() {
    gate.close();
    if (stream != null) {
      stream.close();
    }
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
            universe = ordered;
            if (stream != null) {
              stream.universe(ordered);
            }
            onUniverse.accept(known(ordered));
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
            log.warn("{}: instrument discovery failed, nothing to scan this cycle: {}", venue,
                e.getMessage());
            return Mono.just(List.of());
          }
          discoveredAtNanos = nowNanos(); // try again in one period, not at every cycle
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
   * The cycle's fetches, priority bases first; a streamed venue plans only what its stream does
   * not keep live.
   */
  private List<Fetch> plan(List<Instrument> instruments) {
    VenueStream s = stream;
    boolean bulk = options.tickers() && source.hasBulkTickers();
    List<Fetch> fetches = new ArrayList<>(instruments.size() * 2 + 1);
    boolean bulkPlanned = !bulk || (s != null && allTickersLive(s, instruments));
    for (Instrument i : instruments) {
      boolean prio = priorityIndex(i) < Integer.MAX_VALUE;
      if (!prio && !bulkPlanned) {
        fetches.add(new Fetch(RequestKind.TICKERS, null, true));
        bulkPlanned = true;
      }
      if (options.books() && (s == null || !s.bookLive(i))) {
        fetches.add(new Fetch(RequestKind.BOOK, i, prio));
      }
      if (options.tickers() && !bulk && (s == null || !s.tickerLive(i))) {
        fetches.add(new Fetch(RequestKind.TICKER, i, prio));
      }
    }
    if (!bulkPlanned && !instruments.isEmpty()) {
      fetches.add(new Fetch(RequestKind.TICKERS, null, true));
    }
    if (s != null) {
      s.polled(fetches.size());
    }
    return fetches;
  }

  private static boolean allTickersLive(VenueStream s, List<Instrument> instruments) {
    for (Instrument i : instruments) {
      if (!s.tickerLive(i)) {
        return false;
      }
    }
    return true;
  }

  private Flux<MarketSnapshot> fetch(long cycle, Fetch f, CycleStats stats,
      Set<Instrument> known) {
    Supplier<Mono<List<MarketSnapshot>>> call = switch (f.kind) {
      case BOOK -> () -> source.book(instrument(f), options.depth()).map(List::of);
      case TICKER -> () -> source.ticker(instrument(f)).map(List::of);
      default -> () -> source.tickers().map(List::<MarketSnapshot>copyOf);
    };
    return request(cycle, f, stats, call, result -> accept(f, result, known))
        .doOnNext(ok -> consecutiveFailures.set(0))
        .flatMapMany(Flux::fromIterable)
        .onErrorResume(e -> {
          stats.gaveUp();
          if (consecutiveFailures.incrementAndGet() >= options.rediscoverAfterFailures()
              && options.instruments().isEmpty() && !rediscover) {
            consecutiveFailures.set(0);
            rediscover = true;
            log.warn("{}: {} consecutive failed fetches, instruments will be rediscovered", venue,
                options.rediscoverAfterFailures());
          }
          return Flux.empty();
        });
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
   */
  private <T> Mono<T> attempt(VenueGate.Permit permit, int weight, Fetch f, int attempt,
      LongSupplier cycle, Supplier<CycleStats> stats, Supplier<Mono<T>> call,
      Function<T, T> accept) {
    long start = nowNanos();
    return Mono.defer(call)
        .timeout(options.requestTimeout(), scheduler)
        .switchIfEmpty(Mono.error(() ->
            new BadDataException(venue, f.kind + " request returned no data", null)))
        .map(accept)
        .onErrorMap(e -> classify(e, f.kind))
        .doOnNext(ok -> {
          long now = nowNanos();
          CycleStats s = stats.get();
          s.sent(weight, attempt > 1);
          s.succeeded(now - start, now);
          completed(cycle.getAsLong(), f, attempt, weight, start, now, null);
        })
        .doOnError(e -> {
          SourceException failure = (SourceException) e;
          long now = nowNanos();
          CycleStats s = stats.get();
          s.sent(weight, attempt > 1);
          failed(failure, f.kind, start, now, s);
          completed(cycle.getAsLong(), f, attempt, weight, start, now, failure.errorClass());
          if (e.getCause() instanceof TimeoutException) {
            permit.releaseAfter(options.requestTimeout());
          } else {
            permit.release();
          }
        })
        .doOnSuccess(ok -> permit.release())
        .doOnCancel(permit::release);
  }


  private void completed(long cycle, Fetch f, int attempt, int weight, long start, long end,
      @Nullable ErrorClass failure) {
    if (!listener.isEmpty()) {
      listener.onRequest(new RequestEvent(venue, cycle, f.kind, f.instrument, f.priority,
          attempt, weight, clock.instant(start), Duration.ofNanos(end - start),
          failure));
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

  private void logSummary(long cycle, CycleStats stats) {
    StringBuilder more = new StringBuilder();
    for (ErrorClass c : ErrorClass.values()) {
      long n = stats.failures(c);
      if (n > 1) {
        more.append(more.length() == 0 ? "" : ", ").append(n).append(' ')
            .append(c.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (more.length() > 0) {
      log.warn("{}: cycle {} had {} failures (the first of each class is logged above)", venue,
          cycle, more);
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
