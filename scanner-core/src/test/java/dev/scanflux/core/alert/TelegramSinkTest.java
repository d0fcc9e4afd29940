package dev.scanflux.core.alert;

import static dev.scanflux.core.alert.SinkTesting.await;
import static dev.scanflux.core.alert.SinkTesting.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.alert.AlertEvent.Type;
import dev.scanflux.core.alert.LoopbackServer.Request;
import dev.scanflux.core.alert.LoopbackServer.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The Telegram sink against a loopback server speaking the Bot API. */
class TelegramSinkTest {

  static final String TOKEN = "123456789:AAE-secret_TOKEN-value";
  static final String PATH = "/bot" + TOKEN + "/sendMessage";
  static final Response OK = Response.json(200, "{\"ok\":true,\"result\":{\"message_id\":1}}");

  static final DeliveryConfig FAST = SinkTesting.FAST;

  LoopbackServer server;
  TelegramSink sink;

  @AfterEach
  void close() {
    if (sink != null) {
      sink.close(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
    }
    if (server != null) {
      server.close();
    }
  }

  TelegramSink.Builder sinkFor(URI api) {
    return TelegramSink.builder(Secret.of(TOKEN)).api(api).delivery(FAST);
  }

  static String chat(Request r) {
    return r.body().replaceAll(".*\"chat_id\":(-?\\d+|\"[^\"]*\").*", "$1");
  }

  @Test
  void sendsOpenedAndClosedToEveryChatAtTheBotPath() throws IOException {
    server = new LoopbackServer(r -> OK);
    sink = sinkFor(server.uri()).chat("111").chat("-1002223334445").build();
    sink.offer(event(Type.OPENED, "bid", 0));
    sink.offer(event(Type.UPDATED, "bid", 1));   // not sent by default
    sink.offer(event(Type.CLOSED, "bid", 2));
    await("4 deliveries", () -> sink.stats().delivered() == 4);

    List<Request> got = server.requests();
    assertThat(got).hasSize(4).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo(PATH);
      assertThat(r.header("Content-Type")).startsWith("application/json");
    });
    assertThat(got.stream().filter(r -> chat(r).equals("111")).map(Request::body).toList())
        .satisfiesExactly(
            b -> assertThat(b).contains("Alert opened: order-book-wall BTC/USDT binance bid"),
            b -> assertThat(b).contains("Alert closed").contains("lasted 4 min 12 s"));
    assertThat(got).filteredOn(r -> chat(r).equals("-1002223334445")).hasSize(2);
    assertThat(sink.stats()).isEqualTo(new SinkStats("telegram", 4, 0, 0, 0, 0, 0, 0, ""));
  }

  @Test
  void waitsTheRetryAfterTelegramAsksForOn429() throws IOException {
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try {
      server = new LoopbackServer(r -> server.requests().size() == 1
          ? Response.json(429, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
              + "Requests: retry after 7\",\"parameters\":{\"retry_after\":7}}")
          : OK);
      sink = sinkFor(server.uri()).chat("111").scheduler(vts).build();
      sink.offer(event(Type.OPENED, "bid", 0));
      await("the retry scheduled", () -> sink.stats().retries() == 1);
      assertThat(sink.stats().lastError()).isEqualTo(
          "chat 111: HTTP 429: Too Many Requests: retry after 7");

      vts.advanceTimeBy(Duration.ofMillis(6_999));
      assertThat(server.requests()).hasSize(1);
      vts.advanceTimeBy(Duration.ofMillis(1));
      await("the retry delivered", () -> sink.stats().delivered() == 1);
      assertThat(server.requests()).hasSize(2);
      assertThat(server.requests().get(1).body()).isEqualTo(server.requests().get(0).body());
    } finally {
      vts.dispose();
    }
  }

  @Test
  void aBadChatIsRejectedAndCountedNotRetried() throws IOException {
    server = new LoopbackServer(r -> chat(r).equals("999")
        ? Response.json(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
            + "chat not found\"}")
        : OK);
    sink = sinkFor(server.uri()).chat("999").chat("111").build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("both chats done", () -> sink.stats().pending() == 0
        && sink.stats().delivered() + sink.stats().rejected() == 2);
    SinkStats stats = sink.stats();
    assertThat(stats.delivered()).isEqualTo(1);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(stats.retries()).isZero();
    assertThat(stats.lastError()).isEqualTo("chat 999: HTTP 400: Bad Request: chat not found");
    assertThat(server.requests()).filteredOn(r -> chat(r).equals("999")).hasSize(1);
  }

  @Test
  void serverErrorsAreRetriedWithBackoffThenGivenUp() throws IOException {
    server = new LoopbackServer(r -> Response.json(502, "bad gateway"));
    sink = sinkFor(server.uri()).chat("111")
        .delivery(DeliveryConfig.custom().maxAttempts(3)
            .backoff(Duration.ofMillis(10), Duration.ofMillis(20)).build())
        .build();
    sink.offer(event(Type.OPENED, "bid", 0));
    await("given up", () -> sink.stats().failed() == 1);
    assertThat(sink.stats().retries()).isEqualTo(2);
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void aFullOutboxDropsTheOldestAndCountsThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = new LoopbackServer(r -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return OK;
    });
    sink = sinkFor(server.uri()).chat("111")
        .delivery(DeliveryConfig.custom().outbox(3).requestTimeout(Duration.ofSeconds(30))
            .build())
        .build();
    for (int i = 0; i < 10; i++) {
      sink.offer(event(Type.OPENED, "wall" + i, 0));
    }
    // the first is in flight, the outbox holds the last 3, the 6 between were dropped
    assertThat(sink.stats().dropped()).isEqualTo(6);
    assertThat(sink.stats().pending()).isEqualTo(4);
    release.countDown();
    await("the rest delivered", () -> sink.stats().delivered() == 4);
    assertThat(server.requests()).extracting(r -> r.body().replaceAll(".* bid wall.*", "")
            .replaceAll(".*BTC/USDT binance (wall\\d).*", "$1"))
        .containsExactly("wall0", "wall7", "wall8", "wall9");
  }

  @Test
  void closeDeliversWhatIsQueued() throws IOException {
    server = new LoopbackServer(r -> OK);
    sink = sinkFor(server.uri()).chat("111")
        .delivery(DeliveryConfig.custom().spacing(Duration.ofMillis(50)).build()).build();
    for (int i = 0; i < 5; i++) {
      sink.offer(event(Type.OPENED, "wall" + i, 0));
    }
    sink.close(Duration.ofSeconds(15)).block(Duration.ofSeconds(30));
    assertThat(sink.stats().delivered()).isEqualTo(5);
    assertThat(sink.stats().pending()).isZero();
    sink.offer(event(Type.OPENED, "late", 0));
    assertThat(sink.stats().abandoned()).isEqualTo(1);
    sink = null;
  }

  @Test
  void closeGivesUpAfterItsTimeoutAndCountsWhatIsLeft() throws IOException {
    CountDownLatch never = new CountDownLatch(1);
    server = new LoopbackServer(r -> {
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return OK;
    });
    sink = sinkFor(server.uri()).chat("111").build();
    sink.offer(event(Type.OPENED, "a", 0));
    sink.offer(event(Type.OPENED, "b", 0));
    long start = System.nanoTime();
    sink.close(Duration.ofMillis(300)).block(Duration.ofSeconds(30));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(sink.stats().abandoned()).isEqualTo(2);
    assertThat(sink.stats().pending()).isZero();
    never.countDown();
    sink = null;
  }

  @Test
  void anIoErrorOnTheTokenUrlNeverShowsTheToken() throws IOException {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    TelegramSink refused = null;
    try {
      // an exception that quotes the URL, as some HTTP stacks do
      sink = TelegramSink.builder(Secret.of(TOKEN)).chat("111")
          .delivery(DeliveryConfig.custom().maxAttempts(2)
              .backoff(Duration.ofMillis(5), Duration.ofMillis(5)).build())
          .transport(request -> CompletableFuture.failedFuture(
              new IOException("connection reset while POSTing to " + request.uri())))
          .build();
      sink.offer(event(Type.OPENED, "bid", 0));
      await("given up", () -> sink.stats().failed() == 1);
      // and a real one: nobody listens on the port
      refused = TelegramSink.builder(Secret.of(TOKEN)).chat("111")
          .api(URI.create("http://127.0.0.1:" + closedPort))
          .delivery(DeliveryConfig.custom().maxAttempts(1).build()).build();
      refused.offer(event(Type.OPENED, "bid", 0));
      TelegramSink r = refused;
      await("refused", () -> r.stats().failed() == 1);

      assertThat(sink.stats().lastError())
          .isEqualTo("IOException: connection reset while POSTing to https://api.telegram.org"
              + "/bot****/sendMessage");
      assertThat(refused.stats().lastError()).startsWith("ConnectException");
      String everything = captured.toString(StandardCharsets.UTF_8) + sink.stats() + sink
          + refused.stats() + refused + Secret.of(TOKEN);
      assertThat(everything).contains("gave up").doesNotContain(TOKEN)
          .doesNotContain("AAE-secret_TOKEN");
    } finally {
      System.setErr(err);
      if (refused != null) {
        refused.close(Duration.ofSeconds(1)).block(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void theBuilderChecksItsArguments() {
    TelegramSink.Builder b = TelegramSink.builder(Secret.of(TOKEN));
    assertThatThrownBy(() -> b.chat("not a chat")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat must be");
    assertThatThrownBy(() -> b.api(URI.create("ftp://x"))).hasMessageContaining("api must be");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one chat");
    assertThatThrownBy(() -> Secret.of("  ")).hasMessage("a secret must not be blank");
  }
}
