package dev.scanflux.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.server.Thresholds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code POST /api/scanner/scan} body, read and checked: {@code {"exchange": "binance"}} or
 * {@code {"exchange": ["binance", "okx"]}}, optional {@code "thresholds": {"min_edge": 0.001}}
 * (a declared threshold may also be given at the top level, as the original service took it), and
 * optional {@code "limit"}, the most signals in the answer.
 *
 * @param venues     the venues, lower case, without duplicates, in the order given
 * @param thresholds every declared threshold, given or default
 * @param limit      the most signals to answer with, strongest first
 */
public record ScanQuery(List<String> venues, Thresholds thresholds, int limit) {

  /** Most venues in one request. */
  public static final int MAX_VENUES = 32;
  /** Default and most signals in one answer. */
  public static final int DEFAULT_LIMIT = 100;
  /** Most signals one answer may ask for. */
  public static final int MAX_LIMIT = 5000;

  /**
   * Reads a body.
   *
   * @param body       the request body
   * @param known      every venue the server can scan (running or one-off)
   * @param thresholds the declared thresholds, by name
   * @throws BadRequest naming the problem
   */
  public static ScanQuery parse(String body, Set<String> known,
      Map<String, ThresholdSpec> thresholds) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw BadRequest.of("malformed_json", "the body is not valid JSON: "
          + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr());
    }
    if (root == null || !root.isObject()) {
      throw BadRequest.of("malformed_json", "the body must be a JSON object such as "
          + "{\"exchange\": \"binance\"}");
    }
    Map<String, Double> values = new LinkedHashMap<>();
    thresholds.values().forEach(t -> values.put(t.name(), t.defaultValue()));
    List<String> venues = null;
    int limit = DEFAULT_LIMIT;
    for (Map.Entry<String, JsonNode> f : root.properties()) {
      switch (f.getKey()) {
        case "exchange" -> venues = venues(f.getValue(), known);
        case "thresholds" -> {
          if (!f.getValue().isObject()) {
            throw BadRequest.of("bad_threshold", "'thresholds' must be an object of numbers "
                + "such as {\"" + first(thresholds) + "\": 0.001} but was "
                + type(f.getValue()));
          }
          f.getValue().properties().forEach(
              t -> values.put(t.getKey(), threshold(t.getKey(), t.getValue(), thresholds)));
        }
        case "limit" -> limit = limit(f.getValue());
        default -> {
          if (!thresholds.containsKey(f.getKey())) {
            throw BadRequest.of("unknown_field", "unknown field '" + f.getKey()
                + "'; allowed: exchange, thresholds, limit" + (thresholds.isEmpty() ? ""
                : ", or a threshold: " + new TreeSet<>(thresholds.keySet())));
          }
          values.put(f.getKey(), threshold(f.getKey(), f.getValue(), thresholds));
        }
      }
    }
    if (venues == null) {
      throw BadRequest.of("missing_exchange", "the body must name an exchange: "
          + "{\"exchange\": \"binance\"} or {\"exchange\": [\"binance\", \"okx\"]}");
    }
    return new ScanQuery(venues, new Thresholds(values), limit);
  }

  private static List<String> venues(JsonNode node, Set<String> known) {
    List<JsonNode> items = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(items::add);
      if (items.isEmpty()) {
        throw BadRequest.of("missing_exchange", "'exchange' must name at least one exchange");
      }
      if (items.size() > MAX_VENUES) {
        throw BadRequest.of("too_many_exchanges", "'exchange' may name at most " + MAX_VENUES
            + " exchanges but named " + items.size());
      }
    } else {
      items.add(node);
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode item : items) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw BadRequest.of("bad_exchange", "'exchange' must be an exchange name or a list of "
            + "names, but held " + type(item));
      }
      String name = item.asText().strip().toLowerCase(Locale.ROOT);
      if (!known.contains(name)) {
        throw BadRequest.of("unknown_exchange", "unknown exchange '" + clip(item.asText())
            + "'; this server scans: " + new TreeSet<>(known));
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  private static double threshold(String name, JsonNode value,
      Map<String, ThresholdSpec> thresholds) {
    ThresholdSpec spec = thresholds.get(name);
    if (spec == null) {
      throw BadRequest.of("bad_threshold", "unknown threshold '" + clip(name) + "'; "
          + (thresholds.isEmpty() ? "this server declares none"
          : "declared: " + new TreeSet<>(thresholds.keySet())));
    }
    if (!value.isNumber()) {
      throw BadRequest.of("bad_threshold", "threshold '" + name + "' must be a number in ["
          + spec.min() + ", " + spec.max() + "] but was " + type(value));
    }
    double v = value.doubleValue();
    if (!Double.isFinite(v) || v < spec.min() || v > spec.max()) {
      throw BadRequest.of("bad_threshold", "threshold '" + name + "' must be in ["
          + spec.min() + ", " + spec.max() + "] but was " + value.asText());
    }
    return v;
  }

  private static int limit(JsonNode value) {
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 1
        || value.intValue() > MAX_LIMIT) {
      throw BadRequest.of("bad_limit", "'limit' must be an integer in [1, " + MAX_LIMIT
          + "] but was " + clip(value.toString()));
    }
    return value.intValue();
  }

  private static String first(Map<String, ThresholdSpec> thresholds) {
    return thresholds.isEmpty() ? "name" : new TreeSet<>(thresholds.keySet()).first();
  }

  /** The JSON type of a value and the value, clipped, for error messages. */
  private static String type(JsonNode n) {
    String type = switch (n.getNodeType()) {
      case NUMBER -> "a number";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
    return n.isNull() ? type : type + " (" + clip(n.toString()) + ")";
  }

  /** At most 60 characters of something the client sent, so an answer never echoes a lot. */
  static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
