package dev.scanflux.core.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class ScanWindowsTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");

  @Test
  void aWindowWithMoreItemsThanTheBoundIsCutIntoScansOfAtMostThatMany() {
    Flux<MarketSnapshot> oneInstant = Flux.range(0, 12).map(i -> ticker("v", "C" + i));

    List<Scan> scans = ScanWindows.group(oneInstant, Duration.ofSeconds(1), 5).collectList()
        .block();

    assertThat(scans).extracting(s -> s.snapshots().size()).containsExactly(5, 5, 2);
    assertThat(scans).extracting(Scan::cycle).containsExactly(1L, 2L, 3L);
    assertThat(scans).extracting(Scan::startedAt).containsOnly(T0);
    assertThat(scans).extracting(s -> s.report().venues().get("v").requests())
        .containsExactly(5L, 5L, 2L);
    assertThat(ScanWindows.MAX_ITEMS).isEqualTo(100_000);
  }

  @Test
  void aSnapshotOfAnItemAlreadyHeldNeverCutsTheWindow() {
    Flux<MarketSnapshot> same = Flux.range(0, 1000).map(i -> ticker("v", "C" + (i % 5)));

    List<Scan> scans = ScanWindows.group(same, Duration.ofSeconds(1), 5).collectList().block();

    assertThat(scans).singleElement().satisfies(s -> {
      assertThat(s.snapshots()).hasSize(5);
      assertThat(s.report().venues().get("v").requests()).isEqualTo(1000);
    });
  }

  private static MarketSnapshot ticker(String venue, String base) {
    return new TickerSnapshot(venue, Instrument.spot(base, "USDT"), 100, 101, 100.5, 1, 100,
        0.01, T0, T0);
  }
}
