package dev.scanflux.core.blockhound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingReader;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.replay.Replay;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Recording and replay never block a non-blocking thread: file I/O stays on its scheduler. */
class RecordingBlockHoundTest {

  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @BeforeAll
  static void install() {
    BlockHound.install();
  }

  @Test
  void blockHoundIsActive() {
    Path file = dir.resolve("probe.txt");
    StepVerifier.create(Mono.fromCallable(() -> Files.writeString(file, "x"))
            .then(Mono.fromCallable(() -> {
              try (InputStream in = Files.newInputStream(file)) {
                return in.read();
              }
            }))
            .subscribeOn(Schedulers.parallel()))
        .expectError(BlockingOperationError.class)
        .verify(TIMEOUT);
  }

  @Test
  void writingSnapshotsEmittedOnAParallelThreadDoesNotBlockIt() {
    Path file = dir.resolve("w.jsonl.gz");

    StepVerifier.create(RecordingWriter.of(file).write(snapshots(5_000)
            .subscribeOn(Schedulers.parallel())))
        .expectNext(5_000L)
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void readingReplayingAndCancellingOnParallelThreadsDoesNotBlockThem() {
    Path file = dir.resolve("r.jsonl.gz");
    RecordingWriter.of(file).write(snapshots(5_000)).block(TIMEOUT);

    StepVerifier.create(RecordingReader.of(file).snapshots().publishOn(Schedulers.parallel())
            .count())
        .expectNext(5_000L)
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(Replay.of(file, file).publishOn(Schedulers.parallel()).take(10))
        .expectNextCount(10)
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(RecordingReader.of(file).snapshots()
            .transform(Replay.recordedTiming(Schedulers.parallel()))
            .transform(Replay.scans(Duration.ofMillis(100), Schedulers.parallel()))
            .count())
        .assertNext(scans -> assertThat(scans).isPositive())
        .expectComplete()
        .verify(TIMEOUT);
  }

  private static Flux<MarketSnapshot> snapshots(int n) {
    return Flux.range(0, n).map(i -> {
      Instant t = T0.plusNanos(i * 20_000L);
      return new TickerSnapshot("binance", BTC, 100, 101, 100.5, 1, 2, 0, t, t);
    });
  }
}
