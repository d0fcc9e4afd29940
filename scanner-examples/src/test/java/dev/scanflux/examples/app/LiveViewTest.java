package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveViewTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private static RequestEvent request(long cycle, int i, ErrorClass failure) {
    return new RequestEvent("binance", cycle, RequestKind.BOOK, null, false, 1, 1,
        T0.plusMillis(10L * i), Duration.ofMillis(50), failure);
  }

  @Test
  void showsProgressAgainstTheLastCycleRateAndFailures() {
    LiveView view = new LiveView(Map.of("binance", RateLimitSpec.parse("100/1s")));
    for (int i = 0; i < 40; i++) {
      view.onRequest(request(1, i, i == 0 ? ErrorClass.THROTTLED : null));
    }
    view.onScan(new Scan(T0.plusSeconds(1), List.of(), new ScanReport(1, T0,
        Duration.ofSeconds(1), List.of(new VenueReport("binance", 20, 40, 39,
            Map.of(ErrorClass.THROTTLED, 1L), 1, 0, 40, Duration.ofSeconds(1),
            Duration.ofMillis(50), Duration.ofMillis(50), 0.4, false)))));
    for (int i = 0; i < 10; i++) {
      view.onRequest(request(2, 100 + i, null));
    }
    view.opportunities(List.of("spread BTC/USDT buy okx sell binance +0.12%"));

    String frame = view.frame(T0.plusMillis(1500), Duration.ofSeconds(83));

    assertThat(frame).contains("cycle 2", "running 00:01:23")
        .contains("[######------------------]  25%")
        .contains("100.0")
        .contains("cycle 1: 1 venues, 40 requests in 1.00 s")
        .contains("spread BTC/USDT buy okx sell binance +0.12%");
    assertThat(frame.lines().filter(l -> l.startsWith("binance")).findFirst().orElseThrow())
        .as("10 requests completed in the last second, 49 ok, 1 throttled")
        .matches("binance\\s+\\S+\\s+\\S+\\s+10\\.0\\s+100\\.0\\s+49\\s+1\\s+0\\s+0\\s+0\\s+-");
  }

  @Test
  void aStreamedVenueShowsItsStreamAndItsLastTransition() {
    LiveView view = new LiveView(Map.of("okx", RateLimitSpec.parse("40/2s")));
    StreamReport stream = new StreamReport(StreamReport.State.CONNECTED, 198, 200, 5_400, 1, 0,
        Map.of(ResyncCause.SEQUENCE_GAP, 2L), 0, 4);
    ScanReport report = new ScanReport(3, T0, Duration.ofSeconds(1), List.of(new VenueReport(
        "okx", 200, 4, 4, Map.of(), 0, 0, 4, Duration.ofMillis(300), Duration.ofMillis(50),
        Duration.ofMillis(60), 0.1, false, stream)));
    view.onScan(new Scan(T0.plusSeconds(1), List.of(), report));
    view.onStreamTransition(new StreamTransition("okx", StreamTransition.Type.RESYNC,
        Instrument.parse("BTC/USDT"), ResyncCause.SEQUENCE_GAP, "expected 11, got 14", T0));

    assertThat(view.frame(T0.plusSeconds(1), Duration.ofSeconds(3)).lines()
        .filter(l -> l.startsWith("okx")).findFirst().orElseThrow())
        .endsWith("connected, 198 books live, 5400 upd (last: resync sequence_gap)");
    assertThat(LiveView.line(report)).endsWith(
        "; streams: okx connected, 198 books live, 5400 updates, 2 resyncs, 4 polled");
  }

  @Test
  void theFirstCycleShowsACountUntilItsSizeIsKnown() {
    LiveView view = new LiveView(Map.of("okx", RateLimitSpec.parse("40/2s")));
    assertThat(view.frame(T0, Duration.ZERO)).contains("0 requests", "none yet", "20.0");
  }

  @Test
  void showsTheAlertsOnceThereAreAny() {
    LiveView view = new LiveView(Map.of("okx", RateLimitSpec.parse("40/2s")));
    assertThat(view.frame(T0, Duration.ZERO)).doesNotContain("Alerts");
    view.alerts(List.of("alerts: 2 opened, 0 updated, 1 closed, 0 suppressed, 4 short-lived,"
        + " 1 open", "telegram: 3 delivered, 1 retries", "open 1 min 5 s: bid wall on okx"));
    assertThat(view.frame(T0, Duration.ZERO)).endsWith(String.join(System.lineSeparator(),
        "Alerts", "  alerts: 2 opened, 0 updated, 1 closed, 0 suppressed, 4 short-lived, 1 open",
        "  telegram: 3 delivered, 1 retries", "  open 1 min 5 s: bid wall on okx", ""));
  }
}
