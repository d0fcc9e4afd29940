package dev.scanflux.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RequestKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerScanListenerTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerScanListener listener = new MicrometerScanListener(registry);
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  private static RequestEvent event(ErrorClass failure, long millis) {
    return new RequestEvent("binance", 1, RequestKind.BOOK, BTC, true, 1, 5, Instant.EPOCH,
        Duration.ofMillis(millis), failure);
  }

  @Test
  void timesRequestsByOutcomeAndCountsFailuresByClass() {
    listener.onRequest(event(null, 40));
    listener.onRequest(event(null, 60));
    listener.onRequest(event(ErrorClass.THROTTLED, 10));
    listener.onRequest(event(ErrorClass.THROTTLED, 10));
    listener.onRequest(event(ErrorClass.BAD_DATA, 10));

    var ok = registry.get("scanflux.requests")
        .tags("venue", "binance", "kind", "book", "outcome", "success").timer();
    assertThat(ok.count()).isEqualTo(2);
    assertThat(ok.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(100);
    assertThat(registry.get("scanflux.failures").tags("venue", "binance", "class", "throttled")
        .counter().count()).isEqualTo(2);
    assertThat(registry.get("scanflux.failures").tags("class", "bad_data").counter().count())
        .isEqualTo(1);
  }

  @Test
  void recordsTheAgeOfSnapshotsOnArrival() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    listener.onSnapshot(new TickerSnapshot("okx", BTC, 1, 2, 1.5, 1, 1, 0, t,
        t.plusMillis(250)));
    assertThat(registry.get("scanflux.data.age").tag("venue", "okx").timer()
        .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }
}
