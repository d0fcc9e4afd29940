package dev.scanflux.core.alert;

import static dev.scanflux.core.alert.SinkTesting.await;
import static dev.scanflux.core.alert.SinkTesting.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.scanflux.core.alert.AlertEvent.Type;
import dev.scanflux.core.alert.LoopbackServer.Request;
import dev.scanflux.core.alert.LoopbackServer.Response;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The webhook sink against a loopback receiver that checks the signature. */
class WebhookSinkTest {

  static final String SECRET = "whsec-shared-SECRET-42";
  static final DeliveryConfig FAST = SinkTesting.FAST;

  LoopbackServer server;
  WebhookSink sink;

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
    }
    if (server != null) {
      server.close();
    }
  }

  /** What a receiver does: recompute the HMAC of the raw body with the shared secret. */
  static boolean signed(Request r) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String expected = "sha256=" + HexFormat.of().formatHex(
          mac.doFinal(r.body().getBytes(StandardCharsets.UTF_8)));
      return expected.equals(r.header("X-Scanflux-Signature"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Map<String, String> flat(String json) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      String path = "";
      JsonToken t;
      java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.FIELD_NAME) {
          path = String.join(".", stack) + (stack.isEmpty() ? "" : ".") + p.currentName();
        } else if (t == JsonToken.START_OBJECT && !path.isEmpty()) {
          stack.addLast(path.substring(path.lastIndexOf('.') + 1));
        } else if (t == JsonToken.END_OBJECT && !stack.isEmpty()) {
          stack.removeLast();
        } else if (t.isScalarValue() && !path.isEmpty()) {
          out.merge(path, p.getValueAsString(t == JsonToken.VALUE_NULL ? "null" : ""),
              (a, b) -> a + "," + b);
        }
      }
    }
    return out;
  }

  @Test
  void postsTheVersionedBodySignedWithAnIdempotencyKey() throws IOException {
    server = new LoopbackServer(r -> signed(r) ? Response.json(204, "")
        : Response.json(401, "{\"error\":\"bad signature\"}"));
    sink = WebhookSink.builder(server.uri().resolve("/hooks/scanflux")).secret(Secret.of(SECRET))
        .delivery(FAST).build();
    sink.offer(event(Type.OPENED, "bid", 0));
    sink.offer(event(Type.SUPPRESSED, "bid", 0));   // not sent
    sink.offer(event(Type.CLOSED, "bid", 2));
    await("2 deliveries", () -> sink.stats().delivered() == 2);

    List<Request> got = server.requests();
    assertThat(got).hasSize(2).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/hooks/scanflux");
      assertThat(signed(r)).isTrue();
    });
    assertThat(got).extracting(r -> r.header("Idempotency-Key"))
        .containsExactly("3f2a9c0d1b7e4a55-0", "3f2a9c0d1b7e4a55-2");
    assertThat(got).extracting(r -> r.header("X-Scanflux-Event"))
        .containsExactly("opened", "closed");
    Map<String, String> closed = flat(got.get(1).body());
    assertThat(closed).containsEntry("version", "1")
        .containsEntry("eventId", "3f2a9c0d1b7e4a55-2")
        .containsEntry("type", "closed")
        .containsEntry("at", "2026-12-06T02:04:42Z")
        .containsEntry("alert.id", "3f2a9c0d1b7e4a55")
        .containsEntry("alert.kind", "order-book-wall")
        .containsEntry("alert.venues", "binance")
        .containsEntry("alert.instruments", "BTC/USDT")
        .containsEntry("alert.subject", "binance bid")
        .containsEntry("alert.firstSeen", "2026-12-06T02:00:00Z")
        .containsEntry("alert.lastSeen", "2026-12-06T02:04:12Z")
        .containsEntry("alert.closedAt", "2026-12-06T02:04:42Z")
        .containsEntry("alert.lifetimeMs", "252000")
        .containsEntry("alert.signals", "51")
        .containsEntry("alert.suppressed", "false")
        .containsEntry("alert.peak.strength", "1200000.0")
        .containsKeys("alert.latest.description", "alert.peak.at", "text");
    assertThat(flat(got.get(0).body())).containsEntry("alert.closedAt", "null");
  }

  @Test
  void aWrongSecretIsRejectedByTheReceiverAndNotRetried() throws IOException {
    server = new LoopbackServer(r -> signed(r) ? Response.json(204, "")
        : Response.json(401, "{\"error\":\"bad signature\"}"));
    sink = WebhookSink.builder(server.uri()).secret(Secret.of("not-the-secret")).delivery(FAST)
        .build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("rejected", () -> sink.stats().rejected() == 1);
    assertThat(server.requests()).hasSize(1);
    assertThat(sink.stats().lastError()).isEqualTo("HTTP 401");
  }

  @Test
  void withoutASecretThereIsNoSignature() throws IOException {
    server = new LoopbackServer(r -> Response.json(200, "{}"));
    sink = WebhookSink.builder(server.uri()).delivery(FAST).build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("delivered", () -> sink.stats().delivered() == 1);
    assertThat(server.requests().get(0).header("X-Scanflux-Signature")).isEmpty();
  }

  @Test
  void retriesServerErrorsWithTheSameBodyAndKey() throws IOException {
    server = new LoopbackServer(r -> server.requests().size() < 3 ? Response.json(503, "")
        : Response.json(200, "{}"));
    sink = WebhookSink.builder(server.uri()).secret(Secret.of(SECRET)).delivery(FAST).build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("delivered", () -> sink.stats().delivered() == 1);
    assertThat(sink.stats().retries()).isEqualTo(2);
    assertThat(server.requests()).hasSize(3)
        .extracting(Request::body).containsOnly(server.requests().get(0).body());
    assertThat(server.requests()).extracting(r -> r.header("Idempotency-Key"))
        .containsOnly("3f2a9c0d1b7e4a55-0");
  }

  @Test
  void honoursRetryAfterOn429() throws IOException {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try {
      server = new LoopbackServer(r -> server.requests().size() == 1
          ? new Response(429, "", Map.of("Retry-After", "5")) : Response.json(200, "{}"));
      sink = WebhookSink.builder(server.uri()).delivery(FAST).scheduler(vts).build();
      sink.offer(event(Type.OPENED, "bid", 0));
      await("retry scheduled", () -> sink.stats().retries() == 1);
      vts.advanceTimeBy(Duration.ofMillis(4_999));
      assertThat(server.requests()).hasSize(1);
      vts.advanceTimeBy(Duration.ofMillis(1));
      await("delivered", () -> sink.stats().delivered() == 1);
    } finally {
      vts.dispose();
    }
  }

  @Test
  void neitherTheUrlsTokenNorTheSecretShowInErrors() {
    URI url = URI.create("https://hooks.example.com/services/T000/B000/XXXXsecretpath");
    sink = WebhookSink.builder(url).secret(Secret.of(SECRET))
        .delivery(DeliveryConfig.custom().maxAttempts(1).build())
        .transport(request -> CompletableFuture.failedFuture(new IOException(
            "failed " + request.uri() + " signed " + request.headers()
                .firstValue("X-Scanflux-Signature").orElse("") + " with " + SECRET)))
        .build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("failed", () -> sink.stats().failed() == 1);
    String text = sink.stats() + " " + sink;
    assertThat(text).contains("<webhook URL>").doesNotContain("XXXXsecretpath")
        .doesNotContain(SECRET);
  }
}
