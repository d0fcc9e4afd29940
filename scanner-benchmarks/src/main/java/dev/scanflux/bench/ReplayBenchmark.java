package dev.scanflux.bench;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingReader;
import dev.scanflux.core.replay.RecordingWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * Replay throughput: {@link RecordingReader} reading back a recording of {@value #TICKERS}
 * tickers (5 venues x 500 instruments, in receive-time order) from a temporary file, plain
 * JSON Lines and gzipped, as fast as it can. One operation is one snapshot parsed and emitted.
 * Target: at least 1 M snapshots/s.
 *
 * <p>Run alone: {@code java -jar scanner-benchmarks/target/benchmarks.jar jmh Replay}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ReplayBenchmark {

  static final int TICKERS = 200_000;

  @Param({"plain", "gzip"})
  public String format;

  private Path dir;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("scanflux-replay-bench");
    file = dir.resolve("gzip".equals(format) ? "recording.jsonl.gz" : "recording.jsonl");
    Long written = RecordingWriter.of(file).write(tickers()).block();
    if (written == null || written != TICKERS) {
      throw new IllegalStateException("wrote " + written + " of " + TICKERS + " tickers");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(TICKERS)
  public long read() {
    Long n = RecordingReader.of(file).snapshots().count().block();
    if (n == null || n != TICKERS) {
      throw new IllegalStateException("read " + n + " of " + TICKERS);
    }
    return n;
  }

  /** Tickers of 5 venues x 500 instruments, a millisecond apart. */
  static Flux<MarketSnapshot> tickers() {
    SplittableRandom random = new SplittableRandom(11);
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    return Flux.range(0, TICKERS).map(i -> {
      Instant t = t0.plusMillis(i);
      double mid = 1 + (i % 500) * 13.7;
      return new TickerSnapshot("venue" + i % 5, Instrument.spot("C" + i % 500, "USDT"),
          mid * 0.9999, mid * 1.0001, mid, random.nextDouble() * 1e6,
          random.nextDouble() * 1e8, random.nextGaussian() * 0.05, t, t);
    });
  }
}
