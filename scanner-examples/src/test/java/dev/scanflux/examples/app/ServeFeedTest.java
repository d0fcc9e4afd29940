package dev.scanflux.examples.app;

import static dev.scanflux.examples.app.AppErrorsTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.Scanner;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.kafka.EmbeddedKafka;
import dev.scanflux.kafka.KafkaPublisher;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.examples.app.AppErrorsTest.Run;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code scanflux serve --feed}: two scanner nodes (OKX and KuCoin on the simulator) publish to an
 * in-process broker; {@code serve} reads the feed and is called over HTTP on 127.0.0.1.
 */
class ServeFeedTest {

  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  private static final Duration BOUND = Duration.ofSeconds(90);

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json = new ObjectMapper();

  /** A node scanning one simulated venue (3 instruments, polled) and publishing it. */
  private record Node(VenueSimulator sim, Scanner scanner, KafkaPublisher publisher)
      implements AutoCloseable {
    static Node start(SimulatedVenue venue, String name) {
      VenueSimulator sim = VenueSimulator.builder(venue).instruments(3).build();
      String url = sim.start();
      Scanner scanner = Scanner.builder()
          .venue(venue == SimulatedVenue.OKX ? Venues.okx().baseUrl(url).build()
              : Venues.kucoin().baseUrl(url).build())
          .interval(Duration.ofMillis(200)).build();
      KafkaPublisher publisher = KafkaPublisher.builder(kafka.bootstrap())
          .topics(KafkaTopics.prefixed("served")).node(name).build();
      publisher.publish(scanner);
      scanner.start();
      return new Node(sim, scanner, publisher);
    }

    @Override
    public void close() {
      stop();
    }

    /** Stops scanning and publishing (idempotent). */
    void stop() {
      scanner.close();
      publisher.close(); // its last beacon says it stopped
      sim.close();
    }
  }

  @Test
  void servesWhatTheNodesPublishWithEachVenuesNodeHealth() throws Exception {
    try (Node a = Node.start(SimulatedVenue.OKX, "node-a");
        Node b = Node.start(SimulatedVenue.KUCOIN, "node-b")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CompletableFuture<Run> serving = CompletableFuture.supplyAsync(() -> run(out, "serve",
          "--feed", kafka.bootstrap(), "--topics", "served", "--port", "0", "--for", "60s"));
      Pattern url = Pattern.compile("serving the Kafka feed of 127\\.0\\.0\\.1:\\d+ \\(topics "
          + "served\\.\\*\\) at (http://127\\.0\\.0\\.1:\\d+)/ \\(dashboard\\)");
      Matcher m = url.matcher("");
      await().atMost(BOUND).pollInterval(Duration.ofMillis(50))
          .until(() -> m.reset(out.toString(StandardCharsets.UTF_8)).find()
              || serving.isDone());
      assertThat(serving).as(out.toString(StandardCharsets.UTF_8)).isNotDone();
      String base = m.group(1);

      // both nodes' venues, every book live, of remote origin
      await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        JsonNode venues = json.readTree(get(base + "/api/venues").body()).get("venues");
        assertThat(venues).hasSize(2);
        for (JsonNode v : venues) {
          assertThat(v.get("state").asText()).as(v.toString()).isEqualTo("ok");
          assertThat(v.get("books").get("by_origin").get("remote").asLong()).isEqualTo(3);
          assertThat(v.get("books").get("by_state").get("live").asLong()).isEqualTo(3);
        }
      });
      JsonNode okx = json.readTree(get(base + "/api/venues/okx").body());
      assertThat(okx.get("books").get("health")).hasSize(3)
          .allSatisfy(h -> assertThat(h.get("origin").asText()).isEqualTo("remote"));

      // a scan request across both nodes: each venue's report from its own node's latest scan
      await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        HttpResponse<String> scan = post(base + "/api/scanner/scan",
            "{\"exchange\": [\"okx\", \"kucoin\"]}");
        assertThat(scan.statusCode()).as(scan.body()).isEqualTo(200);
        JsonNode ex = json.readTree(scan.body()).get("metadata").get("exchanges");
        for (String v : new String[] {"okx", "kucoin"}) {
          assertThat(ex.get(v).get("source").asText()).isEqualTo("running_scanner");
          assertThat(ex.get(v).get("success").asBoolean()).as(scan.body()).isTrue();
          assertThat(ex.get(v).get("requests").asLong()).as(scan.body()).isPositive();
          assertThat(ex.get(v).get("snapshots").asLong()).isGreaterThanOrEqualTo(3);
        }
      });
      HttpResponse<String> gate = post(base + "/api/scanner/scan", "{\"exchange\": \"gate\"}");
      assertThat(gate.statusCode()).as("no one-off scans from a feed").isEqualTo(400);

      // node a stops: its venue turns stale in the API at once; node b's stays ok
      a.stop();
      await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        JsonNode v = json.readTree(get(base + "/api/venues/okx").body());
        assertThat(v.get("state").asText()).as(v.toString()).isEqualTo("stale");
        assertThat(v.get("message").asText()).contains("the node publishing them is stopped");
        assertThat(v.get("books").get("by_state").get("stale").asLong()).isEqualTo(3);
        assertThat(v.get("books").get("stale_books").asLong()).isEqualTo(3);
      });
      JsonNode kucoin = json.readTree(get(base + "/api/venues/kucoin").body());
      assertThat(kucoin.get("state").asText()).as(kucoin.toString()).isEqualTo("ok");
      assertThat(b.publisher().report().dropped()).isZero();
      assertThat(get(base + "/").body()).contains("<title>Scanflux</title>");

      Run done = serving.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(done.exit()).as(done.err()).isZero();
      assertThat(done.out()).contains("scanflux: server stopped");
    }
  }

  @Test
  void aFeedIsServedAloneAndScanningFlagsAreRefused() {
    Run both = run("serve", "--feed", kafka.bootstrap(), "--venue", "okx", "--port", "0");
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("serve --feed serves the venues the nodes publish");
    Run help = run("serve", "--help");
    assertThat(help.out()).contains("--feed");
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
