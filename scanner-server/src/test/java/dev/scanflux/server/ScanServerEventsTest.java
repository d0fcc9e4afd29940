package dev.scanflux.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.simulator.SimulatedVenue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** The event streams over real sockets, a slow client among them. */
class ScanServerEventsTest {

  @Test
  void scansSnapshotsAndAlertsArriveAsServerSentEvents() throws Exception {
    Alerts alerts = Alerts.builder().build();
    Sinks.Many<Signal> signals = Sinks.many().unicast().onBackpressureBuffer();
    alerts.track(signals.asFlux()).subscribe();
    signals.tryEmitNext(signal("k1"));
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.OKX, SimulatedVenue.BYBIT),
        (self, b) -> b.alerts(alerts));
        Http http = new Http(f.url())) {
      f.scanner.latest().block(Http.WAIT);

      List<Event> scans = events(http, "/api/events/scans", 1);
      assertThat(scans.get(0).name()).isEqualTo("scan");
      assertThat(scans.get(0).json().get("cycle").asLong()).isPositive();
      assertThat(scans.get(0).json().get("report").get("venues").has("bybit")).isTrue();

      String symbol = f.scanner.view().books().stream().filter(b -> b.venue().equals("okx"))
          .findFirst().orElseThrow().instrument().toString();
      List<Event> books = events(http, "/api/events/snapshots?venue=okx&kind=book&depth=2"
          + "&instrument=" + symbol, 3);
      for (Event e : books) {
        assertThat(e.name()).isEqualTo("book");
        assertThat(e.json().get("venue").asText()).isEqualTo("okx");
        assertThat(e.json().get("instrument").asText()).isEqualTo(symbol);
        assertThat(e.json().get("bids").size()).isLessThanOrEqualTo(2);
      }

      List<Event> fromAlerts = new java.util.concurrent.CopyOnWriteArrayList<>();
      Disposable live = sse(http, "/api/events/alerts").subscribe(fromAlerts::add);
      try {
        Awaits.until(() -> fromAlerts.size() >= 1);
        signals.tryEmitNext(signal("k2"));
        Awaits.until(() -> fromAlerts.size() >= 2);
        signals.tryEmitComplete(); // the signals end: every open alert closes
        Awaits.until(() -> fromAlerts.size() >= 4);
      } finally {
        live.dispose();
      }
      assertThat(fromAlerts).extracting(e -> e.json().get("subject").asText() + " "
          + e.json().get("type").asText())
          .containsExactlyInAnyOrder("k1 open", "k2 opened", "k1 closed", "k2 closed")
          .startsWith("k1 open", "k2 opened");
      JsonNode snapshot = http.get("/api/alerts").json();
      assertThat(snapshot.get("alerting").asBoolean()).isTrue();
      assertThat(snapshot.get("open").size()).isZero();
      assertThat(snapshot.get("recent").size()).isEqualTo(2);
      assertThat(snapshot.get("stats").get("opened").asLong()).isEqualTo(2);
      assertThat(snapshot.get("recent").get(0).get("lifetime_seconds").isNumber()).isTrue();

      ScanServerApiTest.assertBad(http.get("/api/events/snapshots?venue=mtgox"), 404,
          "unknown_venue", "mtgox");
      ScanServerApiTest.assertBad(http.get("/api/events/snapshots?instrument=nope"), 400,
          "bad_instrument", "nope");
      ScanServerApiTest.assertBad(http.get("/api/events/snapshots?kind=trades"), 400,
          "bad_parameter", "kind");
    }
  }

  @Test
  void aSlowClientGetsTheLatestPerKeyAndNeverHoldsUpTheOthers() throws Exception {
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.BINANCE_SPOT),
        Duration.ofMillis(2), (self, b) -> b);
        Http http = new Http(f.url())) {
      AtomicLong fast = new AtomicLong();
      Disposable fastClient = sse(http, "/api/events/snapshots?venue=binance")
          .subscribe(e -> fast.incrementAndGet());
      try (Socket slow = new Socket()) {
        // small, so the buffers fill within seconds, but above two loopback segments (64 KiB
        // each): a window smaller than one segment is never reopened by the reader (Linux
        // avoids the silly window) and the server then sends only on its zero-window probes,
        // which back off to minutes: the slow client would stay slow once it reads again
        slow.setReceiveBufferSize(256 * 1024);
        slow.connect(new InetSocketAddress("127.0.0.1", f.server.port()));
        OutputStream out = slow.getOutputStream();
        out.write(("GET /api/events/snapshots?venue=binance&depth=10 HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = slow.getInputStream();
        byte[] head = new byte[512];
        assertThat(in.read(head)).isPositive(); // then it stops reading

        // the socket's buffers fill first: seconds at thousands of books a second
        Awaits.until(Duration.ofSeconds(90), () -> conflated(f) > 500);
        long before = fast.get();
        Awaits.until(() -> fast.get() > before + 100);

        // the slow client reads again: well-formed events, each key's data never older than
        // what it had before, the newest data among them
        slow.setSoTimeout(30_000);
        String text = readAtLeast(in, 2_000_000, Duration.ofSeconds(60));
        Matcher m = Pattern.compile("id: (\\d+)\nevent: (book|ticker)\ndata: (\\{[^\n]*\\})\n\n")
            .matcher(text);
        Map<String, Instant> lastByKey = new HashMap<>();
        long lastId = 0;
        int events = 0;
        while (m.find()) {
          long id = Long.parseLong(m.group(1));
          assertThat(id).isGreaterThan(lastId);
          lastId = id;
          JsonNode data = Http.MAPPER.readTree(m.group(3));
          String key = data.get("instrument").asText() + m.group(2);
          Instant at = Instant.parse(data.get("received_at").asText());
          Instant previous = lastByKey.put(key, at);
          if (previous != null) {
            assertThat(at).as(key).isAfterOrEqualTo(previous);
          }
          events++;
        }
        assertThat(events).isGreaterThan(100);
      } finally {
        fastClient.dispose();
      }
    }
  }

  private static double conflated(SimulatedScan f) {
    var counter = f.server.registry().find("scanflux.server.sse.conflated").counter();
    return counter == null ? 0 : counter.count();
  }

  private static String readAtLeast(InputStream in, int bytes, Duration bound)
      throws IOException {
    byte[] buf = new byte[65536];
    StringBuilder sb = new StringBuilder();
    int total = 0;
    long deadline = System.nanoTime() + bound.toNanos();
    while (total < bytes) {
      assertThat(System.nanoTime()).as("read %d of %d bytes within %s", total, bytes, bound)
          .isLessThan(deadline);
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      total += n;
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString().replace("\r\n", "\n");
  }

  private static Signal signal(String subject) {
    return Signal.builder("test", Instant.now()).description("alert " + subject)
        .venues("okx").instruments(Instrument.parse("BTC/USDT")).subject(subject)
        .strength(1.0).build();
  }

  record Event(String name, String data) {
    JsonNode json() {
      try {
        return Http.MAPPER.readTree(data);
      } catch (IOException e) {
        throw new AssertionError(data, e);
      }
    }
  }

  /**
   * The events of a stream, parsed from its lines (comments skipped); a line may span chunks.
   */
  static Flux<Event> sse(Http http, String path) {
    return Flux.defer(() -> {
      StringBuilder carry = new StringBuilder();
      return http.client.get().uri(path).responseContent().asString()
          .concatMapIterable(chunk -> {
            carry.append(chunk);
            List<String> lines = new ArrayList<>();
            for (int nl = carry.indexOf("\n"); nl >= 0; nl = carry.indexOf("\n")) {
              lines.add(carry.substring(0, nl));
              carry.delete(0, nl + 1);
            }
            return lines;
          });
    })
        .scan(new String[] {null, null, null}, (state, line) -> {
          if (line.startsWith("event: ")) {
            return new String[] {line.substring(7), null, null};
          }
          if (line.startsWith("data: ")) {
            return new String[] {state[0], line.substring(6), null};
          }
          if (line.isEmpty() && state[0] != null && state[1] != null) {
            return new String[] {null, null, state[0] + "\u0000" + state[1]};
          }
          return new String[] {state[0], state[1], null};
        })
        .filter(s -> s[2] != null)
        .map(s -> new Event(s[2].substring(0, s[2].indexOf('\u0000')),
            s[2].substring(s[2].indexOf('\u0000') + 1)));
  }

  private static List<Event> events(Http http, String path, int n) {
    return sse(http, path).take(n).collectList().block(Http.WAIT);
  }
}
