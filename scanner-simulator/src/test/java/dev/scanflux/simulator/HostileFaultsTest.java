package dev.scanflux.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The hostile faults, read by hand on raw sockets: an endless body keeps coming for as long as
 * the client reads and stops when it leaves, a slow drip announces the whole answer and sends a
 * sliver of it, an endless WebSocket message never ends; each is counted.
 */
class HostileFaultsTest {

  private static final String BOOK = "/api/v5/market/books?instId=BTC-USDT&sz=5";

  @Test
  void endlessBodyKeepsComingUntilTheClientLeaves() throws Exception {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.OKX).instruments(5).build()) {
      sim.start();
      sim.failNext(Fault.ENDLESS_BODY);
      try (Socket socket = get(sim, BOOK)) {
        InputStream in = socket.getInputStream();
        String head = headers(in);
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("chunked");
        long read = 0;
        byte[] buf = new byte[1 << 16];
        while (read < (8 << 20)) { // 8 MiB, far more than any book: it does not end
          int n = in.read(buf);
          assertThat(n).as("the body ended after %d bytes", read).isPositive();
          read += n;
        }
      }
      assertThat(sim.faultsServed()).containsEntry(Fault.ENDLESS_BODY, 1L)
          .containsEntry(Fault.SLOW_DRIP, 0L);
      // counted once written: the chunk the server was writing when the client left is not
      assertThat(sim.endlessBytesSent()).isGreaterThanOrEqualTo(4L << 20);
      await(() -> sim.hostileAnswersOpen() == 0, "the endless body stops once the client left");
      assertThat(sim.requestLog()).singleElement()
          .satisfies(r -> assertThat(r.fault()).isEqualTo(Fault.ENDLESS_BODY))
          .satisfies(r -> assertThat(r.status()).isEqualTo(200));
    }
  }

  @Test
  void slowDripAnnouncesTheAnswerAndSendsASliver() throws Exception {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.OKX).instruments(5).build()) {
      sim.start();
      sim.failNext(Fault.SLOW_DRIP);
      try (Socket socket = get(sim, BOOK)) {
        socket.setSoTimeout(5_000);
        InputStream in = socket.getInputStream();
        String head = headers(in);
        assertThat(head).startsWith("HTTP/1.1 200");
        int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        Thread.sleep(1_500); // real time on purpose: the drip is real time
        int available = in.available();
        assertThat(available).as("bytes of %d after 1.5 s", length).isPositive()
            .isLessThan(length / 10);
      }
      assertThat(sim.faultsServed()).containsEntry(Fault.SLOW_DRIP, 1L);
      assertThat(VenueSimulator.SLOW_DRIP_SPAN).isEqualTo(Duration.ofSeconds(60));
      await(() -> sim.hostileAnswersOpen() == 0, "the drip stops once the client left");
    }
  }

  @Test
  void endlessMessageNeverEnds() throws Exception {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.OKX).instruments(5)
        .websocket(true).build()) {
      sim.start();
      AtomicLong chars = new AtomicLong();
      AtomicBoolean ended = new AtomicBoolean();
      CompletableFuture<Void> enough = new CompletableFuture<>();
      WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create(sim.websocketUrl()), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              ended.compareAndSet(false, last);
              if (chars.addAndGet(data.length()) >= (8 << 20)) {
                enough.complete(null);
              }
              w.request(1);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      sim.wsFault(WsFault.ENDLESS_MESSAGE);
      ws.sendText("ping", true);
      enough.get(30, TimeUnit.SECONDS);
      assertThat(ended).as("a fragment marked last").isFalse();
      assertThat(sim.wsFaultsApplied()).containsEntry(WsFault.ENDLESS_MESSAGE, 1L);
      assertThat(sim.endlessBytesSent()).isGreaterThanOrEqualTo(4 << 20);
      assertThat(sim.wsEndlessMessagesOpen()).as("being written").isEqualTo(1);
      ws.abort();
      await(() -> sim.wsConnections() == 0, "the connection closed");
      await(() -> sim.wsEndlessMessagesOpen() == 0, "the endless message ended with it");
    }
  }

  private static Socket get(VenueSimulator sim, String path) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(),
        URI.create(sim.baseUrl()).getPort());
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  /** Reads up to the blank line after the headers, byte by byte. */
  private static String headers(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the connection closed inside the headers: %s", head).isNotNegative();
      head.append((char) b);
    }
    return head.toString();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(end);
      Thread.sleep(20);
    }
  }
}
