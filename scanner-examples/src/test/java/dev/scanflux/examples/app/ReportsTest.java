package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportsTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private static VenueReport venue(String name, long millis) {
    return new VenueReport(name, 100, 208, 200, Map.of(ErrorClass.THROTTLED, 1L,
        ErrorClass.TRANSIENT, 4L), 3, 5, 1, 1025, Duration.ofMillis(millis),
        Duration.ofMillis(60), Duration.ofMillis(95), 0.97, false, StreamReport.OFF, 1,
        Duration.ofMillis(millis));
  }

  private static ScanReport report() {
    return new ScanReport(3, T0, Duration.ofMillis(1000),
        List.of(venue("binance", 1000), venue("okx", 900)));
  }

  @Test
  void jsonReportIsOneObjectPerCycleWithEveryVenueFigure() throws Exception {
    String line = ReportJson.line(report());
    assertThat(line).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("schema").asInt()).isEqualTo(ReportJson.SCHEMA);
    assertThat(json.get("scan").asLong()).isEqualTo(3);
    assertThat(line).startsWith("{\"schema\":");
    assertThat(json.get("durationMs").asDouble()).isEqualTo(1000);
    assertThat(json.get("sequentialEstimateMs").asDouble()).isEqualTo(1900);
    assertThat(json.get("speedup").asDouble()).isEqualTo(1.9);
    assertThat(json.get("throttles").asLong()).isEqualTo(2);
    assertThat(json.get("cancelled").asLong()).as("3 on each venue").isEqualTo(6);
    JsonNode binance = json.get("venues").get("binance");
    assertThat(binance.get("requests").asLong()).isEqualTo(208);
    assertThat(binance.get("cancelled").asLong()).isEqualTo(3);
    assertThat(binance.get("failures").get("transient").asLong()).isEqualTo(4);
    assertThat(binance.get("failures").get("bad_data").asLong()).isZero();
    assertThat(binance.get("retries").asLong()).isEqualTo(5);
    assertThat(binance.get("utilisation").asDouble()).isEqualTo(0.97);
    assertThat(binance.get("latencyP99Ms").asDouble()).isEqualTo(95);
  }

  @Test
  void htmlTimelineShowsEveryRequestItsConcurrencyAndTheLimit() {
    TimelineReport timeline = new TimelineReport(
        Map.of("v<1>", RateLimitSpec.parse("10/1s")), 1000);
    Instrument btc = Instrument.parse("BTC/USDT");
    for (int i = 0; i < 9; i++) { // three waves of three overlapping requests
      timeline.onRequest(new RequestEvent("v<1>", 1, RequestKind.BOOK, btc, i < 3, 1, 1,
          T0.plusMillis(100L * (i / 3)), Duration.ofMillis(80),
          i == 8 ? ErrorClass.THROTTLED : null, i == 7));
    }
    timeline.onScan(new Scan(T0.plusSeconds(1), List.of(),
        new ScanReport(1, T0, Duration.ofSeconds(1), List.of(venue("v<1>", 1000)))));

    timeline.onStreamTransition(new StreamTransition("v<1>", StreamTransition.Type.CONNECTED,
        null, null, "connected", T0.plusMillis(50)));
    timeline.onStreamTransition(new StreamTransition("v<1>", StreamTransition.Type.DISCONNECTED,
        null, null, "idle 30 s", T0.plusMillis(250)));

    String html = timeline.render("Scanflux <run>", T0);

    assertThat(count(html, "v&lt;1&gt;: book BTC/USDT")).as("9 bars and 1 throttle mark")
        .isEqualTo(10);
    assertThat(html).contains("9 requests, 1 scans, 2 stream events")
        .contains("fill=\"#1d3557\"") // priority
        .contains("fill=\"#e63946\"") // throttled
        .contains("fill=\"#d6ccc2\"") // cancelled
        .contains("weight 1, 80.0 ms, cancelled</title>")
        .contains("<th>failed</th><th>cancelled</th><th>throttled</th>")
        .contains("<td>208</td><td>5</td><td>3</td><td>1</td></tr>") // the scan's totals
        .contains("v&lt;1&gt;").doesNotContain("v<1>")
        .contains("<title>Scanflux &lt;run&gt;</title>")
        .contains("time since the first request (s)", ">0.5</text>", ">1.0</text>")
        .contains("v&lt;1&gt; pass 1 begins", "scan 1 cut")
        .contains("v&lt;1&gt; stream connected", "v&lt;1&gt; stream dropped: idle 30 s")
        .contains("limit: 10 weight per 1s")
        .contains("<polyline");
    assertThat(html).as("self-contained").doesNotContain("src=", "href=", "<script");
  }

  @Test
  void htmlTimelineKeepsTheNewestRequestsAndSaysHowManyItDropped() {
    TimelineReport timeline = new TimelineReport(Map.of(), 5);
    for (int i = 0; i < 8; i++) {
      timeline.onRequest(new RequestEvent("v", 1, RequestKind.TICKERS, null, false, 1, 1,
          T0.plusSeconds(i), Duration.ofMillis(10), null, false));
    }
    String html = timeline.render("t", T0);
    assertThat(html).contains("5 requests, 0 scans, 0 stream events, 0 alert events shown (the 3"
        + " oldest requests were dropped)");
    assertThat(count(html, "v: tickers")).isEqualTo(5);
  }

  private static int count(String s, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
