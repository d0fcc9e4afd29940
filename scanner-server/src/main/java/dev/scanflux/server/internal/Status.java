package dev.scanflux.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.BookHealth;
import dev.scanflux.core.MarketView;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.strategy.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Each venue's status (pass progress, rate against the limit, failures, stream, book health) and
 * the dashboard's once-a-second picture. Reads only; thread-safe.
 */
public final class Status {

  /** The shortest window requests and weight per second are measured over. */
  public static final Duration RATE_WINDOW = Duration.ofSeconds(5);
  /** The longest window requests and weight per second are measured over. */
  public static final Duration MAX_RATE_WINDOW = Duration.ofSeconds(60);
  /** Failed requests in a row after which a venue shows as failing. */
  public static final int FAILING_IN_A_ROW = 5;
  /** Most requests per venue in one dashboard picture. */
  public static final int TIMELINE_MAX = 2000;
  /** The timeline's outcome code of a request the scanner cancelled before it ended. */
  static final int CANCELLED_OUTCOME = 5;
  /** Books in the dashboard's "freshest priority books". */
  public static final int BOOKS_SHOWN = 10;

  private final Settings settings;
  private final Feeds feeds;

  public Status(Settings settings, Feeds feeds) {
    this.settings = settings;
    this.feeds = feeds;
  }

  /** The venues served: the scanner's, in its order. */
  public List<String> venues() {
    return settings.scanner().venues();
  }

  /** One venue's status; with {@code books}, each book and ticker's health too. */
  public ObjectNode venue(String venue, boolean books) {
    MarketView view = settings.scanner().view();
    Instant now = view.now();
    ObjectNode o = Json.object();
    o.put("venue", venue);
    Scan scan = feeds.latest();
    VenueReport last = scan == null ? null : scan.report().venues().get(venue);
    RateLimitSpec limit = settings.limits().get(venue);
    Duration window = rateWindow(limit);
    Activity.State act = settings.activity() == null ? null
        : settings.activity().venue(venue).state(now, window);

    ObjectNode progress = o.putObject("progress");
    long planned = act != null && act.plannedPerCycle() > 0 ? act.plannedPerCycle()
        : last == null ? 0 : last.requests() - last.retries();
    progress.put("cycle", act != null ? act.cycle() : scan == null ? 0 : scan.cycle());
    if (act != null) {
      progress.put("done", act.doneInCycle());
    }
    progress.put("planned", planned);
    if (act != null && planned > 0) {
      progress.put("fraction", Json.round(Math.min(1.0, (double) act.doneInCycle() / planned), 3));
    }

    ObjectNode rate = o.putObject("rate");
    rate.put("measured_over_seconds", Json.seconds(window));
    if (act != null) {
      rate.put("requests_per_second", Json.round(act.requestsPerSecond(), 2));
      rate.put("weight_per_second", Json.round(act.weightPerSecond(), 2));
    }
    if (limit != null) {
      double perSecond = limit.budget() / (limit.window().toNanos() / 1e9);
      ObjectNode l = rate.putObject("limit");
      l.put("budget", limit.budget());
      l.put("window_seconds", Json.seconds(limit.window()));
      l.put("weight_per_second", Json.round(perSecond, 2));
      if (act != null) {
        rate.put("used_fraction", Json.round(act.weightPerSecond() / perSecond, 3));
      }
    }
    if (last != null) {
      rate.put("last_cycle_utilisation", Json.round(last.utilisation(), 3));
    }

    ObjectNode failures = o.putObject("failures");
    if (act != null) {
      failures.put("requests", act.requests());
      failures.put("ok", act.ok());
      failures.set("by_class", Json.failures(act.failures()));
      failures.put("cancelled", act.cancelled());
      failures.put("in_a_row", act.failedInARow());
      if (act.lastFailure() != null) {
        failures.put("last_class", Json.name(act.lastFailure()));
        failures.put("last_age_seconds", Json.seconds(Json.age(act.lastFailureAt(), now)));
      }
    }
    if (last != null) {
      failures.set("last_cycle", Json.failures(last.failures()));
    }

    ObjectNode stream = o.putObject("stream");
    StreamReport sr = last == null ? StreamReport.OFF : last.stream();
    StreamTransition t = act == null ? null : act.lastTransition();
    String state = t == null ? Json.name(sr.state())
        : t.type() == StreamTransition.Type.DISCONNECTED ? "down"
        : t.type() == StreamTransition.Type.CONNECTED ? "connected" : Json.name(sr.state());
    stream.put("state", state);
    if (sr.state() != StreamReport.State.OFF) {
      stream.put("live_books", sr.liveBooks());
      stream.put("live_tickers", sr.liveTickers());
      stream.put("updates_last_cycle", sr.updates());
      stream.put("polled_last_cycle", sr.polled());
    }
    if (t != null) {
      stream.put("last_transition", Json.name(t.type()) + (t.cause() == null ? ""
          : " " + Json.name(t.cause())));
      stream.put("last_transition_age_seconds", Json.seconds(Json.age(t.at(), now)));
    }

    health(o, venue, view, now, books);
    o.put("state", state(o, act, last));
    o.put("message", message(o, act, last, now));
    return o;
  }

