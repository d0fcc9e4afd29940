package dev.scanflux.core.alert.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.scanflux.core.alert.Alert;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON that alerts send: the webhook's body (schema version {@value #WEBHOOK_VERSION}) and
 * Telegram's {@code sendMessage} request, and the few fields read from Telegram's answer.
 * Written with Jackson's streaming API, so scanner-core needs no data binding.
 */
public final class WireJson {

  /** The webhook body's {@code version}; bumped only for a change that breaks a reader. */
  public static final int WEBHOOK_VERSION = 1;

  private static final JsonFactory JSON = new JsonFactory();

  private WireJson() {}

  /** The webhook body of an event; documented in docs/alerts.md. */
  public static String webhook(AlertEvent e) {
    return write(g -> {
      Alert a = e.alert();
      g.writeStartObject();
      g.writeNumberField("version", WEBHOOK_VERSION);
      g.writeStringField("eventId", e.id());
      g.writeStringField("type", e.type().name().toLowerCase(Locale.ROOT));
      g.writeStringField("at", e.at().toString());
      g.writeObjectFieldStart("alert");
      g.writeStringField("id", a.id());
      g.writeStringField("kind", a.key().kind());
      g.writeArrayFieldStart("venues");
      for (String v : a.latest().venues()) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeArrayFieldStart("instruments");
      for (Instrument i : a.key().instruments()) {
        g.writeString(i.toString());
      }
      g.writeEndArray();
      g.writeStringField("subject", a.key().subject());
      g.writeStringField("firstSeen", a.firstSeen().toString());
      g.writeStringField("lastSeen", a.lastSeen().toString());
      Instant closed = a.closedAt();
      if (closed == null) {
        g.writeNullField("closedAt");
      } else {
        g.writeStringField("closedAt", closed.toString());
      }
      g.writeNumberField("lifetimeMs", a.lifetime().toMillis());
      g.writeNumberField("signals", a.signals());
      g.writeBooleanField("suppressed", a.suppressed());
      g.writeFieldName("latest");
      signal(g, a.latest());
      g.writeFieldName("peak");
      signal(g, a.peak());
      g.writeEndObject();
      g.writeStringField("text", dev.scanflux.core.alert.AlertText.message(e));
      g.writeEndObject();
    });
  }

  private static void signal(JsonGenerator g, Signal s) throws IOException {
    g.writeStartObject();
    g.writeStringField("at", s.at().toString());
    g.writeNumberField("strength", s.strength());
    g.writeStringField("description", s.description());
    g.writeEndObject();
  }

  /** Telegram's {@code sendMessage} body: plain text, no link previews. */
  public static String telegramMessage(String chat, String text) {
    return write(g -> {
      g.writeStartObject();
      if (chat.matches("-?\\d{1,20}")) {
        g.writeNumberField("chat_id", Long.parseLong(chat));
      } else {
        g.writeStringField("chat_id", chat);
      }
      g.writeStringField("text", text);
      g.writeBooleanField("disable_web_page_preview", true);
      g.writeEndObject();
    });
  }

  /**
   * Reads the named fields of an answer, at any depth, as text: e.g. Telegram's
   * {@code description} and {@code retry_after}. A body that is not JSON gives an empty map.
   */
  public static Map<String, String> fields(@Nullable String body, Set<String> names) {
    Map<String, String> out = new HashMap<>();
    if (body == null || body.isBlank()) {
      return out;
    }
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME && names.contains(p.currentName())) {
          JsonToken v = p.nextToken();
          if (v != null && v.isScalarValue()) {
            out.putIfAbsent(p.currentName(), p.getValueAsString());
          }
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static String write(Writer w) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
