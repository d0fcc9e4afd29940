package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code scanflux serve} in-process on the embedded simulator, called over real sockets. */
class ServeCommandTest {

  private record Run(int exit, String out, String err) {}

  private static Run run(ByteArrayOutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ScanfluxApp.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void servesTheScanItsDashboardAndOneOffScansUntilItsTimeIsUp() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<Run> serving = CompletableFuture.supplyAsync(() -> run(out, "serve",
        "--port", "0", "--venue", "binance", "--venue", "okx", "--no-stream",
        "--sim-instruments", "5", "--interval", "200ms", "--for", "40s"));
    Pattern url = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)/ \\(dashboard\\)");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Matcher m = url.matcher("");
    while (!m.reset(out.toString(StandardCharsets.UTF_8)).find()) {
      assertThat(serving).as(out.toString(StandardCharsets.UTF_8)).isNotDone();
      assertThat(System.nanoTime()).as("the URL is printed").isLessThan(deadline);
      Thread.sleep(50);
    }
    String base = m.group(1);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    ObjectMapper json = new ObjectMapper();

    assertThat(get(http, base + "/health").body()).contains("\"status\":\"up\"");
    assertThat(get(http, base + "/").body()).contains("<title>Scanflux</title>");
    assertThat(get(http, base + "/api/alerts").body()).contains("\"alerting\":true");

    HttpResponse<String> both = post(http, base + "/api/scanner/scan",
        "{\"exchange\": [\"binance\", \"gate\"], \"min_edge\": 0.001}");
    assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
    JsonNode meta = json.readTree(both.body()).get("metadata");
    assertThat(meta.get("mode").asText()).isEqualTo("parallel");
    assertThat(meta.get("exchanges").get("binance").get("source").asText())
        .isEqualTo("running_scanner");
    assertThat(meta.get("exchanges").get("gate").get("source").asText())
        .isEqualTo("one_off_scan");
    assertThat(meta.get("exchanges").get("gate").get("success").asBoolean())
        .as(both.body()).isTrue();
    assertThat(meta.get("thresholds").get("min_edge").asDouble()).isEqualTo(0.001);

    HttpResponse<String> bad = post(http, base + "/api/scanner/scan",
        "{\"exchange\": \"binance\", \"min_change\": 50}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("min_change");

    Run done = serving.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(done.exit()).as(done.err()).isZero();
    assertThat(done.out()).contains("scanflux: server stopped");
  }

  @Test
  void takesEveryScanFlagAndRefusesWhatItCannotServe() {
    Run help = run(new ByteArrayOutputStream(), "serve", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--port", "--bind", "--for", "--venue", "--sim-instruments",
        "--min-edge");
    Run mainHelp = run(new ByteArrayOutputStream(), "--help");
    assertThat(mainHelp.out()).contains("scanflux serve");
    Run badPort = run(new ByteArrayOutputStream(), "serve", "--port", "70000");
    assertThat(badPort.exit()).isEqualTo(2);
    assertThat(badPort.err()).contains("--port must be in [0, 65535]");
    Run record = run(new ByteArrayOutputStream(), "serve", "--record", "x.jsonl");
    assertThat(record.exit()).isEqualTo(2);
    assertThat(record.err()).contains("serve takes no --replay, --record");
    Run wide = run(new ByteArrayOutputStream(), "serve", "--bind", "0.0.0.0", "--port", "0",
        "--venue", "okx", "--sim-instruments", "2");
    assertThat(wide.exit()).isEqualTo(2);
    assertThat(wide.err()).contains("give a token");
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
