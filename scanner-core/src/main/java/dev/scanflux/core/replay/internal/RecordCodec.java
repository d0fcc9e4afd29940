package dev.scanflux.core.replay.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.InvalidRecordException;
import dev.scanflux.core.replay.RecordingFormatException.Defect;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.ResyncCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Single records of the recording format, as bytes: a snapshot is a recording's line, a scan one
 * object holding its report and snapshots (see {@code RecordFormat}). Not thread-safe.
 */
public final class RecordCodec {

  private final SnapshotCodec snapshots = new SnapshotCodec();
  private final ByteArrayBuilder buffer = new ByteArrayBuilder(1024);

  /** Encodes a snapshot. */
  public byte[] encode(MarketSnapshot s) {
    try (JsonGenerator g = SnapshotCodec.JSON.createGenerator(buffer)) {
      SnapshotCodec.writeObject(g, s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + s, e);
    }
    return drain();
  }

  /** Encodes a scan with its report and snapshots. */
  public byte[] encode(Scan scan) {
    try (JsonGenerator g = SnapshotCodec.JSON.createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("type", "scan");
      g.writeNumberField("cycle", scan.cycle());
      g.writeFieldName("startedAt");
      SnapshotCodec.writeInstant(g, scan.startedAt());
      g.writeFieldName("completedAt");
      SnapshotCodec.writeInstant(g, scan.completedAt());
      g.writeNumberField("duration", scan.report().duration().toNanos());
      if (scan.report().listenerFailures() != 0) {
        g.writeNumberField("listenerFailures", scan.report().listenerFailures());
      }
      g.writeArrayFieldStart("venues");
      for (VenueReport v : scan.report().venues().values()) {
        writeVenue(g, v);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("snapshots");
      for (MarketSnapshot s : scan.snapshots()) {
        SnapshotCodec.writeObject(g, s);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + scan, e);
    }
    return drain();
  }

  /** Decodes a snapshot record. */
  public MarketSnapshot decodeSnapshot(byte[] record) throws InvalidRecordException {
    try {
      return snapshots.parse(record, 0, record.length);
    } catch (BadLineException e) {
      throw new InvalidRecordException(e.defect(), e.getMessage(), e.getCause());
    }
  }

  /** Decodes a scan record. */
  public Scan decodeScan(byte[] record) throws InvalidRecordException {
    try (JsonParser p = SnapshotCodec.JSON.createParser(record)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("a scan record must be a JSON object", null);
      }
      Scan scan = scan(p);
      if (p.nextToken() != null) {
        throw malformed("unexpected content after the JSON object", null);
      }
      return scan;
    } catch (BadLineException e) {
      throw new InvalidRecordException(e.defect(), e.getMessage(), e.getCause());
    } catch (JsonProcessingException e) {
      throw malformed("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw malformed("could not be parsed: " + e, e);
    }
  }

  private byte[] drain() {
    byte[] out = buffer.toByteArray();
    buffer.reset();
    return out;
  }

  private static void writeVenue(JsonGenerator g, VenueReport v) throws IOException {
    g.writeStartObject();
    g.writeStringField("venue", v.venue());
    g.writeNumberField("instruments", v.instruments());
    g.writeNumberField("requests", v.requests());
    g.writeNumberField("successes", v.successes());
    g.writeObjectFieldStart("failures");
    for (Map.Entry<ErrorClass, Long> e : v.failures().entrySet()) {
      g.writeNumberField(e.getKey().name(), e.getValue());
    }
    g.writeEndObject();
    g.writeNumberField("cancelled", v.cancelled());
    g.writeNumberField("retries", v.retries());
    g.writeNumberField("gaveUp", v.gaveUp());
    g.writeNumberField("weightUsed", v.weightUsed());
    g.writeNumberField("duration", v.duration().toNanos());
    g.writeNumberField("latencyP50", v.latencyP50().toNanos());
    g.writeNumberField("latencyP99", v.latencyP99().toNanos());
    g.writeNumberField("utilisation", v.utilisation());
    g.writeBooleanField("rediscovered", v.rediscovered());
    g.writeNumberField("passes", v.passes());
    g.writeNumberField("lastPass", v.lastPass().toNanos());
    StreamReport s = v.stream();
    g.writeObjectFieldStart("stream");
    g.writeStringField("state", s.state().name());
    g.writeNumberField("liveBooks", s.liveBooks());
    g.writeNumberField("liveTickers", s.liveTickers());
    g.writeNumberField("updates", s.updates());
    g.writeNumberField("connects", s.connects());
    g.writeNumberField("disconnects", s.disconnects());
    g.writeObjectFieldStart("resyncs");
    for (Map.Entry<ResyncCause, Long> e : s.resyncs().entrySet()) {
      g.writeNumberField(e.getKey().name(), e.getValue());
    }
    g.writeEndObject();
    g.writeNumberField("rejected", s.rejected());
    g.writeNumberField("polled", s.polled());
    g.writeEndObject();
    g.writeEndObject();
  }

  private Scan scan(JsonParser p) throws IOException, BadLineException {
    Long cycle = null;
    Instant startedAt = null;
    Instant completedAt = null;
    Long duration = null;
    long listenerFailures = 0;
    List<VenueReport> venues = null;
    List<MarketSnapshot> list = null;
    String type = null;
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (name) {
        case "type" -> type = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "cycle" -> cycle = integer(p, t, name);
        case "startedAt" -> startedAt = SnapshotCodec.instant(p, t, name);
        case "completedAt" -> completedAt = SnapshotCodec.instant(p, t, name);
        case "duration" -> duration = integer(p, t, name);
        case "listenerFailures" -> listenerFailures = integer(p, t, name);
        case "venues" -> venues = venues(p, t);
        case "snapshots" -> list = snapshots(p, t);
        default -> p.skipChildren();
      }
    }
    if (!"scan".equals(type)) {
      throw badLine("\"type\" must be \"scan\" but was " + (type == null ? "missing" : type));
    }
    try {
      ScanReport report = new ScanReport(require(cycle, "cycle"),
          require(startedAt, "startedAt"), Duration.ofNanos(require(duration, "duration")),
          require(venues, "venues"), listenerFailures);
      return new Scan(require(completedAt, "completedAt"), require(list, "snapshots"), report);
    } catch (IllegalArgumentException e) {
      throw badLine("invalid scan: " + e.getMessage());
    }
  }