  /** Book health: counts and ages; with {@code each}, one entry per book and ticker. */
  private void health(ObjectNode o, String venue, MarketView view, Instant now, boolean each) {
    List<MarketSnapshot> mine = new ArrayList<>();
    for (BookSnapshot b : view.books()) {
      if (b.venue().equals(venue)) {
        mine.add(b);
      }
    }
    int bookCount = mine.size();
    view.tickers().stream().filter(t -> t.venue().equals(venue)).forEach(mine::add);
    ObjectNode h = o.putObject("books");
    h.put("books", bookCount);
    h.put("tickers", mine.size() - bookCount);
    // the engine's own per-book health: origin (stream, poll, or another process's scanner)
    // and state, with the last error
    List<BookHealth> engine = view.health(venue);
    Set<Instrument> remoteStale = new HashSet<>();
    for (BookHealth b : engine) {
      if (b.origin() == BookHealth.Origin.REMOTE && b.state() == BookHealth.State.STALE) {
        remoteStale.add(b.instrument()); // its node is not live, or it stopped refreshing it
      }
    }
    long stale = 0;
    long staleBooks = 0;
    Duration newest = null;
    Duration oldest = null;
    for (MarketSnapshot s : mine) {
      Duration age = s.ageAt(now);
      if (age.compareTo(settings.staleAfter()) > 0 || remoteStale.contains(s.instrument())) {
        stale++;
        staleBooks += s instanceof BookSnapshot ? 1 : 0;
      }
      newest = newest == null || age.compareTo(newest) < 0 ? age : newest;
      oldest = oldest == null || age.compareTo(oldest) > 0 ? age : oldest;
    }
    h.put("stale", stale);
    h.put("stale_books", staleBooks);
    h.put("stale_after_seconds", Json.seconds(settings.staleAfter()));
    if (newest != null) {
      h.put("newest_age_seconds", Json.seconds(newest));
      h.put("oldest_age_seconds", Json.seconds(oldest));
    }
    ObjectNode byState = h.putObject("by_state");
    for (BookHealth.State st : BookHealth.State.values()) {
      byState.put(st.name().toLowerCase(java.util.Locale.ROOT),
          engine.stream().filter(b -> b.state() == st).count());
    }
    ObjectNode byOrigin = h.putObject("by_origin");
    for (BookHealth.Origin or : BookHealth.Origin.values()) {
      byOrigin.put(or.name().toLowerCase(java.util.Locale.ROOT),
          engine.stream().filter(b -> b.origin() == or).count());
    }
    if (each) {
      ArrayNode health = h.putArray("health");
      for (BookHealth b : engine) {
        ObjectNode e = health.addObject();
        e.put("instrument", b.instrument().toString());
        e.put("priority", b.priority());
        e.put("origin", b.origin().name().toLowerCase(java.util.Locale.ROOT));
        e.put("state", b.state().name().toLowerCase(java.util.Locale.ROOT));
        if (b.age() != null) {
          e.put("age_seconds", Json.seconds(b.age()));
        }
        if (b.lastError() != null) {
          e.put("last_error", b.lastError().name().toLowerCase(java.util.Locale.ROOT));
          e.put("failures", b.failures());
        }
      }
    }
    if (each) {
      ArrayNode list = h.putArray("each");
      mine.sort(Comparator.comparing((MarketSnapshot s) -> s.instrument())
          .thenComparing(s -> s instanceof BookSnapshot ? 0 : 1));
      for (MarketSnapshot s : mine) {
        Duration age = s.ageAt(now);
        ObjectNode b = list.addObject();
        b.put("instrument", s.instrument().toString());
        b.put("kind", s instanceof BookSnapshot ? "book" : "ticker");
        b.put("age_seconds", Json.seconds(age));
        b.put("state", age.compareTo(settings.staleAfter()) > 0
            || remoteStale.contains(s.instrument()) ? "stale" : "live");
      }
    }
  }

