package dev.scanflux.core.internal;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.MarketView;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The lock-free latest-snapshot map behind {@link MarketView}: venue to instrument to snapshot,
 * one map per kind. Reads are two {@link ConcurrentHashMap#get} calls and allocate nothing but
 * the {@code Optional}; writes come from the engine's serialized merge.
 */
final class LatestView implements MarketView {

  private final EngineClock clock;
  private final Map<String, Map<Instrument, BookSnapshot>> books = new ConcurrentHashMap<>();
  private final Map<String, Map<Instrument, TickerSnapshot>> tickers = new ConcurrentHashMap<>();

  private final Map<String, VenueLane> lanes = new ConcurrentHashMap<>();

  LatestView(EngineClock clock) {
    this.clock = clock;
  }

  /** Registers a venue's lane, which knows its books' health. */
  void lane(VenueLane lane) {
    lanes.put(lane.venue(), lane);
  }

  @Override
  public Optional<BookHealth> health(String venue, Instrument instrument) {
    VenueLane lane = lanes.get(venue);
    if (lane == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(lane.health(instrument, updatedAt(venue, instrument), now()));
  }

  @Override
  public List<BookHealth> health(String venue) {
    VenueLane lane = lanes.get(venue);
    if (lane == null) {
      return List.of();
    }
    Instant now = now();
    List<BookHealth> out = new ArrayList<>();
    for (Instrument i : lane.instruments()) {
      BookHealth h = lane.health(i, updatedAt(venue, i), now);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  private @Nullable Instant updatedAt(String venue, Instrument instrument) {
    Map<Instrument, BookSnapshot> b = books.get(venue);
    BookSnapshot book = b == null ? null : b.get(instrument);
    if (book != null) {
      return book.receivedAt();
    }
    Map<Instrument, TickerSnapshot> t = tickers.get(venue);
    TickerSnapshot ticker = t == null ? null : t.get(instrument);
    return ticker == null ? null : ticker.receivedAt();
  }

  void put(MarketSnapshot s) {
    if (s instanceof BookSnapshot b) {
      venueMap(books, b.venue()).put(b.instrument(), b);
    } else if (s instanceof TickerSnapshot t) {
      venueMap(tickers, t.venue()).put(t.instrument(), t);
    }
  }

  private static <T> Map<Instrument, T> venueMap(Map<String, Map<Instrument, T>> byVenue,
      String venue) {
    Map<Instrument, T> m = byVenue.get(venue); // the common case: no lambda, no bin lock
    return m != null ? m : byVenue.computeIfAbsent(venue, v -> new ConcurrentHashMap<>());
  }

  /** Forgets a venue's snapshots of instruments it no longer lists, so the view stays flat. */
  void retain(String venue, Set<Instrument> listed) {
    Map<Instrument, BookSnapshot> b = books.get(venue);
    if (b != null) {
      b.keySet().retainAll(listed);
    }
    Map<Instrument, TickerSnapshot> t = tickers.get(venue);
    if (t != null) {
      t.keySet().retainAll(listed);
    }
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Optional<BookSnapshot> book(String venue, Instrument instrument) {
    Map<Instrument, BookSnapshot> byInstrument = books.get(venue);
    return byInstrument == null ? Optional.empty()
        : Optional.ofNullable(byInstrument.get(instrument));
  }

  @Override
  public Optional<TickerSnapshot> ticker(String venue, Instrument instrument) {
    Map<Instrument, TickerSnapshot> byInstrument = tickers.get(venue);
    return byInstrument == null ? Optional.empty()
        : Optional.ofNullable(byInstrument.get(instrument));
  }

  @Override
  public Collection<BookSnapshot> books(Instrument instrument) {
    return across(books, instrument);
  }

  @Override
  public Collection<TickerSnapshot> tickers(Instrument instrument) {
    return across(tickers, instrument);
  }

  @Override
  public Collection<BookSnapshot> books() {
    return all(books);
  }

  @Override
  public Collection<TickerSnapshot> tickers() {
    return all(tickers);
  }

  @Override
  public int size() {
    int n = 0;
    for (Map<Instrument, BookSnapshot> m : books.values()) {
      n += m.size();
    }
    for (Map<Instrument, TickerSnapshot> m : tickers.values()) {
      n += m.size();
    }
    return n;
  }

  private static <T> List<T> across(Map<String, Map<Instrument, T>> byVenue, Instrument i) {
    List<T> out = new ArrayList<>();
    for (Map<Instrument, T> m : byVenue.values()) {
      T s = m.get(i);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private static <T> List<T> all(Map<String, Map<Instrument, T>> byVenue) {
    List<T> out = new ArrayList<>();
    for (Map<Instrument, T> m : byVenue.values()) {
      out.addAll(m.values());
    }
    return out;
  }

  @Override
  public String toString() {
    return "MarketView{" + size() + " snapshots}";
  }
}