  private List<MarketSnapshot> snapshots(JsonParser p, JsonToken t)
      throws IOException, BadLineException {
    if (t != JsonToken.START_ARRAY) {
      throw badLine("\"snapshots\" must be an array of snapshot objects");
    }
    List<MarketSnapshot> out = new ArrayList<>();
    JsonToken next;
    while ((next = p.nextToken()) == JsonToken.START_OBJECT) {
      out.add(snapshots.parseObject(p));
    }
    if (next != JsonToken.END_ARRAY) {
      throw badLine("\"snapshots\" must be an array of snapshot objects");
    }
    return out;
  }

  private static List<VenueReport> venues(JsonParser p, JsonToken t)
      throws IOException, BadLineException {
    if (t != JsonToken.START_ARRAY) {
      throw badLine("\"venues\" must be an array of venue reports");
    }
    List<VenueReport> out = new ArrayList<>();
    JsonToken next;
    while ((next = p.nextToken()) == JsonToken.START_OBJECT) {
      out.add(venue(fields(p)));
    }
    if (next != JsonToken.END_ARRAY) {
      throw badLine("\"venues\" must be an array of venue reports");
    }
    return out;
  }

  private static VenueReport venue(Map<String, Object> f) throws BadLineException {
    Map<String, Object> s = object(f, "stream");
    try {
      StreamReport stream = new StreamReport(StreamReport.State.valueOf(text(s, "state")),
          (int) number(s, "liveBooks"), (int) number(s, "liveTickers"), number(s, "updates"),
          number(s, "connects"), number(s, "disconnects"),
          counts(object(s, "resyncs"), ResyncCause.class), number(s, "rejected"),
          number(s, "polled"));
      Object utilisation = f.get("utilisation");
      if (!(utilisation instanceof Number u)) {
        throw badLine("venue report field \"utilisation\" must be a number");
      }
      Object rediscovered = f.get("rediscovered");
      if (!(rediscovered instanceof Boolean r)) {
        throw badLine("venue report field \"rediscovered\" must be a boolean");
      }
      return new VenueReport(text(f, "venue"), (int) number(f, "instruments"),
          number(f, "requests"), number(f, "successes"),
          counts(object(f, "failures"), ErrorClass.class), optionalNumber(f, "cancelled"),
          number(f, "retries"),
          number(f, "gaveUp"), number(f, "weightUsed"), Duration.ofNanos(number(f, "duration")),
          Duration.ofNanos(number(f, "latencyP50")), Duration.ofNanos(number(f, "latencyP99")),
          u.doubleValue(), r, stream, optionalNumber(f, "passes"),
          Duration.ofNanos(optionalNumber(f, "lastPass")));
    } catch (IllegalArgumentException e) {
      throw badLine("invalid venue report: " + e.getMessage());
    }
  }

