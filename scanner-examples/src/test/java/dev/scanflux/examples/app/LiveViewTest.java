package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.BookHealth;
import dev.scanflux.core.PassEvent;
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
import dev.scanflux.core.spi.ResyncCause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveViewTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

  private static RequestEvent request(String venue, long pass, int weight, ErrorClass failure) {
    return new RequestEvent(venue, pass, RequestKind.BOOK, null, false, 1, weight, T0,
        Duration.ofMillis(50), failure, false);
  }

  private static List<BookHealth> books(String venue, int live, int total) {
    List<BookHealth> books = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      books.add(new BookHealth(venue, Instrument.parse("SIM" + i + "/USDT"), i < 3,
          BookHealth.Origin.POLL, i < live ? BookHealth.State.LIVE : BookHealth.State.STALE,
          null, null, null, 0));
    }
    return books;
  }

  private LiveView view(Map<String, RateLimitSpec> limits, Progress progress) {
    return new LiveView(limits, progress, nanos::get);
  }

  @Test
  void showsPassFreshBooksRatesInOneUnitAndFailures() {
    Progress progress = new Progress(List.of("binance"), v -> books(v, 152, 200));
    LiveView view = view(Map.of("binance", RateLimitSpec.parse("100/1s")), progress);
    for (int i = 0; i < 40; i++) { // long ago: out of the last second
      RequestEvent e = request("binance", 1, 2, i == 0 ? ErrorClass.THROTTLED : null);
      view.onRequest(e);
      progress.onRequest(e);
    }
    PassEvent pass = new PassEvent("binance", 1, Instant.EPOCH, Duration.ofSeconds(4), 200, 0);
    view.onPass(pass);
    progress.onPass(pass);
    nanos.addAndGet(5_000_000_000L);
    for (int i = 0; i < 10; i++) {
      RequestEvent e = request("binance", 2, 2, null);
      view.onRequest(e);
      progress.onRequest(e);
    }
    view.opportunities(List.of("spread BTC/USDT buy okx sell binance +0.12%"));

    List<String> frame = view.frame(120, Duration.ofSeconds(83));

    assertThat(String.join("\n", frame)).contains("waiting for scan 1", "running 00:01:23")
        .contains("spread BTC/USDT buy okx sell binance +0.12%")
        .contains("failures: binance 1 throttled");
    assertThat(frame.stream().filter(l -> l.startsWith("binance")).findFirst().orElseThrow())
        .as("1 pass done, 152/200 fresh, 10 req/s and 20 weight/s against 100 weight/s, 50 requests"
            + " in the run, 1 failed, 1 throttled")
        .matches("binance\\s+1\\s+152/200\\s+10\\.0\\s+20\\.0\\s+100\\.0\\s+50\\s+0\\s+1\\s+1"
            + "\\s+-");
  }

  @Test
  void fitsEightyAndOneHundredTwentyColumnsWithoutWrapping() {
    Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    for (String v : List.of("binance", "okx", "bybit", "kucoin", "kraken")) {
      limits.put(v, RateLimitSpec.parse("6000/1m"));
    }
    Progress progress = new Progress(List.copyOf(limits.keySet()), v -> books(v, 200, 200));
    LiveView view = view(limits, progress);
    StreamReport stream = new StreamReport(StreamReport.State.CONNECTED, 200, 200, 557_286_776, 1,
        0, Map.of(), 0, 0);
    view.onScan(new Scan(T0, List.of(), new ScanReport(7, T0, Duration.ofSeconds(1),
        List.of(new VenueReport("okx", 200, 4, 4, Map.of(), 0, 0, 4, Duration.ofMillis(300),
            Duration.ofMillis(50), Duration.ofMillis(60), 0.1, false, stream)))));
    view.onStreamTransition(new StreamTransition("okx", StreamTransition.Type.RESYNC,
        Instrument.parse("BTC/USDT"), ResyncCause.SEQUENCE_GAP, "expected 11, got 14", T0));
    view.opportunities(List.of("x".repeat(300)));

    for (int width : new int[] {80, 120}) {
      List<String> frame = view.frame(width, Duration.ofSeconds(5));
      assertThat(frame).as("every line fits %d columns", width)
          .allSatisfy(l -> assertThat(l.length()).isLessThan(width));
      assertThat(frame).anySatisfy(l -> assertThat(l).endsWith("…"));
      assertThat(frame.get(2)).as("the table's header is whole at %d columns", width)
          .endsWith(width < LiveView.NARROW ? "thrtl" : "stream");
      assertThat(frame).as("the stream's figures are shown, for people, at %d columns", width)
          .anySatisfy(l -> assertThat(l).startsWith("okx").contains("557.3 M"))
          .noneSatisfy(l -> assertThat(l).contains("E8"));
    }
    assertThat(view.frame(160, Duration.ZERO).stream().filter(l -> l.startsWith("okx"))
        .findFirst().orElseThrow())
        .endsWith("connected, 200 live, 557.3 M upd (last: resync sequence_gap)");
    assertThat(view.frame(80, Duration.ZERO)).contains(
        "okx stream: connected, 200 live, 557.3 M upd (last: resync sequence_gap)");
  }

  @Test
  void theFinalReportCountsPassesBeforeAnyScanIsCut() {
    LiveView view = new LiveView(Map.of("binance", RateLimitSpec.parse("100/1s")), null,
        nanos::get);
    for (int p = 1; p <= 3; p++) { // a scan is cut only when every venue passed: none here
      view.onPass(new PassEvent("binance", p, Instant.EPOCH, Duration.ofMillis(1500 + p * 100),
          200, 0));
    }
    assertThat(view.totals()).singleElement().asString().endsWith("3 passes, last 1.8 s");
  }

  @Test
  void theFinalReportShowsCancelledRequestsApartFromFailures() {
    LiveView view = new LiveView(Map.of("binance", RateLimitSpec.parse("100/1s")), null,
        nanos::get);
    view.onRequest(request("binance", 1, 5, null));
    view.onRequest(request("binance", 1, 5, ErrorClass.TRANSIENT));
    view.onRequest(new RequestEvent("binance", 1, RequestKind.BOOK, null, true, 1, 5, T0,
        Duration.ofMillis(20), null, true));
    assertThat(view.totals()).singleElement().asString()
        .contains("3 requests", "weight 15", "1 failed (1 transient), 1 cancelled, 0 passes");
  }

  @Test
  void theScanLineShowsPassesAndStreamsAndNoSpeedupForStreamedVenues() {
    StreamReport stream = new StreamReport(StreamReport.State.CONNECTED, 198, 200, 5_400, 1, 0,
        Map.of(ResyncCause.SEQUENCE_GAP, 2L), 0, 4);
    ScanReport streamed = new ScanReport(3, T0, Duration.ofSeconds(1), List.of(
        new VenueReport("okx", 200, 4, 4, Map.of(), 0, 0, 4, Duration.ofMillis(300),
            Duration.ofMillis(50), Duration.ofMillis(60), 0.1, false, stream),
        new VenueReport("kucoin", 200, 40, 40, Map.of(), 0, 0, 40, Duration.ofSeconds(1),
            Duration.ofMillis(50), Duration.ofMillis(60), 0.5, false)));
    assertThat(LiveView.line(streamed)).startsWith("scan 3: 2 venues, 44 requests in 1.00 s, 0")
        .doesNotContain("x)").doesNotContain("cancelled") // shown only when there are some
        .endsWith("; streams: okx connected, 198 books live, 5,400 updates, 2 resyncs, 4 polled");
  }

  @Test
  void theScanLineShowsCancelledRequestsWhenThereAreSome() {
    ScanReport r = new ScanReport(4, T0, Duration.ofSeconds(1), List.of(
        new VenueReport("binance", 20, 12, 10, Map.of(), 2, 0, 0, 12, Duration.ofSeconds(1),
            Duration.ofMillis(50), Duration.ofMillis(60), 0.1, false, StreamReport.OFF, 1,
            Duration.ofMillis(900))));
    assertThat(LiveView.line(r)).startsWith("scan 4: 1 venues, 12 requests in 1.00 s, 0 failed,"
        + " 2 cancelled, 0 throttled; passes: binance 1");
  }

  @Test
  void showsTheAlertsOnceThereAreAny() {
    LiveView view = new LiveView(Map.of("okx", RateLimitSpec.parse("40/2s")));
    assertThat(view.frame(120, Duration.ZERO)).doesNotContain("Alerts").contains("  none yet");
    view.alerts(List.of("alerts: 2 opened, 0 updated, 1 closed, 0 suppressed, 4 short-lived,"
        + " 1 open", "telegram: 3 delivered, 1 retries", "open 1 min 5 s: bid wall on okx"));
    assertThat(view.frame(120, Duration.ZERO)).endsWith("Alerts",
        "  alerts: 2 opened, 0 updated, 1 closed, 0 suppressed, 4 short-lived, 1 open",
        "  telegram: 3 delivered, 1 retries", "  open 1 min 5 s: bid wall on okx");
  }

  @Test
  void countsAndRatesAreForPeople() {
    assertThat(LiveView.count(950)).isEqualTo("950");
    assertThat(LiveView.count(12_345)).isEqualTo("12,345");
    assertThat(LiveView.count(557_286_776)).isEqualTo("557.3 M");
    assertThat(LiveView.rate(19.96)).isEqualTo("20.0");
    assertThat(LiveView.rate(12_345.6)).isEqualTo("12,346");
  }

  @Test
  void theScreenRedrawsInPlaceWithoutClearing() {
    String once = Screen.render(List.of("a", "b"));
    assertThat(once).startsWith("\033[H").contains("a\033[K\r\nb\033[K\r\n").endsWith("\033[J")
        .doesNotContain("\033[2J");
  }
}
