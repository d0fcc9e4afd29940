package dev.scanflux.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicrometerScanListenerTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerScanListener listener = new MicrometerScanListener(registry);
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  private static RequestEvent event(ErrorClass failure, long millis) {
    return new RequestEvent("binance", 1, RequestKind.BOOK, BTC, true, 1, 5, Instant.EPOCH,
        Duration.ofMillis(millis), failure, false);
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
  void timesACancelledRequestApartAndCountsNoFailure() {
    listener.onRequest(new RequestEvent("binance", 1, RequestKind.BOOK, BTC, true, 1, 5,
        Instant.EPOCH, Duration.ofMillis(30), null, true));

    assertThat(registry.get("scanflux.requests")
        .tags("venue", "binance", "kind", "book", "outcome", "cancelled").timer().count())
        .isEqualTo(1);
    assertThat(registry.find("scanflux.requests").tag("outcome", "success").timer()).isNull();
    assertThat(registry.find("scanflux.failures").counters()).isEmpty();
  }

  @Test
  void recordsTheAgeOfSnapshotsOnArrival() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    listener.onSnapshot(new TickerSnapshot("okx", BTC, 1, 2, 1.5, 1, 1, 0, t,
        t.plusMillis(250)));
    assertThat(registry.get("scanflux.data.age").tag("venue", "okx").timer()
        .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void countsStreamTransitionsByTypeAndCauseAndGaugesLiveInstruments() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    listener.onStreamTransition(new StreamTransition("okx", StreamTransition.Type.CONNECTED, null,
        null, "subscribed", t));
    listener.onStreamTransition(new StreamTransition("okx", StreamTransition.Type.RESYNC, BTC,
        ResyncCause.CHECKSUM_MISMATCH, "crc 12 != 13", t));
    listener.onStreamTransition(new StreamTransition("okx", StreamTransition.Type.RESYNC, BTC,
        ResyncCause.CHECKSUM_MISMATCH, "crc 14 != 15", t));
    assertThat(registry.get("scanflux.stream.transitions")
        .tags("venue", "okx", "type", "resync", "cause", "checksum_mismatch").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("scanflux.stream.transitions")
        .tags("type", "connected", "cause", "none").counter().count()).isEqualTo(1);

    StreamReport stream = new StreamReport(StreamReport.State.CONNECTED, 180, 200, 5_000, 1, 0,
        Map.of(), 0, 40);
    VenueReport venue = new VenueReport("okx", 200, 40, 40, Map.of(), 0, 0, 40,
        Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(80), 0.5, false, stream);
    listener.onScan(new Scan(t, List.of(), new ScanReport(1, t, Duration.ofSeconds(1),
        List.of(venue))));
    assertThat(registry.get("scanflux.stream.live").tags("venue", "okx", "kind", "book").gauge()
        .value()).isEqualTo(180);
    assertThat(registry.get("scanflux.stream.polled").tag("venue", "okx").counter().count())
        .isEqualTo(40);
  }

  @Test
  void gaugesListenerFailuresAsOfTheLastScan() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(registry.get("scanflux.listener.failures").gauge().value()).isZero();
    listener.onScan(new Scan(t, List.of(), new ScanReport(1, t, Duration.ofSeconds(1),
        List.of(), 7)));
    assertThat(registry.get("scanflux.listener.failures").gauge().value()).isEqualTo(7);
  }
}