  private static String state(ObjectNode o, Activity.@Nullable State act,
      @Nullable VenueReport last) {
    if (act != null && act.failedInARow() >= FAILING_IN_A_ROW) {
      return "failing";
    }
    if (last != null && last.successes() == 0 && last.failed() > 0) {
      return "failing";
    }
    ObjectNode books = (ObjectNode) o.get("books");
    long total = books.get("books").asLong() + books.get("tickers").asLong();
    if (total == 0) {
      return act != null && act.requests() > 0 ? "no data" : "starting";
    }
    if (books.get("stale").asLong() == total) {
      return "stale";
    }
    return "ok";
  }

  private String message(ObjectNode o, Activity.@Nullable State act,
      @Nullable VenueReport last, Instant now) {
    String state = o.get("state").asText();
    ObjectNode books = (ObjectNode) o.get("books");
    String freshest = books.has("newest_age_seconds")
        ? "newest data " + fmt(books.get("newest_age_seconds").asDouble()) + " s old"
        : "no data yet";
    switch (state) {
      case "failing" -> {
        StringBuilder m = new StringBuilder();
        if (act != null && act.failedInARow() > 0) {
          m.append(act.failedInARow()).append(" requests failed in a row");
          if (act.lastFailure() != null) {
            m.append(" (last: ").append(Json.name(act.lastFailure()).replace('_', ' '))
                .append(')');
          }
        } else if (last != null) {
          m.append("every request of cycle ").append(o.get("progress").get("cycle").asLong())
              .append(" failed (").append(last.failed()).append(')');
        }
        if (act != null && act.lastSuccessAt() != null) {
          m.append("; last success ")
              .append(fmt(Json.seconds(Json.age(act.lastSuccessAt(), now)))).append(" s ago");
        } else {
          m.append("; no success yet");
        }
        return m.append("; ").append(freshest).append("; the other venues go on").toString();
      }
      case "starting" -> {
        return "waiting for the first answers";
      }
      case "no data" -> {
        return "requests sent but no valid data yet";
      }
      case "stale" -> {
        if (books.get("by_origin").get("remote").asLong() > 0) {
          return "every book is stale: the node publishing them is stopped or silent, or no "
              + "longer refreshes them; " + freshest;
        }
        return "every book is older than " + fmt(Json.seconds(settings.staleAfter())) + " s; "
            + freshest;
      }
      default -> {
        return freshest;
      }
    }
  }

