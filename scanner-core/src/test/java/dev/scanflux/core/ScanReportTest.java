package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.spi.ErrorClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ScanReport}'s totals are its venues' figures added up, cancellations included. */
class ScanReportTest {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  private static VenueReport venue(String name, long successes, long throttled, long transient_,
      long cancelled) {
    long requests = successes + throttled + transient_ + cancelled;
    return new VenueReport(name, 10, requests, successes, Map.of(ErrorClass.THROTTLED, throttled,
        ErrorClass.TRANSIENT, transient_), cancelled, 0, 0, requests,
        Duration.ofSeconds(1), Duration.ofMillis(5), Duration.ofMillis(9), 0.5, false,
        StreamReport.OFF, 1, Duration.ofMillis(400));
  }

  @Test
  void totalsAddUpEveryVenueCancelledIncluded() {
    ScanReport r = new ScanReport(2, T0, Duration.ofSeconds(1), List.of(
        venue("binance", 20, 1, 2, 3), venue("okx", 10, 0, 1, 4)));

    assertThat(r.requests()).isEqualTo(41);
    assertThat(r.failed()).isEqualTo(4);
    assertThat(r.cancelled()).isEqualTo(7);
    assertThat(r.throttles()).isEqualTo(1);
    assertThat(r.requests()).as("every request is one of the three outcomes")
        .isEqualTo(r.venues().values().stream().mapToLong(VenueReport::successes).sum()
            + r.failed() + r.cancelled());
    assertThat(r.toString()).contains("41 requests, 4 failed, 7 cancelled, 1 throttled");
  }

  @Test
  void noVenueNoCancellations() {
    ScanReport r = new ScanReport(1, T0, Duration.ZERO, List.of());
    assertThat(r.cancelled()).isZero();
    assertThat(r.requests()).isZero();
  }

  @Test
  void aVenueReportedTwiceIsRefused() {
    assertThatThrownBy(() -> new ScanReport(1, T0, Duration.ZERO, List.of(
        venue("okx", 1, 0, 0, 0), venue("okx", 1, 0, 0, 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'okx'");
  }
}
