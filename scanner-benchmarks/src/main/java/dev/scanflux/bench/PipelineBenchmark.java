package dev.scanflux.bench;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * In-process pipeline throughput: ticker snapshots from 5 venues (bulk tickers, answered at
 * once from memory) through the engine's merge, the latest view and the {@code snapshots()} hot
 * output to N subscribers. One operation is one snapshot. Target: at least 5 M/s on 2 cores.
 *
 * <p>Run alone: {@code java -jar scanner-benchmarks/target/benchmarks.jar jmh Pipeline}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PipelineBenchmark {

  static final int VENUES = 5;
  static final int INSTRUMENTS = 2000;
  static final int CYCLES = 20;

  @Param({"1", "4"})
  public int subscribers;

  private Scheduler scheduler;
  private InMemorySource[] sources;
  private final LongAdder received = new LongAdder();

  @Setup(Level.Trial)
  public void setUp() {
    scheduler = Schedulers.newSingle("bench-timer");
    sources = new InMemorySource[VENUES];
    for (int v = 0; v < VENUES; v++) {
      sources[v] = new InMemorySource("venue" + v, INSTRUMENTS, 20, v);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scheduler.dispose();
  }

  /** Runs {@value #CYCLES} cycles of 5 venues x 2,000 tickers to N subscribers. */
  @Benchmark
  @OperationsPerInvocation(CYCLES * VENUES * INSTRUMENTS)
  public Scan tickers() {
    Scanner.Builder builder = Scanner.builder().scheduler(scheduler).interval(Duration.ZERO)
        .maxCycles(CYCLES);
    for (InMemorySource s : sources) {
      builder.venue(s, VenueOptions.custom().books(false)
          .instruments(s.instruments().block()).build());
    }
    try (Scanner scanner = builder.build()) {
      for (int i = 0; i < subscribers; i++) {
        scanner.snapshots().subscribe(s -> received.increment());
      }
      scanner.start();
      return scanner.scans().blockLast();
    }
  }
}
