package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.TransientSourceException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.internal.LoopbackServer;
import dev.scanflux.exchanges.internal.Threads;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class WsClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WsClient client = WsClient.ownThreads("test");
  private final ScriptedWsServer server = new ScriptedWsServer();

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private WsSpec spec() {
    return WsSpec.of("test", server.uri());
  }

  @Test
  void sendsTheFramesThenEmitsTheMessagesInOrder() {
    server.onMessage((ws, m) -> {
      for (int i = 0; i < 1000; i++) {
        ws.send(m + i);
      }
    });
    List<String> expected = IntStream.range(0, 1000).mapToObj(i -> "go" + i)
        .collect(Collectors.toList());

    StepVerifier.create(client.connect(spec(), List.of("go")).take(1000))
        .expectNextSequence(expected)
        .expectComplete()
        .verify(WAIT);
    assertThat(server.received()).containsExactly("go");
  }

  @Test
  void reassemblesAMessageSentInSeveralFrames() {
    String big = "x".repeat(10_000) + "end";
    server.onMessage((ws, m) -> ScriptedWsServer.sendFragmented(ws, big, 1000));

    StepVerifier.create(client.connect(spec(), List.of("go")).take(1))
        .expectNext(big)
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void aMessageOverTheLimitIsBadData() {
    server.onMessage((ws, m) -> ScriptedWsServer.sendFragmented(ws, "y".repeat(5000), 1000));

    StepVerifier.create(client.connect(spec().maxMessageChars(4096), List.of("go")))
        .expectError(BadDataException.class)
        .verify(WAIT);
  }

  /*
   * 400 messages of 64 KiB (25 MiB) are more than the loopback socket buffers hold. A subscriber
   * that asked for 3 gets 3 and nothing else (no overflow error either); the rest stays in the
   * server's send queue because the client stopped reading, which is the proof that the client
   * buffers nothing beyond what was asked for.
   */
  @Test
  void aSlowSubscriberMakesTheServerWaitInsteadOfFillingMemory() {
    String payload = "z".repeat(64 * 1024);
    server.onMessage((ws, m) -> {
      for (int i = 0; i < 400; i++) {
        ws.send(i + ":" + payload);
      }
    });

    StepVerifier.create(client.connect(spec(), List.of("go")).map(s -> s.substring(0,
        s.indexOf(':'))), 0)
        .thenRequest(3)
        .expectNext("0", "1", "2")
        // The server's 25 MiB cannot all fit in the sockets' buffers: with nothing requested,
        // its writes back up. How soon depends on the machine's load: awaited, not timed.
        .then(() -> awaitServerBuffering(WAIT))
        .expectNoEvent(Duration.ofMillis(100))
        .thenRequest(397)
        .expectNextCount(396)
        .expectNext("399")
        .thenCancel()
        .verify(WAIT);
  }

  /** Waits, up to {@code bound}, for the server's connection to hold data it could not write. */
  private void awaitServerBuffering(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!server.opened().join().hasBufferedData()) {
      assertThat(System.nanoTime()).as("the server's writes back up within " + bound)
          .isLessThan(deadline);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Test
  void aRefusedConnectionErrorsTheFlux() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    // a venue's connection token travels in the query (KuCoin): never in an error
    WsSpec nowhere = WsSpec.of("test",
        URI.create("ws://127.0.0.1:" + port + "/ws?token=S3cretT0ken&connectId=1"));

    StepVerifier.create(client.connect(nowhere, List.of("go")))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("cannot open ws://127.0.0.1:" + port + "/ws")
            .hasMessageNotContaining("S3cretT0ken"))
        .verify(WAIT);
  }

  /* A socket that accepts TCP connections but never answers the upgrade. */
  @Test
  void anUnansweredHandshakeTimesOut() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      WsSpec spec = WsSpec.of("test",
          URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/ws"))
          .connectTimeout(Duration.ofMillis(300));

      StepVerifier.create(client.connect(spec, List.of("go")))
          .expectError(TransientSourceException.class)
          .verify(WAIT);
    }
  }

  @Test
  void aCloseByTheServerErrorsTheFluxAfterTheMessagesBeforeIt() {
    server.onMessage((ws, m) -> {
      ws.send("one");
      ws.send("two");
      ws.close(CloseFrame.GOING_AWAY, "maintenance");
    });

    StepVerifier.create(client.connect(spec(), List.of("go")))
        .expectNext("one", "two")
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("1001").hasMessageContaining("maintenance"))
        .verify(WAIT);
  }

  /*
   * The server drops the TCP connection while the client writes a frame: the Flux errors,
   * whether the client sees the FIN at once or its heartbeat's next send finds the connection
   * dead.
   */
  @org.junit.jupiter.api.RepeatedTest(20)
  void anAbruptDisconnectErrorsTheFlux() {
    server.onMessage((ws, m) -> {
      if (m.equals("go")) {
        ws.send("one");
      } else if (m.equals("drop now")) {
        ws.closeConnection(CloseFrame.ABNORMAL_CLOSE, "gone");
      }
    });
    WsSpec spec = spec().heartbeat(Duration.ofMillis(100), "ping", "pong");
    Flux<String> flux = client.connect(spec, session -> session.send("go")
        .thenMany(session.receive())
        // "one" is emitted before "drop now" is sent: emitted after the send, the drop could
        // end the connection before the send's completion, and the Flux with it, first.
        .concatMap(m -> Mono.just(m)
            .concatWith(session.send("drop now").then(Mono.<String>empty()))));

    // Not a hang but a loaded machine: at load ~21, the first repetition in a fresh JVM (class
    // loading, the event loop's start, the handshake) took 6.9 and 8.6 s from subscription to
    // the error, the others at most 1.2 s (200 repetitions). The bound is generous; a Flux
    // that never ends still fails it, as the client's guards end it within connectTimeout.
    StepVerifier.create(flux)
        .expectNext("one")
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining(server.uri().toString()))
        .verify(WAIT.multipliedBy(3));
  }

  /**
   * A venue may speak first (Kraken's status message, or what replaced it): a message sent as
   * the connection opens, before the client's first frame, is received like any other.
   */
  @org.junit.jupiter.api.RepeatedTest(10)
  void aMessageSentAsTheConnectionOpensIsReceived() {
    server.onOpen(ws -> ws.send("first"));
    server.onMessage((ws, m) -> ws.send("echo " + m));

    StepVerifier.create(client.connect(spec(), List.of("go")).take(2))
        .expectNext("first", "echo go")
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void cancellingClosesTheConnectionOnTheServer() {
    server.onMessage((ws, m) -> ws.send("hello"));

    StepVerifier.create(client.connect(spec(), List.of("go")))
        .expectNext("hello")
        .thenCancel()
        .verify(WAIT);
    StepVerifier.create(Mono.fromFuture(server.closed()))
        .expectNext(CloseFrame.NORMAL)
        .verifyComplete();
  }

  @Test
  void framesCanBeSentLaterAndInOrder() {
    server.onMessage((ws, m) -> ws.send("echo " + m));

    Flux<String> flux = client.connect(spec(), session -> session.send("a")
        .thenMany(session.receive())
        .concatMap(m -> m.equals("echo a")
            ? session.send(List.of("b", "c")).thenReturn(m) : Mono.just(m)));

    StepVerifier.create(flux.take(3))
        .expectNext("echo a", "echo b", "echo c")
        .expectComplete()
        .verify(WAIT);
    assertThat(server.received()).containsExactly("a", "b", "c");
  }

  @Test
  void theHeartbeatIsSentAndItsAnswerSwallowed() {
    server.onMessage((ws, m) -> ws.send(m.equals("ping") ? "pong" : "data"));
    WsSpec spec = spec().heartbeat(Duration.ofMillis(50), "ping", "pong");

    StepVerifier.create(client.connect(spec, List.of("go", "again")))
        .expectNext("data", "data")
        // three heartbeats answered (however late a loaded machine sends them), and no "pong"
        // reached the subscriber meanwhile (it would be the next event)
        .then(() -> Flux.interval(Duration.ofMillis(10))
            .filter(t -> server.received().stream().filter("ping"::equals).count() >= 3)
            .blockFirst(WAIT))
        .expectNoEvent(Duration.ofMillis(200))
        .thenCancel()
        .verify(WAIT);
    assertThat(server.received()).filteredOn("ping"::equals).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void eachSubscriptionOpensItsOwnConnection() {
    server.onMessage((ws, m) -> ws.send(m));
    Flux<String> flux = client.connect(spec(), List.of("x"));

    StepVerifier.create(Flux.merge(flux.take(1), flux.take(1)))
        .expectNext("x", "x")
        .expectComplete()
        .verify(WAIT);
    assertThat(server.received()).containsExactly("x", "x");
  }

  @Test
  void receiveAllowsOneSubscriber() {
    server.onMessage((ws, m) -> ws.send(m));

    StepVerifier.create(client.connect(spec(), s -> Flux.merge(s.receive(), s.receive())))
        .expectError(IllegalStateException.class)
        .verify(WAIT);
  }

  /*
   * An endless fragmented message from a Reactor Netty server: the client holds at most the cap,
   * fails with bad data and closes the connection, which ends the server's endless send.
   */
  @Test
  void anEndlessFragmentedMessageIsCappedAndTheConnectionClosed() throws InterruptedException {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicLong sent = new AtomicLong();
    byte[] chunk = "f".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
    try (LoopbackServer hostile = new LoopbackServer((req, res) -> res.sendWebsocket((in, out) ->
        out.sendObject(Flux.concat(
                Mono.fromSupplier(() -> new TextWebSocketFrame(false, 0,
                    Unpooled.wrappedBuffer(chunk))),
                Flux.<WebSocketFrame>generate(s -> s.next(new ContinuationWebSocketFrame(false,
                    0, Unpooled.wrappedBuffer(chunk)))))
            .doOnNext(f -> sent.addAndGet(chunk.length))
            .doFinally(signal -> ended.countDown()))))) {
      WsSpec spec = WsSpec.of("test", hostile.wsUri()).maxMessageChars(1 << 20);

      StepVerifier.create(client.connect(spec, List.of()))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadDataException.class)
              .hasMessageContaining("exceeds " + (1 << 20) + " bytes"))
          .verify(WAIT);
      assertThat(ended.await(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("the server's endless message ended: the client closed the connection").isTrue();
      assertThat(sent.get()).as("bytes the server got out").isLessThan(64L << 20);
    }
  }

  /* One frame larger than the cap is refused by the frame decoder, before it is buffered. */
  @Test
  void aSingleFrameOverTheCapIsBadData() {
    String big = "g".repeat(300_000);
    try (LoopbackServer hostile = new LoopbackServer((req, res) -> res.sendWebsocket((in, out) ->
        out.sendString(Mono.just(big)).then(Mono.never())))) {
      WsSpec spec = WsSpec.of("test", hostile.wsUri()).maxMessageChars(100_000);

      StepVerifier.create(client.connect(spec, List.of()))
          .expectError(BadDataException.class)
          .verify(WAIT);
    }
  }

  @Test
  void aThrottledUpgradeIsThrottledWithItsRetryAfter() {
    try (LoopbackServer busy = new LoopbackServer((req, res) -> res.status(429)
        .header("Retry-After", "3").sendString(Mono.just("slow down")))) {
      StepVerifier.create(client.connect(WsSpec.of("test", busy.wsUri()), List.of("go")))
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(ThrottledException.class)
                .hasMessageContaining("HTTP 429");
            assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(3));
          })
          .verify(WAIT);
    }
  }

  /*
   * close() while the opening handshake waits for an answer: the Flux fails at once, the socket
   * is closed (the server reads its end) and the client's threads end.
   */
  @Test
  void closingWhileConnectingFailsTheFluxAndReleasesSocketAndThreads() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      WsClient own = WsClient.ownThreads("closing");
      WsSpec spec = WsSpec.of("test",
          URI.create("ws://127.0.0.1:" + silent.getLocalPort() + "/ws"))
          .connectTimeout(Duration.ofMinutes(5));
      CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
        try {
          return silent.accept();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });

      StepVerifier.create(own.connect(spec, List.of("go")))
          .then(() -> {
            Socket socket = accepted.join();
            own.close();
            readToTheEnd(socket);
          })
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
              .hasMessageContaining("the client was closed"))
          .verify(WAIT);
      Threads.awaitNoneNamed("scanflux-closing-", WAIT);
      StepVerifier.create(own.connect(spec, List.of("go")))
          .expectError(TransientSourceException.class)
          .verify(WAIT);
    }
  }

  /* Reads the handshake and waits for the client to close its end: -1, or a reset. */
  private static void readToTheEnd(Socket socket) {
    try (socket) {
      socket.setSoTimeout((int) WAIT.toMillis());
      byte[] buffer = new byte[4096];
      while (socket.getInputStream().read(buffer) >= 0) {
        // the opening handshake
      }
    } catch (java.net.SocketException reset) {
      // closed by the client too
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
