package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
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
        .matches("binance\\s+\\S+\\s+\\S+\\s+10\\.0\\s+100\\.0\\s+49\\s+1\\s+0\\s+0\\s+0");
  }

  @Test
  void theFirstCycleShowsACountUntilItsSizeIsKnown() {
    LiveView view = new LiveView(Map.of("okx", RateLimitSpec.parse("40/2s")));
    assertThat(view.frame(T0, Duration.ZERO)).contains("0 requests", "none yet", "20.0");
  }
}
