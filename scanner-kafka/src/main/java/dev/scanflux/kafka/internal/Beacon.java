package dev.scanflux.kafka.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A node's beacon on the nodes topic: {@code {"node":"n1","venues":["binance"],"running":true,
 * "at":1738324800000000000}}, times in nanoseconds since the epoch as in every record.
 *
 * @param node    the node's name
 * @param venues  the venues it scans
 * @param running false in the last beacon of a node that stopped
 * @param at      when the node sent it, on its clock
 */
public record Beacon(String node, List<String> venues, boolean running, Instant at) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final long NANOS = 1_000_000_000L;

  /** Freezes. */
  public Beacon {
    Objects.requireNonNull(node, "node");
    venues = List.copyOf(venues);
    Objects.requireNonNull(at, "at");
  }

  /** The beacon's record value. */
  public byte[] encode() {
    ByteArrayBuilder out = new ByteArrayBuilder(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("node", node);
      g.writeArrayFieldStart("venues");
      for (String v : venues) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeBooleanField("running", running);
      g.writeNumberField("at", Math.addExact(Math.multiplyExact(at.getEpochSecond(), NANOS),
          at.getNano()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a beacon.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Beacon decode(byte[] value) {
    String node = null;
    List<String> venues = null;
    Boolean running = null;
    Long at = null;
    try (JsonParser p = JSON.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a beacon must be a JSON object");
      }
      String name;
      while ((name = p.nextFieldName()) != null) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "node" -> node = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "running" -> running = t.isBoolean() ? p.getBooleanValue() : null;
          case "at" -> at = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
          case "venues" -> {
            if (t != JsonToken.START_ARRAY) {
              throw new IllegalArgumentException("beacon field \"venues\" must be an array");
            }
            venues = new ArrayList<>();
            while (p.nextToken() == JsonToken.VALUE_STRING) {
              venues.add(p.getText());
            }
          }
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("a beacon is not valid JSON: " + e.getMessage(), e);
    }
    if (node == null || venues == null || running == null || at == null) {
      throw new IllegalArgumentException(
          "a beacon needs \"node\", \"venues\", \"running\" and \"at\"");
    }
    return new Beacon(node, venues, running,
        Instant.ofEpochSecond(Math.floorDiv(at, NANOS), Math.floorMod(at, NANOS)));
  }
}
