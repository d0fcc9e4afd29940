package dev.scanflux.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.alert.Alert;
import dev.scanflux.core.alert.AlertEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** The JSON shapes of the scan service's answers and events. Stateless. */
public final class Json {

  /** The one mapper: thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A new empty object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The text of a node. */
  public static String write(Object node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Seconds with millisecond precision. */
  public static double seconds(Duration d) {
    return Math.round(d.toNanos() / 1e6) / 1e3;
  }

  /** A lower-case name of an enum constant, {@code bad_data} style. */
  public static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** A scan: its times, snapshot counts and report. */
  public static ObjectNode scan(Scan scan, Instant now) {
    ObjectNode o = object();
    o.put("cycle", scan.cycle());
    o.put("started_at", scan.startedAt().toString());
    o.put("completed_at", scan.completedAt().toString());
    o.put("age_seconds", seconds(age(scan.completedAt(), now)));
    long books = scan.snapshots().stream().filter(BookSnapshot.class::isInstance).count();
    o.put("books", books);
    o.put("tickers", scan.snapshots().size() - books);
    o.set("report", report(scan.report()));
    return o;
  }

  /** A scan report, every venue's in the scanner's order. */
  public static ObjectNode report(ScanReport r) {
    ObjectNode o = object();
    o.put("cycle", r.cycle());
    o.put("duration_seconds", seconds(r.duration()));
    o.put("sequential_duration_estimated", seconds(r.sequentialEstimate()));
    o.put("speedup", round(r.speedup(), 3));
    o.put("requests", r.requests());
    o.put("failed", r.failed());
    o.put("cancelled", r.cancelled());
    o.put("throttled", r.throttles());
    ObjectNode venues = o.putObject("venues");
    r.venues().forEach((name, v) -> venues.set(name, venue(v)));
    return o;
  }

  /** One venue's part of a cycle. */
  public static ObjectNode venue(VenueReport v) {
    ObjectNode o = object();
    o.put("instruments", v.instruments());
    o.put("requests", v.requests());
    o.put("successes", v.successes());
    o.set("failures", failures(v.failures()));
    o.put("cancelled", v.cancelled());
    o.put("retries", v.retries());
    o.put("gave_up", v.gaveUp());
    o.put("weight_used", v.weightUsed());
    o.put("duration_seconds", seconds(v.duration()));
    o.put("latency_p50_ms", round(v.latencyP50().toNanos() / 1e6, 1));
    o.put("latency_p99_ms", round(v.latencyP99().toNanos() / 1e6, 1));
    o.put("utilisation", round(v.utilisation(), 3));
    o.put("rediscovered", v.rediscovered());
    o.set("stream", stream(v.stream()));
    return o;
  }

  /** Failures by class, every class present. */
  public static ObjectNode failures(Map<ErrorClass, Long> failures) {
    ObjectNode o = object();
    for (ErrorClass c : ErrorClass.values()) {
      o.put(name(c), failures.getOrDefault(c, 0L));
    }
    return o;
  }

  private static ObjectNode stream(StreamReport s) {
    ObjectNode o = object();
    o.put("state", name(s.state()));
    if (s.state() == StreamReport.State.OFF) {
      return o;
    }
    o.put("live_books", s.liveBooks());
    o.put("live_tickers", s.liveTickers());
    o.put("updates", s.updates());
    o.put("connects", s.connects());
    o.put("disconnects", s.disconnects());
    ObjectNode resyncs = o.putObject("resyncs");
    for (ResyncCause c : ResyncCause.values()) {
      resyncs.put(name(c), s.resyncs(c));
    }
    o.put("rejected", s.rejected());
    o.put("polled", s.polled());
    return o;
  }

  /** A book or a ticker with its age at {@code now}. */
  public static ObjectNode snapshot(MarketSnapshot s, Instant now) {
    return s instanceof BookSnapshot b ? book(b, now, b.bidLevels()) : ticker((TickerSnapshot) s, now);
  }

  /** A book, at most {@code levels} levels a side. */
  public static ObjectNode book(BookSnapshot b, Instant now, int levels) {
    ObjectNode o = head("book", b, now);
    if (b.contractSize() != 1.0) {
      o.put("contract_size", b.contractSize());
    }
    ArrayNode bids = o.putArray("bids");
    for (int i = 0; i < Math.min(levels, b.bidLevels()); i++) {
      bids.addArray().add(b.bidPrice(i)).add(b.bidSize(i));
    }
    ArrayNode asks = o.putArray("asks");
    for (int i = 0; i < Math.min(levels, b.askLevels()); i++) {
      asks.addArray().add(b.askPrice(i)).add(b.askSize(i));
    }
    return o;
  }

  /** A ticker. */
  public static ObjectNode ticker(TickerSnapshot t, Instant now) {
    ObjectNode o = head("ticker", t, now);
    o.put("bid", t.bid());
    o.put("ask", t.ask());
    o.put("last", t.last());
    o.put("base_volume_24h", t.baseVolume24h());
    o.put("quote_volume_24h", t.quoteVolume24h());
    o.put("change_24h", t.change24h());
    return o;
  }

  private static ObjectNode head(String kind, MarketSnapshot s, Instant now) {
    ObjectNode o = object();
    o.put("kind", kind);
    o.put("venue", s.venue());
    o.put("instrument", s.instrument().toString());
    o.put("exchange_time", s.exchangeTime().toString());
    o.put("received_at", s.receivedAt().toString());
    o.put("age_seconds", seconds(s.ageAt(now)));
    return o;
  }

  /** A signal, without its evidence (its count only). */
  public static ObjectNode signal(Signal s) {
    ObjectNode o = object();
    o.put("kind", s.kind());
    o.put("description", s.description());
    ArrayNode venues = o.putArray("venues");
    s.venues().forEach(venues::add);
    ArrayNode instruments = o.putArray("instruments");
    s.instruments().forEach(i -> instruments.add(i.toString()));
    o.put("at", s.at().toString());
    o.put("strength", s.strength());
    o.put("evidence", s.evidence().size());
    return o;
  }

  /**
   * An alert's state: its id, key (kind, instruments, subject), its latest signal's description
   * and venues, peak, times and lifetime.
   */
  public static ObjectNode alert(Alert a, Instant now) {
    ObjectNode o = object();
    o.put("id", a.id());
    o.put("key", a.key().toString());
    o.put("kind", a.key().kind());
    o.put("subject", a.key().subject());
    o.put("description", a.latest().description());
    ArrayNode venues = o.putArray("venues");
    a.latest().venues().forEach(venues::add);
    ArrayNode instruments = o.putArray("instruments");
    a.key().instruments().forEach(i -> instruments.add(i.toString()));
    o.put("value", a.latest().strength());
    o.put("peak", a.peakValue());
    o.put("signals", a.signals());
    o.put("first_seen", a.firstSeen().toString());
    o.put("last_seen", a.lastSeen().toString());
    if (a.closedAt() != null) {
      o.put("closed_at", a.closedAt().toString());
    }
    o.put("open", a.isOpen());
    o.put("suppressed", a.suppressed());
    o.put("lifetime_seconds", seconds(a.lifetime()));
    o.put("age_seconds", seconds(age(a.lastSeen(), now)));
    return o;
  }

  /** An alert event: the alert's state after it, with what happened ({@code type}) and when. */
  public static ObjectNode alertEvent(AlertEvent e, Instant now) {
    ObjectNode o = alert(e.alert(), now);
    o.put("event", e.id());
    o.put("type", name(e.type()));
    o.put("at", e.at().toString());
    return o;
  }

  /** An error answer: {@code {"error": {"status": 400, "reason": "...", "message": "..."}}}. */
  public static String error(int status, String reason, String message) {
    ObjectNode o = object();
    ObjectNode e = o.putObject("error");
    e.put("status", status);
    e.put("reason", reason);
    e.put("message", message);
    return write(o);
  }

  /** From {@code from} to {@code to}, never negative. */
  public static Duration age(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Rounded to {@code digits} decimals. */
  public static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
