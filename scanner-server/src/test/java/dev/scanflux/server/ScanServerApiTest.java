package dev.scanflux.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.SimulatedVenue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The HTTP API over real sockets: a server on 127.0.0.1 port 0 over a scanner of simulated
 * Binance and OKX, with simulated Kraken for one-off scans and a KuCoin that cannot be reached.
 */
class ScanServerApiTest {

  static SimulatedScan fixture;
  static Http http;

  @BeforeAll
  static void start() {
    fixture = new SimulatedScan(List.of(SimulatedVenue.BINANCE_SPOT, SimulatedVenue.OKX),
        (f, b) -> Spreads.declare(b)
            .oneOff(List.of("kraken", "kucoin"), venues -> venues.contains("kucoin")
                ? OneOffScanner.of(v -> Venues.kucoin().baseUrl("http://127.0.0.1:11").build())
                    .scan(venues)
                : f.oneOffSims(Map.of("kraken", SimulatedVenue.KRAKEN)).scan(venues))
            .oneOffTimeout(Duration.ofSeconds(20)));
    http = new Http(fixture.url());
    fixture.scanner.latest().block(Http.WAIT); // one scan done: answers come from data
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
    fixture.close();
  }

  @Test
  void healthIsUpOnceServing() {
    Http.Answer a = http.get("/health");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().get("status").asText()).isEqualTo("up");
    assertThat(a.json().get("venues").toString()).isEqualTo("[\"binance\",\"okx\"]");
  }

  @Test
  void singleVenueIsAnsweredFromTheRunningScannerInTheOriginalShape() {
    Http.Answer a = http.post("/api/scanner/scan", "{\"exchange\": \"binance\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.headers().get("Content-Type")).startsWith("application/json");
    JsonNode meta = a.json().get("metadata");
    assertThat(meta.get("mode").asText()).isEqualTo("single");
    JsonNode binance = meta.get("exchanges").get("binance");
    assertThat(binance.get("success").asBoolean()).isTrue();
    assertThat(binance.get("source").asText()).isEqualTo("running_scanner");
    assertThat(binance.get("duration_seconds").asDouble()).isPositive();
    assertThat(binance.get("data_age_seconds").isNumber()).isTrue();
    assertThat(binance.get("signals_found").asLong()).isPositive();
    JsonNode signals = a.json().get("signals");
    assertThat(signals.size()).isPositive();
    for (JsonNode s : signals) {
      assertThat(s.get("kind").asText()).isEqualTo(Spreads.KIND);
      assertThat(s.get("venues").toString()).isEqualTo("[\"binance\"]");
    }
    assertThat(binance.get("signals_found").asLong()).isEqualTo(meta.get("signals_total").asLong());
    assertThat(meta.get("successful_scans").asInt()).isEqualTo(1);
    assertThat(meta.get("failed_scans").asInt()).isZero();
    for (String k : List.of("parallel_duration", "sequential_duration_estimated", "speedup",
        "time_saved_seconds")) {
      assertThat(meta.get(k).isNumber()).as(k).isTrue();
    }
    assertThat(meta.get("parallel_duration").asDouble())
        .isEqualTo(binance.get("duration_seconds").asDouble());
    assertThat(meta.get("answered_from_running_scanner").toString()).isEqualTo("[\"binance\"]");
  }

  @Test
  void thresholdsChangeTheSignals() {
    JsonNode all = http.post("/api/scanner/scan", "{\"exchange\": [\"binance\", \"okx\"]}")
        .json();
    JsonNode none = http.post("/api/scanner/scan",
        "{\"exchange\": [\"binance\", \"okx\"], \"thresholds\": {\"min_spread\": 1.0}}").json();
    JsonNode topLevel = http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"min_spread\": 1.0}").json();
    assertThat(all.get("metadata").get("signals_total").asInt()).isPositive();
    assertThat(none.get("metadata").get("signals_total").asInt()).isZero();
    assertThat(none.get("metadata").get("thresholds").get("min_spread").asDouble())
        .isEqualTo(1.0);
    assertThat(topLevel.get("metadata").get("signals_total").asInt()).isZero();
    JsonNode limited = http.post("/api/scanner/scan",
        "{\"exchange\": [\"binance\", \"okx\"], \"limit\": 2}").json();
    assertThat(limited.get("signals").size()).isEqualTo(2);
    assertThat(limited.get("metadata").get("signals_returned").asInt()).isEqualTo(2);
  }

  @Test
  void parallelModeMixesTheRunningScannerAndAOneOffScan() {
    Http.Answer a = http.post("/api/scanner/scan", "{\"exchange\": [\"okx\", \"kraken\"]}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode meta = a.json().get("metadata");
    assertThat(meta.get("mode").asText()).isEqualTo("parallel");
    JsonNode kraken = meta.get("exchanges").get("kraken");
    assertThat(kraken.get("source").asText()).isEqualTo("one_off_scan");
    assertThat(kraken.get("success").asBoolean()).as(kraken.toString()).isTrue();
    assertThat(kraken.get("snapshots").asInt()).isPositive();
    assertThat(meta.get("exchanges").get("okx").get("source").asText())
        .isEqualTo("running_scanner");
    assertThat(meta.get("answered_by_one_off_scan").toString()).isEqualTo("[\"kraken\"]");
    assertThat(meta.get("successful_scans").asInt()).isEqualTo(2);
    double parallel = meta.get("parallel_duration").asDouble();
    double sequential = meta.get("sequential_duration_estimated").asDouble();
    assertThat(sequential).isCloseTo(meta.get("exchanges").get("okx").get("duration_seconds")
        .asDouble() + kraken.get("duration_seconds").asDouble(), org.assertj.core.data.Offset.offset(0.002));
    assertThat(meta.get("speedup").asDouble())
        .isCloseTo(sequential / parallel, org.assertj.core.data.Offset.offset(0.01));
    assertThat(meta.get("time_saved_seconds").asDouble())
        .isCloseTo(Math.max(0, sequential - parallel), org.assertj.core.data.Offset.offset(0.002));
  }

  @Test
  void aVenueThatFailsIsAnsweredAsFailedBesideTheOthers() {
    Http.Answer a = http.post("/api/scanner/scan", "{\"exchange\": [\"binance\", \"kucoin\"]}");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode meta = a.json().get("metadata");
    JsonNode kucoin = meta.get("exchanges").get("kucoin");
    assertThat(kucoin.get("success").asBoolean()).isFalse();
    assertThat(kucoin.get("error").asText()).isNotBlank();
    assertThat(kucoin.get("signals_found").asInt()).isZero();
    assertThat(meta.get("exchanges").get("binance").get("success").asBoolean()).isTrue();
    assertThat(meta.get("successful_scans").asInt()).isEqualTo(1);
    assertThat(meta.get("failed_scans").asInt()).isEqualTo(1);
  }

  @Test
  void badInputGetsA400NamingTheProblemAndIsCounted() {
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": "), 400, "malformed_json",
        "not valid JSON");
    assertBad(http.post("/api/scanner/scan", "[1, 2]"), 400, "malformed_json", "JSON object");
    assertBad(http.post("/api/scanner/scan", ""), 400, "malformed_json", "JSON object");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": \"mtgox\"}"), 400,
        "unknown_exchange", "unknown exchange 'mtgox'");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": 5}"), 400, "bad_exchange",
        "a number (5)");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": [\"okx\", true]}"), 400,
        "bad_exchange", "a boolean");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": []}"), 400, "missing_exchange",
        "at least one");
    assertBad(http.post("/api/scanner/scan", "{}"), 400, "missing_exchange", "must name");
    assertBad(http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"thresholds\": {\"min_spread\": \"high\"}}"), 400,
        "bad_threshold", "must be a number");
    assertBad(http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"thresholds\": {\"min_spread\": 7}}"), 400,
        "bad_threshold", "must be in [0.0, 1.0] but was 7");
    assertBad(http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"thresholds\": {\"max_pain\": 1}}"), 400,
        "bad_threshold", "unknown threshold 'max_pain'");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": \"okx\", \"colour\": 1}"), 400,
        "unknown_field", "unknown field 'colour'");
    assertBad(http.post("/api/scanner/scan", "{\"exchange\": \"okx\", \"limit\": 0}"), 400,
        "bad_limit", "'limit' must be an integer");
    assertBad(http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"pad\": \"" + "x".repeat(70_000) + "\"}"), 413,
        "body_too_large", "at most 65536 bytes");
    assertBad(http.get("/api/scanner/scan"), 405, "method_not_allowed", "use POST");
    assertBad(http.get("/api/nothing"), 404, "not_found", "no endpoint");

    String metrics = http.get("/metrics").body();
    assertThat(counter(metrics, "scanflux_server_bad_requests_total", "reason=\"unknown_exchange\""))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(counter(metrics, "scanflux_server_bad_requests_total", "reason=\"bad_threshold\""))
        .isGreaterThanOrEqualTo(3.0);
  }

  @Test
  void anInternalFailureIsA500WithoutItsStackTraceOrMessage() {
    Http.Answer a = http.post("/api/scanner/scan",
        "{\"exchange\": \"okx\", \"thresholds\": {\"min_spread\": 0.5}}");
    assertThat(a.status()).isEqualTo(500);
    assertThat(a.json().get("error").get("reason").asText()).isEqualTo("internal_error");
    assertThat(a.body()).doesNotContain("secret internal detail", "Exception", "\tat ",
        "dev.scanflux");
  }

  @Test
  void oneOffScansBeyondTheLimitGet429WithRetryAfter() throws Exception {
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.OKX),
        (self, b) -> b.oneOff(List.of("kraken"), venues -> Mono.<Scan>never()).maxOneOffScans(1));
        Http client = new Http(f.url())) {
      Disposable first = client.client.post().uri("/api/scanner/scan")
          .send(reactor.netty.ByteBufFlux.fromString(Mono.just("{\"exchange\":\"kraken\"}")))
          .response().subscribe();
      try {
        Awaits.until(() -> f.server.registry().get("scanflux.server.oneoff.running").gauge()
            .value() == 1.0);
        Http.Answer second = client.post("/api/scanner/scan", "{\"exchange\":\"kraken\"}");
        assertBad(second, 429, "too_many_one_off_scans", "retry in 5 s");
        assertThat(second.headers().get("Retry-After")).isEqualTo("5");
        Http.Answer running = client.post("/api/scanner/scan", "{\"exchange\":\"okx\"}");
        assertThat(running.status()).as("the running scanner's venues need no slot")
            .isEqualTo(200);
      } finally {
        first.dispose();
      }
    }
  }

  @Test
  void readEndpointsShowTheLatestScanEachVenueAndTheLatestBook() {
    JsonNode latest = http.get("/api/scanner/latest").json();
    assertThat(latest.get("cycle").asLong()).isPositive();
    assertThat(latest.get("report").get("venues").has("okx")).isTrue();
    assertThat(latest.get("books").asInt()).isPositive();

    JsonNode venues = http.get("/api/venues").json().get("venues");
    assertThat(venues.size()).isEqualTo(2);
    JsonNode binance = venues.get(0);
    assertThat(binance.get("venue").asText()).isEqualTo("binance");
    assertThat(binance.get("state").asText()).isEqualTo("ok");
    assertThat(binance.get("progress").get("planned").asLong()).isPositive();
    assertThat(binance.get("rate").get("limit").get("budget").asLong()).isPositive();
    assertThat(binance.get("rate").has("weight_per_second")).isTrue();
    assertThat(binance.get("failures").get("by_class").has("throttled")).isTrue();
    assertThat(binance.get("stream").get("state").asText()).isEqualTo("off");
    assertThat(binance.get("books").get("books").asInt()).isPositive();

    JsonNode okx = http.get("/api/venues/okx").json();
    JsonNode each = okx.get("books").get("each");
    assertThat(each.size()).isPositive();
    assertThat(each.get(0).get("state").asText()).isIn("live", "stale");
    assertThat(each.get(0).has("age_seconds")).isTrue();
    JsonNode health = okx.get("books").get("health");
    assertThat(health.size()).as("the engine's health of every book it scans").isPositive();
    assertThat(health.get(0).get("origin").asText()).isIn("poll", "stream");
    assertThat(health.get(0).get("state").asText()).isIn("live", "resyncing", "stale", "failing");
    assertThat(okx.get("books").get("by_state").get("live").asLong()).isPositive();

    String symbol = each.get(0).get("instrument").asText();
    Http.Answer book = http.get("/api/book?venue=okx&instrument=" + symbol + "&depth=3");
    assertThat(book.status()).as(book.body()).isEqualTo(200);
    assertThat(book.json().get("bids").size()).isLessThanOrEqualTo(3);
    assertThat(book.json().get("instrument").asText()).isEqualTo(symbol);
    Http.Answer ticker = http.get("/api/ticker?venue=okx&instrument=" + symbol);
    assertThat(ticker.status()).isIn(200, 404);

    assertBad(http.get("/api/venues/mtgox"), 404, "unknown_venue", "'mtgox'");
    assertBad(http.get("/api/book?venue=okx&instrument=BTC"), 400, "bad_instrument", "BTC");
    assertBad(http.get("/api/book?venue=okx&instrument=ZZZ/USDT"), 404, "no_data", "ZZZ/USDT");
    assertBad(http.get("/api/book?venue=okx"), 400, "missing_parameter", "instrument");
    assertBad(http.get("/api/book?venue=okx&instrument=" + symbol + "&depth=x"), 400,
        "bad_parameter", "depth");

    JsonNode alerts = http.get("/api/alerts").json();
    assertThat(alerts.get("alerting").asBoolean()).isFalse();
    assertThat(alerts.get("open").size()).isZero();
  }

  @Test
  void metricsAreInThePrometheusTextFormat() {
    http.get("/health");
    Http.Answer a = http.get("/metrics");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.headers().get("Content-Type")).startsWith("text/plain");
    Pattern sample = Pattern.compile(
        "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})? "
            + "[-+0-9.eE]+|NaN|[-+]Inf");
    List<String> bad = new ArrayList<>();
    for (String line : a.body().split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#") && !sample.matcher(line).matches()) {
        bad.add(line);
      }
    }
    assertThat(bad).isEmpty();
    assertThat(counter(a.body(), "scanflux_requests_seconds_count", "venue=\"binance\""))
        .isPositive();
    assertThat(counter(a.body(), "scanflux_server_requests_total", "endpoint=\"/health\""))
        .isGreaterThanOrEqualTo(1.0);
    assertThat(a.body()).contains("# TYPE scanflux_server_sse_clients gauge");
  }

  @Test
  void aTokenIsNeededBeyondLoopbackAndCheckedWhenGiven() throws Exception {
    Scanner scanner = fixture.scanner;
    assertThatThrownBy(() -> ScanServer.builder(scanner).bindAddress("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    String token = "0123456789abcdef-token";
    try (ScanServer s = ScanServer.builder(scanner).port(0).token(token).build().start();
        Http anonymous = new Http(s.url());
        Http bearer = new Http(s.url(), h -> h.set("Authorization", "Bearer " + token));
        Http wrong = new Http(s.url(), h -> h.set("Authorization", "Bearer nope"))) {
      assertThat(anonymous.get("/health").status()).isEqualTo(200);
      Http.Answer refused = anonymous.get("/api/venues");
      assertBad(refused, 401, "unauthorized", "Bearer");
      assertThat(refused.body()).doesNotContain(token);
      assertThat(wrong.get("/api/venues").status()).isEqualTo(401);
      assertThat(bearer.get("/api/venues").status()).isEqualTo(200);
      Http.Answer login = anonymous.get("/?token=" + token);
      assertThat(login.status()).isEqualTo(303);
      assertThat(login.headers().get("Set-Cookie")).contains("HttpOnly");
    }
  }

  static void assertBad(Http.Answer a, int status, String reason, String message) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    JsonNode e = a.json().get("error");
    assertThat(e.get("status").asInt()).isEqualTo(status);
    assertThat(e.get("reason").asText()).isEqualTo(reason);
    assertThat(e.get("message").asText()).contains(message);
  }

  /** The value of a metric's sample whose labels contain {@code label}, summed. */
  static double counter(String metrics, String name, String label) {
    double sum = 0;
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
    boolean found = false;
    while (m.find()) {
      if (m.group(1).contains(label)) {
        sum += Double.parseDouble(m.group(2));
        found = true;
      }
    }
    assertThat(found).as(name + " with " + label + " in\n" + metrics).isTrue();
    return sum;
  }
}
