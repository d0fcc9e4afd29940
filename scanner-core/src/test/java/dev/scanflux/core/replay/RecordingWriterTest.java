package dev.scanflux.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class RecordingWriterTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @TempDir
  Path dir;

  @Test
  void writesHeaderThenOneLinePerSnapshotAndCounts() throws IOException {
    Path file = dir.resolve("plain.jsonl");
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    clock.advanceTimeTo(T0);

    StepVerifier.create(RecordingWriter.builder(file).venues("binance", "okx").scheduler(clock)
            .build().write(Flux.just(ticker("binance", 0), ticker("okx", 1))))
        .expectNext(2L)
        .verifyComplete();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("{\"format\":\"scanflux-recording\",\"version\":1,"
        + "\"venues\":[\"binance\",\"okx\"],\"createdAt\":\"2025-01-31T12:00:00Z\"}");
    assertThat(lines.get(1)).startsWith("{\"type\":\"ticker\",\"venue\":\"binance\","
        + "\"instrument\":\"BTC/USDT\",\"exchangeTime\":1738324800000000000,"
        + "\"receivedAt\":1738324800000000000,\"bid\":100.0,");
    assertThat(lines.get(1)).endsWith("\"baseVolume24h\":null,\"quoteVolume24h\":12.5,"
        + "\"change24h\":-0.5}");
  }

  @Test
  void gzipsByNameAndCanBeForcedEitherWay() throws IOException {
    Path gz = dir.resolve("a.jsonl.gz");
    Path forced = dir.resolve("b.jsonl");
    Path plain = dir.resolve("c.jsonl.gz");

    RecordingWriter.of(gz).write(Flux.just(ticker("binance", 0))).block();
    RecordingWriter.builder(forced).gzip(true).build().write(Flux.just(ticker("x", 0))).block();
    RecordingWriter.builder(plain).gzip(false).build().write(Flux.just(ticker("x", 0))).block();

    assertThat(firstBytes(gz)).containsExactly(0x1f, 0x8b);
    assertThat(firstBytes(forced)).containsExactly(0x1f, 0x8b);
    assertThat(firstBytes(plain)).containsExactly('{', '"');
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).endsWith("}\n");
    }
  }

  @Test
  void outOfOrderSnapshotFailsTheWriteAndKeepsWhatCameBefore() {
    Path file = dir.resolve("order.jsonl.gz");

    StepVerifier.create(RecordingWriter.of(file)
            .write(Flux.just(ticker("binance", 5), ticker("binance", 5), ticker("binance", 4))))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("snapshot 3 was received at")
            .hasMessageContaining("receive-time order"))
        .verify();

    assertThat(RecordingReader.of(file).snapshots().collectList().block()).hasSize(2);
  }

  @Test
  void undeclaredVenueFailsTheWrite() {
    Path file = dir.resolve("venues.jsonl");

    StepVerifier.create(RecordingWriter.builder(file).venues("binance").build()
            .write(Flux.just(ticker("binance", 0), ticker("okx", 1))))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("venue 'okx'").hasMessageContaining("[binance]"))
        .verify();
  }

  @Test
  void sourceErrorClosesAValidFileAndPropagates() {
    Path file = dir.resolve("error.jsonl.gz");
    IllegalStateException boom = new IllegalStateException("boom");

    StepVerifier.create(RecordingWriter.of(file)
            .write(Flux.concat(Flux.just(ticker("binance", 0)), Flux.error(boom))))
        .expectErrorMatches(e -> e == boom)
        .verify();

    assertThat(RecordingReader.of(file).snapshots().collectList().block()).hasSize(1);
  }

  @Test
  void writesSnapshotsEmittedOnAnotherThread() {
    Path file = dir.resolve("threads.jsonl");

    StepVerifier.create(RecordingWriter.of(file).write(Flux.range(0, 1000)
            .map(i -> ticker("v" + (i % 7), i)).subscribeOn(Schedulers.parallel())))
        .expectNext(1000L)
        .expectComplete()
        .verify(Duration.ofSeconds(10));
    assertThat(RecordingReader.of(file).snapshots().count().block()).isEqualTo(1000);
  }

  @Test
  void replacesAnExistingFileOnEachSubscription() {
    Path file = dir.resolve("again.jsonl");
    RecordingWriter writer = RecordingWriter.of(file);

    writer.write(Flux.just(ticker("a", 0), ticker("a", 1))).block();
    writer.write(Flux.just(ticker("b", 7))).block();

    assertThat(RecordingReader.of(file).snapshots().collectList().block())
        .containsExactly(ticker("b", 7));
  }

  @Test
  void builderRejectsBadVenues() {
    RecordingWriter.Builder b = RecordingWriter.builder(dir.resolve("x.jsonl"));
    assertThatThrownBy(() -> b.venues("a", "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("venues must be");
    assertThatThrownBy(() -> b.venues(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static int[] firstBytes(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    return new int[] {b[0] & 0xff, b[1] & 0xff};
  }

  private static TickerSnapshot ticker(String venue, int second) {
    Instant t = T0.plusSeconds(second);
    return new TickerSnapshot(venue, BTC, 100, 100.5, 100.25, Double.NaN, 12.5, -0.5, t, t);
  }
}