  /**
   * The venue's own rate-limit window, within [{@link #RATE_WINDOW}, {@link #MAX_RATE_WINDOW}]:
   * over it the weight per second compares with the limit's without counting a burst the
   * window allows as an excess.
   */
  private static Duration rateWindow(@Nullable RateLimitSpec limit) {
    if (limit == null || limit.window().compareTo(RATE_WINDOW) < 0) {
      return RATE_WINDOW;
    }
    return limit.window().compareTo(MAX_RATE_WINDOW) > 0 ? MAX_RATE_WINDOW : limit.window();
  }

  /** Every venue's status. */
  public ObjectNode venues(boolean books) {
    ObjectNode o = Json.object();
    ArrayNode list = o.putArray("venues");
    for (String v : venues()) {
      list.add(venue(v, books));
    }
    return o;
  }

  /**
   * The dashboard's picture at this moment: every venue's row, the requests that completed since
   * {@code since} per venue (each {@code [start ms, round trip ms, outcome, priority]} with
   * outcome 0 ok, 1 throttled, 2 transient, 3 bad data, 4 permanent, 5 cancelled by the
   * scanner), the latest scan, the
   * strongest signals and the freshest priority books.
   */
  public ObjectNode dashboard(Instant since) {
    Instant now = settings.scanner().view().now();
    ObjectNode o = venues(false);
    o.put("now_ms", now.toEpochMilli());
    o.put("since_ms", since.toEpochMilli());
    o.put("tap", settings.activity() != null);
    ObjectNode timeline = o.putObject("timeline");
    if (settings.activity() != null) {
      for (String v : venues()) {
        ArrayNode list = timeline.putArray(v);
        for (RequestEvent e : settings.activity().venue(v).completedSince(since, TIMELINE_MAX)) {
          list.addArray().add(e.start().toEpochMilli())
              .add(Json.round(e.roundTrip().toNanos() / 1e6, 1))
              .add(e.cancelled() ? CANCELLED_OUTCOME
                  : e.failure() == null ? 0 : e.failure().ordinal() + 1)
              .add(e.priority() ? 1 : 0);
        }
      }
    }
    Scan scan = feeds.latest();
    if (scan != null) {
      ObjectNode s = o.putObject("scan");
      s.put("cycle", scan.cycle());
      s.put("age_seconds", Json.seconds(Json.age(scan.completedAt(), now)));
      s.put("duration_seconds", Json.seconds(scan.report().duration()));
      s.put("speedup", Json.round(scan.report().speedup(), 2));
      s.put("snapshots", scan.snapshots().size());
    }
    ArrayNode signals = o.putArray("signals");
    for (Signal sig : feeds.topSignals()) {
      signals.add(Json.signal(sig));
    }
    o.put("strategy", settings.signals() != null);
    o.put("alerting", settings.alerts() != null);
    ArrayNode books = o.putArray("books");
    for (BookSnapshot b : freshestBooks()) {
      ObjectNode n = books.addObject();
      n.put("venue", b.venue());
      n.put("instrument", b.instrument().toString());
      if (b.isTwoSided()) {
        n.put("bid", b.bestBid());
        n.put("ask", b.bestAsk());
        n.put("spread_bps", Json.round(b.spread() / b.mid() * 1e4, 2));
      }
      n.put("age_seconds", Json.seconds(b.ageAt(now)));
    }
    return o;
  }

  private List<BookSnapshot> freshestBooks() {
    List<String> priority = settings.priority();
    List<BookSnapshot> books = new ArrayList<>();
    for (BookSnapshot b : settings.scanner().view().books()) {
      if (priority.isEmpty() || priority.contains(b.instrument().base())) {
        books.add(b);
      }
    }
    books.sort(Comparator.comparing(BookSnapshot::receivedAt).reversed());
    return books.subList(0, Math.min(BOOKS_SHOWN, books.size()));
  }

  private static String fmt(double seconds) {
    return String.format(Locale.ROOT, seconds < 10 ? "%.1f" : "%.0f", seconds);
  }
}
