package dev.scanflux.server.internal;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What the scanner's listener callbacks tell the server beyond its hot outputs: per venue, the
 * requests of the current pass, the recent requests (for rates and the timeline), failures by
 * class and in a row, and the stream's last transition.
 *
 * <p>Thread-safe: each venue's state is updated and read under its own short lock. Keeps at most
 * {@link #HISTORY} of each venue's requests, and none older than {@link #KEEP}.
 */
public final class Activity implements ScanListener {

  /** How far back the recent requests go. */
  public static final Duration KEEP = Duration.ofSeconds(90);
  /** The most recent requests kept per venue. */
  public static final int HISTORY = 20_000;

  private final Map<String, Venue> venues = new ConcurrentHashMap<>();

  @Override
  public void onRequest(RequestEvent e) {
    venue(e.venue()).request(e);
  }

  @Override
  public void onStreamTransition(StreamTransition t) {
    venue(t.venue()).transition(t);
  }

  @Override
  public void onScan(Scan scan) {
    for (VenueReport r : scan.report().venues().values()) {
      venue(r.venue()).scanned(r);
    }
  }

  /** The venue's state, created empty if nothing was seen of it yet. */
  public Venue venue(String name) {
    return venues.computeIfAbsent(name, Venue::new);
  }

  /** One venue's activity. */
  public static final class Venue {
    private final String name;
    private final ArrayDeque<RequestEvent> recent = new ArrayDeque<>();
    private final EnumMap<ErrorClass, Long> failures = new EnumMap<>(ErrorClass.class);
    private long cycle;
    private long doneInCycle;
    private long plannedPerCycle;
    private long requests;
    private long ok;
    private long failedInARow;
    private @Nullable ErrorClass lastFailure;
    private long cancelled;
    private @Nullable Instant lastFailureAt;
    private @Nullable Instant lastSuccessAt;
    private @Nullable StreamTransition lastTransition;
    private @Nullable Instant firstAt;

    Venue(String name) {
      this.name = name;
    }

    synchronized void request(RequestEvent e) {
      if (e.cycle() != cycle) {
        cycle = e.cycle();
        doneInCycle = 0;
      }
      if (e.attempt() == 1) { // a pass's progress counts fetches, not their retries
        doneInCycle++;
      }
      requests++;
      if (firstAt == null) {
        firstAt = e.start();
      }
      Instant end = e.start().plus(e.roundTrip());
      if (e.cancelled()) {
        cancelled++; // neither a success nor a failure of the venue's
      } else if (e.failure() == null) {
        ok++;
        failedInARow = 0;
        lastSuccessAt = end;
      } else {
        failures.merge(e.failure(), 1L, Long::sum);
        failedInARow++;
        lastFailure = e.failure();
        lastFailureAt = end;
      }
      recent.addLast(e);
      Instant horizon = end.minus(KEEP);
      while (recent.size() > HISTORY
          || (!recent.isEmpty() && recent.peekFirst().start().isBefore(horizon))) {
        recent.removeFirst();
      }
    }

    synchronized void transition(StreamTransition t) {
      if (t.type() == StreamTransition.Type.CONNECTED
          || t.type() == StreamTransition.Type.DISCONNECTED || lastTransition == null) {
        lastTransition = t;
      }
    }

    synchronized void scanned(VenueReport r) {
      plannedPerCycle = r.requests() - r.retries();
    }

    /**
   * A consistent copy of the venue's state at {@code now}, its rates measured over {@code
   * rateWindow} (or since its first request, if that is more recent, but at least a second).
   */
    public synchronized State state(Instant now, Duration rateWindow) {
      Instant from = now.minus(rateWindow);
      long inWindow = 0;
      long weight = 0;
      for (RequestEvent e : recent) {
        if (!e.start().plus(e.roundTrip()).isBefore(from)) {
          inWindow++;
          weight += e.weight();
        }
      }
      Duration measured = firstAt == null || Duration.between(firstAt, now).compareTo(rateWindow) >= 0
          ? rateWindow : Duration.between(firstAt, now);
      double seconds = Math.max(1.0, measured.toNanos() / 1e9);
      return new State(name, cycle, doneInCycle, plannedPerCycle, requests, ok,
          new EnumMap<>(failures), cancelled, failedInARow, lastFailure, lastFailureAt,
          lastSuccessAt,
          lastTransition, inWindow / seconds, weight / seconds);
    }

    /** The requests that completed at or after {@code from}, at most {@code max} (the newest). */
    public synchronized List<RequestEvent> completedSince(Instant from, int max) {
      ArrayDeque<RequestEvent> out = new ArrayDeque<>();
      var it = recent.descendingIterator();
      while (it.hasNext() && out.size() < max) {
        RequestEvent e = it.next();
        if (e.start().plus(e.roundTrip()).isBefore(from)) {
          if (e.start().isBefore(from.minus(KEEP))) {
            break;
          }
          continue;
        }
        out.addFirst(e);
      }
      return new ArrayList<>(out);
    }
  }

  /**
   * A venue's activity at one moment.
   *
   * @param doneInCycle       first attempts completed in the current cycle (retries aside)
   * @param plannedPerCycle   first attempts the last completed cycle made, 0 before one did
   * @param requests          requests completed since the start, retries included
   * @param cancelled         of which the scanner cancelled before they ended
   * @param requestsPerSecond requests completed per second over the rate window
   * @param weightPerSecond   rate-limit weight spent per second over the rate window
   */
  public record State(String venue, long cycle, long doneInCycle, long plannedPerCycle,
      long requests, long ok, Map<ErrorClass, Long> failures, long cancelled, long failedInARow,
      @Nullable ErrorClass lastFailure, @Nullable Instant lastFailureAt,
      @Nullable Instant lastSuccessAt, @Nullable StreamTransition lastTransition,
      double requestsPerSecond, double weightPerSecond) {}
}