  /** A count added after the first version: 0 where a record written before it has none. */
  private static long optionalNumber(Map<String, Object> f, String name) throws BadLineException {
    return f.get(name) == null ? 0 : number(f, name);
  }

  /** Counts by enum name; names this version does not know are ignored, as unknown fields are. */
  private static <E extends Enum<E>> Map<E, Long> counts(Map<String, Object> f, Class<E> type)
      throws BadLineException {
    Map<E, Long> out = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      if (f.containsKey(e.name())) {
        out.put(e, number(f, e.name()));
      }
    }
    return out;
  }

  /** The fields of a flat object (values: strings, numbers, booleans, nested objects). */
  private static Map<String, Object> fields(JsonParser p) throws IOException, BadLineException {
    Map<String, Object> out = new HashMap<>();
    String name;
    while ((name = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (t) {
        case VALUE_STRING -> out.put(name, p.getText());
        case VALUE_NUMBER_INT -> out.put(name, p.getLongValue());
        case VALUE_NUMBER_FLOAT -> out.put(name, p.getDoubleValue());
        case VALUE_TRUE, VALUE_FALSE -> out.put(name, p.getBooleanValue());
        case START_OBJECT -> out.put(name, fields(p));
        default -> p.skipChildren();
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Map<String, Object> f, String name)
      throws BadLineException {
    Object v = f.get(name);
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw badLine("venue report field \"" + name + "\" must be an object");
  }

  private static String text(Map<String, Object> f, String name) throws BadLineException {
    if (f.get(name) instanceof String s) {
      return s;
    }
    throw badLine("venue report field \"" + name + "\" must be a string");
  }

  private static long number(Map<String, Object> f, String name) throws BadLineException {
    if (f.get(name) instanceof Long n) {
      return n;
    }
    throw badLine("venue report field \"" + name + "\" must be an integer");
  }

  private static long integer(JsonParser p, JsonToken t, String name)
      throws IOException, BadLineException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw badLine("\"" + name + "\" must be an integer");
    }
    return p.getLongValue();
  }

  private static <T> T require(@Nullable T value, String name) throws BadLineException {
    if (value == null) {
      throw badLine("required field \"" + name + "\" is missing");
    }
    return value;
  }

  private static BadLineException badLine(String detail) {
    return new BadLineException(Defect.MALFORMED_LINE, detail, null);
  }

  private static InvalidRecordException malformed(String detail, @Nullable Throwable cause) {
    return new InvalidRecordException(Defect.MALFORMED_LINE, detail, cause);
  }
}
