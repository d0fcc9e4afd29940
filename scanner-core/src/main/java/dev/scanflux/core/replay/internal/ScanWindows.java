package dev.scanflux.core.replay.internal;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * Groups time-ordered snapshots into one {@link Scan} per fixed window of receive time. Windows
 * are aligned to the epoch ({@code [k * window, (k + 1) * window)}), so the grouping depends only
 * on the data; windows without snapshots produce no scan.
 *
 * <p>A scan holds the latest snapshot of each item (venue, instrument and kind) of its window,
 * as a live scan does, so memory is bounded by the items, not by the snapshots: three million
 * snapshots of a few books at one instant make a scan of a few books. A window with more than
 * {@link #MAX_ITEMS} items is cut into several scans of the same window, each of at most that
 * many.
 */
public final class ScanWindows {

  /** Most items (venue, instrument, kind) one scan holds. */
  public static final int MAX_ITEMS = 100_000;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private ScanWindows() {}

  /**
   * @param snapshots snapshots in receive-time order
   * @param window    the window length, positive
   * @return one scan per non-empty window, in order; a window's scan is emitted when a snapshot
   *     of a later window arrives, or when the snapshots complete
   */
  public static Flux<Scan> group(Flux<? extends MarketSnapshot> snapshots, Duration window) {
    return group(snapshots, window, MAX_ITEMS);
  }

  /** As {@link #group(Flux, Duration)}, with at most {@code maxItems} items a scan; for tests. */
  static Flux<Scan> group(Flux<? extends MarketSnapshot> snapshots, Duration window,
      int maxItems) {
    long windowNanos = window.toNanos();
    return Flux.defer(() -> {
      Grouper g = new Grouper(windowNanos, maxItems);
      return snapshots.<Scan>handle(g::accept)
          .concatWith(Mono.fromSupplier(g::finish));
    });
  }

  /** Per-subscription state; handle and the final supplier run serially. */
  private static final class Grouper {
    private final long windowNanos;
    private final Duration window;
    private final int maxItems;
    /** The window's latest snapshot per item, in the order of their latest arrival. */
    private final Map<Item, MarketSnapshot> current = new LinkedHashMap<>();
    private final Map<String, Counts> byVenue = new TreeMap<>();
    private long currentIndex = Long.MIN_VALUE;
    private @Nullable Instant last;
    private long cycle;

    Grouper(long windowNanos, int maxItems) {
      this.windowNanos = windowNanos;
      this.window = Duration.ofNanos(windowNanos);
      this.maxItems = maxItems;
    }

    void accept(MarketSnapshot s, SynchronousSink<Scan> sink) {
      Instant t = s.receivedAt();
      if (last != null && t.isBefore(last)) {
        sink.error(new IllegalArgumentException("snapshots must be in receive-time order, but "
            + s + " was received before the previous one (" + last + ")"));
        return;
      }
      long index;
      try {
        index = Math.floorDiv(Math.addExact(Math.multiplyExact(t.getEpochSecond(),
            NANOS_PER_SECOND), t.getNano()), windowNanos);
      } catch (ArithmeticException e) {
        sink.error(new IllegalArgumentException("cannot group " + s + " into scans: its receive"
            + " time is outside the years 1678 to 2261", e));
        return;
      }
      last = t;
      if (index != currentIndex && !current.isEmpty()) {
        sink.next(scan());
      }
      currentIndex = index;
      Item item = new Item(s.venue(), s.instrument(), s.getClass());
      if (current.remove(item) == null && current.size() >= maxItems) {
        sink.next(scan()); // the window holds too many items for one scan: cut it here
      }
      current.put(item, s);
      byVenue.computeIfAbsent(s.venue(), v -> new Counts()).add(s);
    }

    @Nullable Scan finish() {
      return current.isEmpty() ? null : scan();
    }

    private Scan scan() {
      Instant start = Instant.ofEpochSecond(0, Math.multiplyExact(currentIndex, windowNanos));
      List<VenueReport> venues = new ArrayList<>(byVenue.size());
      byVenue.forEach((venue, c) -> venues.add(c.report(venue, start)));
      Scan scan = new Scan(start.plus(window), List.copyOf(current.values()),
          new ScanReport(++cycle, start, window, venues));
      current.clear();
      byVenue.clear();
      return scan;
    }
  }

  /** What a scan keeps one snapshot of. */
  private record Item(String venue, Instrument instrument, Class<?> kind) {}

  /** One venue's share of a window. */
  private static final class Counts {
    private final Set<Instrument> instruments = new HashSet<>();
    private long snapshots;
    private Instant lastReceived = Instant.EPOCH;

    void add(MarketSnapshot s) {
      instruments.add(s.instrument());
      snapshots++;
      lastReceived = s.receivedAt();
    }

    VenueReport report(String venue, Instant start) {
      return new VenueReport(venue, instruments.size(), snapshots, snapshots, Map.of(), 0, 0, 0,
          Duration.between(start, lastReceived), Duration.ZERO, Duration.ZERO, 0.0, false);
    }
  }
}
