package dev.scanflux.exchanges.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;

/**
 * The native sources' HTTP client against a scripted, hostile server on loopback: bodies capped
 * while read, a deadline that stops a slow body, no re-send after a reset, Retry-After read, and
 * close() ending what is in flight. Real sockets: every wait is for a condition, with generous
 * bounds, never for a count of timed events.
 */
class NativeHttpTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int CAP = 1 << 20;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private LoopbackServer server(BiFunction<? super HttpServerRequest,
      ? super HttpServerResponse, ? extends Publisher<Void>> handler) {
    LoopbackServer s = new LoopbackServer(handler);
    open.add(s);
    return s;
  }

  private NativeHttp http(LoopbackServer server, Duration timeout, long maxResponseBytes) {
    NativeHttp http = new NativeHttp(new SourceSettings("test", server.url(),
        RateLimitSpec.of(100, Duration.ofSeconds(1)), 4, timeout, Schedulers.parallel(), "",
        maxResponseBytes));
    open.add(http);
    return http;
  }

  @Test
  void anAnswerWithinTheCapIsRead() {
    String json = "{\"list\":[" + "1,".repeat(100_000) + "1]}";
    LoopbackServer server = server((req, res) -> res.sendString(Mono.just(json)));

    StepVerifier.create(http(server, WAIT, CAP).get("instruments", "/list"))
        .assertNext(node -> assertThat(node.path("list").size()).isEqualTo(100_001))
        .verifyComplete();
  }

  /* Keep-alive: sequential calls share one pooled connection (and one pool). */
  @Test
  void sequentialCallsReuseOneConnection() {
    java.util.Set<String> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();
    LoopbackServer server = server((req, res) -> {
      clients.add(String.valueOf(req.remoteAddress()));
      return res.sendString(Mono.just("{\"ok\":true}"));
    });
    NativeHttp http = http(server, WAIT, CAP);

    for (int i = 0; i < 5; i++) {
      StepVerifier.create(i % 2 == 0 ? http.get("get", "/a") : http.post("post", "/b", "{}"))
          .expectNextCount(1)
          .verifyComplete();
    }
    assertThat(clients).as("client addresses the server saw").hasSize(1);
  }

  /*
   * An endless chunked body: the read stops at the cap with bad data, the connection is closed
   * (the server's endless send ends), and the server could not push more than the cap and the
   * sockets' buffers: nothing grew beyond the cap on the client.
   */
  @Test
  void anEndlessBodyFailsAsBadDataAtTheCap() throws InterruptedException {
    AtomicLong sent = new AtomicLong();
    CountDownLatch ended = new CountDownLatch(1);
    String chunk = "1,".repeat(4096);
    LoopbackServer server = server((req, res) -> res.header("Content-Type", "application/json")
        .sendString(Flux.concat(Mono.just("["), Flux.<String>generate(s -> s.next(chunk)))
            .doOnNext(s -> sent.addAndGet(s.length()))
            .doFinally(signal -> ended.countDown())));

    StepVerifier.create(http(server, Duration.ofMinutes(2), CAP).get("instruments", "/list"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadDataException.class)
            .hasMessageContaining("instruments")
            .hasMessageContaining("cap of " + CAP + " bytes"))
        .verify(WAIT);
    assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the server's endless send ended: the client closed the connection").isTrue();
    assertThat(sent.get()).as("bytes the server got out").isLessThan(64L << 20);
  }

  @Test
  void aBodyAnnouncedLargerThanTheCapFailsBeforeItIsRead() {
    LoopbackServer server = server((req, res) -> res
        .header("Content-Length", String.valueOf(100L << 20))
        .sendString(Flux.<String>generate(s -> s.next("1,".repeat(4096)))));

    StepVerifier.create(http(server, Duration.ofMinutes(2), CAP).get("instruments", "/list"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadDataException.class)
            .hasMessageContaining("announces " + (100L << 20) + " bytes"))
        .verify(WAIT);
  }

  /*
   * A slow drip: a byte every 20 ms, forever. Each byte would reset an idle-read timeout; the
   * whole call's deadline ends it, as a transient failure, and closes the connection.
   */
  @Test
  void aSlowDripIsStoppedByTheDeadline() throws InterruptedException {
    CountDownLatch ended = new CountDownLatch(1);
    LoopbackServer server = server((req, res) -> res.header("Content-Type", "application/json")
        .sendString(Flux.interval(Duration.ofMillis(20)).map(n -> " ")
            .doFinally(signal -> ended.countDown())));

    StepVerifier.create(http(server, Duration.ofMillis(500), CAP).get("book", "/book"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("no complete answer within PT0.5S"))
        .verify(WAIT);
    assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the server's drip ended: the client closed the connection").isTrue();
  }

  /*
   * A call given up while its body is being read, from the client's own event loop (as a stream
   * on the same transport drops the snapshot it fetched): the connection is closed and the
   * partial body is not parsed, so nothing signals after the cancel (Reactor would log a dropped
   * error, at ERROR, with its trace: 103 of them in a 12-minute chaos run).
   */
  @Test
  void aCallCancelledWhileItsBodyIsReadEndsQuietly() throws InterruptedException {
    CountDownLatch headSent = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    LoopbackServer server = server((req, res) -> req.path().equals("ping")
        ? res.sendString(Mono.just("{}"))
        : res.header("Content-Type", "application/json")
            .sendString(Flux.concat(Mono.just("{\"bids\":[[\"1\",\"2\"],")
                    .doOnNext(head -> headSent.countDown()),
                Flux.interval(Duration.ofMillis(20)).map(n -> " "))
                .doFinally(signal -> ended.countDown())));
    NativeHttp http = http(server, WAIT, CAP);
    List<Throwable> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> cancelledOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    reactor.core.publisher.Hooks.onErrorDropped(dropped::add);
    try {
      // the ping's answer arrives on the transport's event loop, and cancels the book there
      Mono<Object> ping = Mono.fromRunnable(() -> await(headSent))
          .subscribeOn(Schedulers.boundedElastic())
          .then(Mono.delay(Duration.ofMillis(200)))
          .then(http.get("ping", "/ping"))
          .doOnNext(p -> cancelledOn.add(Thread.currentThread().getName()))
          .cast(Object.class);
      StepVerifier.create(http.get("book", "/book").takeUntilOther(ping))
          .expectComplete()
          .verify(WAIT);
      assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the server's body ended: the client closed the connection").isTrue();
      Thread.sleep(300); // time for a late signal, if any
      assertThat(cancelledOn).singleElement().asString().contains("nio");
      assertThat(dropped).as("signals after the cancel").isEmpty();
    } finally {
      reactor.core.publisher.Hooks.resetOnErrorDropped();
    }
  }

  /*
   * The deadline is httpTimeout for the whole call, on the scheduler's clock: in virtual time,
   * an unanswered request fails at 10 s exactly, not a moment before.
   */
  @Test
  void anUnansweredCallFailsAtTheDeadlineInVirtualTime() {
    LoopbackServer server = server((req, res) -> Mono.never());
    NativeHttp http = http(server, Duration.ofSeconds(10), CAP);

    StepVerifier.withVirtualTime(() -> http.get("book", "/book"))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(9_999))
        .thenAwait(Duration.ofMillis(1))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("book: no complete answer within PT10S"))
        .verify(WAIT);
  }

  /*
   * The first request leaves a pooled keep-alive connection; the server resets the second after
   * reading it. The second call fails once, as a transient failure the engine counts, and the
   * venue saw exactly the two requests the scanner made: no silent re-send on a fresh connection
   * (the JDK clients re-sent such a GET). Reactor Netty's own retry, for a reset before a
   * request's headers went out (a stale pooled connection), is off too (disableRetry), but that
   * race is not reproduced here: with it on, this test still passes.
   */
  @Test
  void aResetIsOneTransientFailureNeverAReSend() {
    AtomicInteger requests = new AtomicInteger();
    LoopbackServer server = server((req, res) -> {
      if (requests.incrementAndGet() == 1) {
        return res.sendString(Mono.just("{\"ok\":true}"));
      }
      return res.withConnection(c -> {
        c.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        c.channel().close();
      }).then(Mono.never());
    });
    NativeHttp http = http(server, WAIT, CAP);

    StepVerifier.create(http.get("first", "/a"))
        .assertNext(n -> assertThat(n.path("ok").asBoolean()).isTrue())
        .verifyComplete();
    StepVerifier.create(http.get("second", "/b"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("second"))
        .verify(WAIT);
    assertThat(requests.get()).as("requests the server received").isEqualTo(2);
  }

  @Test
  void retryAfterIsReadFromAThrottledAnswer() {
    LoopbackServer server = server((req, res) -> res.status(429).header("Retry-After", "7")
        .sendString(Mono.just("{\"msg\":\"slow down\"}")));

    StepVerifier.create(http(server, WAIT, CAP).get("book", "/book"))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ThrottledException.class)
              .hasMessageContaining("HTTP 429").hasMessageContaining("slow down");
          assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(7));
        })
        .verify(WAIT);
  }

  /* An error answer's endless body is read only in part, for its message: still classified. */
  @Test
  void anErrorAnswerWithAnEndlessBodyIsClassifiedByItsStatus() {
    LoopbackServer server = server((req, res) -> res.status(404)
        .sendString(Flux.<String>generate(s -> s.next("not found "))));

    StepVerifier.create(http(server, WAIT, CAP).get("book", "/book"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PermanentSourceException.class)
            .hasMessageContaining("HTTP 404 not found"))
        .verify(WAIT);
  }

  @Test
  void malformedJsonIsBadData() {
    LoopbackServer server = server((req, res) -> res.sendString(Mono.just("{\"a\":")));

    StepVerifier.create(http(server, WAIT, CAP).get("book", "/book"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadDataException.class)
            .hasMessageContaining("malformed JSON"))
        .verify(WAIT);
  }

  @Test
  void aPostSendsItsJsonBody() {
    LoopbackServer server = server((req, res) -> res.sendString(req.receive().aggregate()
        .asString().map(body -> "{\"echo\":" + body + ",\"type\":\""
            + req.requestHeaders().get("Content-Type") + "\"}")));

    StepVerifier.create(http(server, WAIT, CAP).post("info", "/info", "{\"type\":\"meta\"}"))
        .assertNext(n -> {
          assertThat(n.path("echo").path("type").asText()).isEqualTo("meta");
          assertThat(n.path("type").asText()).isEqualTo("application/json");
        })
        .verifyComplete();
  }

  /*
   * close() while a request waits for its answer: the call fails at once as transient, the
   * server sees its connection closed, and the client's threads end.
   */
  @Test
  void closingEndsARequestInFlightAndReleasesTheThreads() throws InterruptedException {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch disconnected = new CountDownLatch(1);
    LoopbackServer server = server((req, res) -> res.withConnection(c -> {
      received.countDown();
      c.onDispose(disconnected::countDown);
    }).then(Mono.never()));
    NativeHttp http = new NativeHttp(new SourceSettings("closing", server.url(),
        RateLimitSpec.of(100, Duration.ofSeconds(1)), 4, WAIT, Schedulers.parallel(), ""));

    StepVerifier.create(http.get("book", "/book"))
        .then(() -> {
          await(received);
          http.close();
        })
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("the source was closed"))
        .verify(WAIT);
    assertThat(disconnected.await(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the server saw the connection closed").isTrue();
    Threads.awaitNoneNamed("scanflux-closing-", WAIT);
    StepVerifier.create(http.get("later", "/book"))
        .expectError(TransientSourceException.class)
        .verify(WAIT);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
