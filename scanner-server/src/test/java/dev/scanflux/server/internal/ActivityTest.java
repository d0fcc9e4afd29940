package dev.scanflux.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RequestKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ActivityTest {

  private static final Instant T0 = Instant.parse("2026-12-06T08:00:00Z");

  private static RequestEvent request(int i, ErrorClass failure, boolean cancelled) {
    return new RequestEvent("binance", 1, RequestKind.BOOK, null, false, 1, 5,
        T0.plusMillis(100L * i), Duration.ofMillis(40), failure, cancelled);
  }

  @Test
  void aCancelledRequestIsCountedApartAndNeitherEndsNorExtendsAFailureRun() {
    Activity activity = new Activity();
    activity.onRequest(request(0, ErrorClass.TRANSIENT, false));
    activity.onRequest(request(1, null, true));
    activity.onRequest(request(2, ErrorClass.TRANSIENT, false));

    Activity.State s = activity.venue("binance").state(T0.plusSeconds(1), Duration.ofSeconds(5));
    assertThat(s.requests()).isEqualTo(3);
    assertThat(s.ok()).isZero();
    assertThat(s.cancelled()).isEqualTo(1);
    assertThat(s.failures()).containsEntry(ErrorClass.TRANSIENT, 2L);
    assertThat(s.failedInARow()).isEqualTo(2);
    assertThat(s.lastSuccessAt()).isNull();
  }
}
