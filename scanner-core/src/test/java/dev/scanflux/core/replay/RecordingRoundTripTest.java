package dev.scanflux.core.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

/** Property-style: whatever is written reads back equal, plain and gzipped. */
class RecordingRoundTripTest {

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"random.jsonl", "random.jsonl.gz"})
  void randomSnapshotsReadBackEqual(String name) {
    for (long seed = 1; seed <= 4; seed++) {
      List<MarketSnapshot> written = new RandomSnapshots(seed).sorted(500);
      Path file = dir.resolve(seed + "-" + name);

      Long count = RecordingWriter.of(file).write(Flux.fromIterable(written)).block();
      List<MarketSnapshot> read = RecordingReader.of(file).snapshots().collectList().block();

      assertThat(count).isEqualTo(written.size());
      assertThat(read).as("seed %d", seed).containsExactlyElementsOf(written);
    }
  }

  @Test
  void edgeValuesReadBackBitForBit() {
    Instrument btc = Instrument.perpetual("1000PEPE", "USDT");
    List<MarketSnapshot> written = new ArrayList<>();
    Instant t = Instant.parse("2025-01-31T12:00:00.000000001Z");
    double[] prices = RandomSnapshots.EDGE_PRICES.clone();
    Arrays.sort(prices);
    BookSnapshot.Builder all = BookSnapshot.builder("币安 🚀", btc).receivedAt(t);
    for (int i = prices.length - 1; i >= 0; i--) {
      if (i == prices.length - 1 || prices[i] != prices[i + 1]) {
        all.bid(prices[i], i % 2 == 0 ? -0.0 : prices[i]);
      }
    }
    written.add(all.build());
    written.add(BookSnapshot.builder("empty", btc).receivedAt(t).build());
    written.add(BookSnapshot.builder("bids-only", btc).receivedAt(t).bid(Double.MAX_VALUE, 0.0)
        .bid(Double.MIN_VALUE, Double.MAX_VALUE).build());
    written.add(BookSnapshot.builder("asks-only", btc).receivedAt(t).ask(Double.MIN_VALUE, 1e-320)
        .ask(Double.MAX_VALUE, 0.1 + 0.2).build());
    written.add(new TickerSnapshot("ünïcödé", btc, Double.MIN_VALUE, Double.MAX_VALUE,
        Math.PI, Double.NaN, Double.NaN, Double.NaN, Instant.MIN, t));
    written.add(new TickerSnapshot("x", btc, 1e-300, 1e300, 1.0, 0.0, 0.0, -0.0,
        Instant.MAX, t.plusNanos(1)));
    Path file = dir.resolve("edges.jsonl.gz");

    RecordingWriter.of(file).write(Flux.fromIterable(written)).block();
    List<MarketSnapshot> read = RecordingReader.of(file).snapshots().collectList().block();

    assertThat(read).containsExactlyElementsOf(written);
    TickerSnapshot last = (TickerSnapshot) read.get(read.size() - 1);
    assertThat(Double.doubleToRawLongBits(last.change24h()))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(last.exchangeTime()).isEqualTo(Instant.MAX);
  }

  @Test
  void headerReadsBack() {
    Path file = dir.resolve("header.jsonl");

    RecordingWriter.builder(file).venues("binance", "Ωkx").build().write(Flux.empty()).block();
    RecordingHeader header = RecordingReader.of(file).header().block();

    assertThat(header).isNotNull();
    assertThat(header.version()).isEqualTo(RecordingHeader.CURRENT_VERSION);
    assertThat(header.venues()).containsExactly("binance", "Ωkx");
    assertThat(RecordingReader.of(file).snapshots().collectList().block()).isEmpty();
  }
}
