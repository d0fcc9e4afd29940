package dev.scanflux.kafka.internal;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.MarketView;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.kafka.RemoteHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import reactor.core.scheduler.Scheduler;

/**
 * The feed's latest view: one map per kind, instrument to venue to snapshot. Written by the
 * feed's poll thread only; read lock-free from any thread.
 */
public final class FeedView implements MarketView {

  private final Scheduler clock;
  private final Map<Instrument, Map<String, BookSnapshot>> books = new ConcurrentHashMap<>();
  private final Map<Instrument, Map<String, TickerSnapshot>> tickers = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private volatile BiFunction<String, Instrument, Optional<RemoteHealth>> health =
      (venue, instrument) -> Optional.empty();

  public FeedView(Scheduler clock) {
    this.clock = clock;
  }

  /** Keeps the snapshot as the latest of its venue, instrument and kind. */
  public void put(MarketSnapshot s) {
    Object previous = s instanceof BookSnapshot b
        ? books.computeIfAbsent(b.instrument(), i -> new ConcurrentHashMap<>()).put(b.venue(), b)
        : tickers.computeIfAbsent(s.instrument(), i -> new ConcurrentHashMap<>())
            .put(s.venue(), (TickerSnapshot) s);
    if (previous == null) {
      size.incrementAndGet();
    }
  }

  /** Forgets a key (a tombstone on the compacted topic). */
  public void remove(String venue, Instrument instrument, boolean book) {
    Map<String, ?> byVenue = book ? books.get(instrument) : tickers.get(instrument);
    if (byVenue != null && byVenue.remove(venue) != null) {
      size.decrementAndGet();
    }
  }

  @Override
  public Instant now() {
    return Instant.ofEpochMilli(clock.now(TimeUnit.MILLISECONDS));
  }

  @Override
  public Optional<BookSnapshot> book(String venue, Instrument instrument) {
    Map<String, BookSnapshot> byVenue = books.get(instrument);
    return byVenue == null ? Optional.empty() : Optional.ofNullable(byVenue.get(venue));
  }

  @Override
  public Optional<TickerSnapshot> ticker(String venue, Instrument instrument) {
    Map<String, TickerSnapshot> byVenue = tickers.get(instrument);
    return byVenue == null ? Optional.empty() : Optional.ofNullable(byVenue.get(venue));
  }

  @Override
  public Collection<BookSnapshot> books(Instrument instrument) {
    Map<String, BookSnapshot> byVenue = books.get(instrument);
    return byVenue == null ? List.of() : List.copyOf(byVenue.values());
  }

  @Override
  public Collection<TickerSnapshot> tickers(Instrument instrument) {
    Map<String, TickerSnapshot> byVenue = tickers.get(instrument);
    return byVenue == null ? List.of() : List.copyOf(byVenue.values());
  }

  @Override
  public Collection<BookSnapshot> books() {
    List<BookSnapshot> out = new ArrayList<>();
    books.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  @Override
  public Collection<TickerSnapshot> tickers() {
    List<TickerSnapshot> out = new ArrayList<>();
    tickers.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  @Override
  public int size() {
    return size.get();
  }

  /** Where {@link #health} learns each key's age and its node's state. */
  public void healthFrom(BiFunction<String, Instrument, Optional<RemoteHealth>> health) {
    this.health = health;
  }

  /**
   * The book's health as the feed sees it: {@link BookHealth.Origin#REMOTE}; {@code STALE} when
   * its node is not live or it is older than the feed's stale limit, otherwise {@code LIVE}.
   */
  @Override
  public Optional<BookHealth> health(String venue, Instrument instrument) {
    Optional<? extends MarketSnapshot> latest = book(venue, instrument);
    if (latest.isEmpty()) {
      latest = ticker(venue, instrument);
    }
    Instant updated = latest.map(MarketSnapshot::receivedAt).orElse(null);
    return health.apply(venue, instrument).map(h -> new BookHealth(venue, instrument, false,
        BookHealth.Origin.REMOTE, h.stale() ? BookHealth.State.STALE : BookHealth.State.LIVE,
        h.age(), updated, null, 0));
  }

  /** The health of every book (or ticker) of a venue the feed holds. */
  @Override
  public List<BookHealth> health(String venue) {
    java.util.Set<Instrument> held = new java.util.LinkedHashSet<>();
    books.forEach((i, byVenue) -> {
      if (byVenue.containsKey(venue)) {
        held.add(i);
      }
    });
    tickers.forEach((i, byVenue) -> {
      if (byVenue.containsKey(venue)) {
        held.add(i);
      }
    });
    List<BookHealth> out = new ArrayList<>();
    for (Instrument i : held) {
      health(venue, i).ifPresent(out::add);
    }
    return out;
  }
}
