package dev.scanflux.simulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** The JSON writer the wire formats share. */
public final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree built in memory cannot fail to serialise", e);
    }
  }

  public static JsonNode read(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /**
   * A client's request, or null if {@code text} is not JSON, after {@code refuse} answered it.
   *
   * @param refuse sends the venue's answer to a frame that is not JSON
   */
  public static @Nullable JsonNode request(String text, Consumer<JsonProcessingException> refuse) {
    try {
      return read(text);
    } catch (JsonProcessingException e) {
      refuse.accept(e);
      return null;
    }
  }
}
