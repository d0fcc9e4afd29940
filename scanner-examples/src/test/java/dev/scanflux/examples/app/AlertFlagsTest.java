package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app's alert flags: a short run on the simulator delivering to a loopback Telegram Bot API
 * and a loopback webhook receiver that checks the signature.
 */
class AlertFlagsTest {

  static final String TOKEN = "987654321:AAH-app-test-TOKEN";
  static final String SECRET = "app-test-webhook-SECRET";

  @TempDir
  Path dir;

  final ExecutorService executor = Executors.newFixedThreadPool(2);
  final List<String> telegram = new CopyOnWriteArrayList<>();
  final List<String> webhook = new CopyOnWriteArrayList<>();
  final List<String> badSignatures = new CopyOnWriteArrayList<>();
  HttpServer server;

  private record Run(int exit, String out, String err) {}

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
  }

  private static Run run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ScanfluxApp.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, env);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** One loopback server: Telegram's sendMessage under /bot…, the webhook under /hook. */
  private String startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (exchange) {
        String body = new String(exchange.getRequestBody().readAllBytes(),
            StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        byte[] answer;
        if (path.equals("/bot" + TOKEN + "/sendMessage")) {
          telegram.add(body);
          answer = "{\"ok\":true,\"result\":{}}".getBytes(StandardCharsets.UTF_8);
        } else if (path.equals("/hook")) {
          String signature = exchange.getRequestHeaders().getFirst("X-Scanflux-Signature");
          (sign(body).equals(signature) ? webhook : badSignatures).add(body);
          answer = new byte[0];
        } else {
          answer = "{\"ok\":false,\"error_code\":404}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(404, answer.length);
          exchange.getResponseBody().write(answer);
          return;
        }
        exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
          exchange.getResponseBody().write(answer);
        }
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(
          body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRunDeliversItsAlertsToTelegramAndTheWebhookAndReportsThem() throws IOException {
    String base = startServer();
    Path json = dir.resolve("report.jsonl");
    Run run = run(Map.of("SCANFLUX_TELEGRAM_TOKEN", TOKEN, "SCANFLUX_WEBHOOK_SECRET", SECRET),
        "--venue", "binance", "--venue", "okx", "--no-stream", "--sim-instruments", "8",
        "--cycles", "3", "--interval", "0s", "--window", "1s", "--min-change", "0.005",
        "--min-lifetime", "0s", "--telegram-chat", "111", "--telegram-api", base,
        "--webhook", base + "/hook", "--json-report", json.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("strategies: cross-venue spread", "alerts: ")
        .containsPattern("alert opened \\S+ ");
    assertThat(telegram).as("messages sent to Telegram").isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("\"chat_id\":111", "Alert "));
    assertThat(webhook).as("signed webhook bodies").isNotEmpty()
        .allSatisfy(b -> assertThat(b).startsWith("{\"version\":1,"));
    assertThat(badSignatures).isEmpty();
    // every delivery is reported, per sink, after the shutdown flush
    assertThat(run.out()).contains("telegram: " + telegram.size() + " delivered",
        "webhook: " + webhook.size() + " delivered");
    JsonNode last = new ObjectMapper().readTree(Files.readAllLines(json).get(2));
    assertThat(last.path("alerts").path("sinks").has("telegram")).isTrue();
    assertThat(last.path("alerts").path("opened").asLong()).isPositive();
    assertThat(run.out() + run.err()).doesNotContain(TOKEN).doesNotContain(SECRET);
  }

  @Test
  void aTelegramChatWithoutATokenIsAUsageError() {
    Run run = run(Map.of(), "--telegram-chat", "111", "--cycles", "1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--telegram-chat needs the bot token in "
        + "SCANFLUX_TELEGRAM_TOKEN");
  }

  @Test
  void badAlertFlagsAreUsageErrorsThatShowNoSecret() {
    Run chat = run(Map.of("SCANFLUX_TELEGRAM_TOKEN", TOKEN), "--telegram-chat", "my chat");
    assertThat(chat.exit()).isEqualTo(2);
    assertThat(chat.err()).contains("--telegram-chat: chat must be a numeric chat id");

    Run hook = run(Map.of(), "--webhook", "ftp://hooks.example.com/T000/XXXXsecretpath");
    assertThat(hook.exit()).isEqualTo(2);
    assertThat(hook.err()).contains("--webhook: the URL must be an http or https URL")
        .doesNotContain("XXXXsecretpath");

    Run cooldown = run(Map.of(), "--cooldown", "soon");
    assertThat(cooldown.exit()).isEqualTo(2);
    assertThat(cooldown.err()).contains("'soon' is not a duration");

    Run file = run(Map.of("SCANFLUX_TELEGRAM_TOKEN_FILE", dir.resolve("none").toString()),
        "--telegram-chat", "111");
    assertThat(file.exit()).isEqualTo(2);
    assertThat(file.err()).contains("cannot read the secret file");
  }
}
