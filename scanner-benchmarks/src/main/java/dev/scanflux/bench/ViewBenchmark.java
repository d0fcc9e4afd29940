package dev.scanflux.bench;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Read cost of the latest state while it is full: {@code view().book(venue, instrument)} over
 * 10 venues x 2,000 instruments (keys drawn from a skewed distribution, the way strategies read
 * the majors far more often), and {@code latest()} of a completed scan. Target: at most 100 ns
 * and no lock. Two threads read at once.
 *
 * <p>Run alone: {@code java -jar scanner-benchmarks/target/benchmarks.jar jmh View}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class ViewBenchmark {

  private static final int VENUES = 10;
  private static final int INSTRUMENTS = 2000;
  private static final int KEYS = 4096;

  private Scheduler scheduler;
  private Scanner scanner;
  private MarketView view;
  private final String[] venues = new String[KEYS];
  private final Instrument[] instruments = new Instrument[KEYS];

  @Setup(Level.Trial)
  public void setUp() {
    scheduler = Schedulers.newSingle("bench-timer");
    Scanner.Builder builder = Scanner.builder().scheduler(scheduler).maxCycles(1);
    for (int v = 0; v < VENUES; v++) {
      InMemorySource s = new InMemorySource("venue" + v, INSTRUMENTS, 20, v);
      builder.venue(s, VenueOptions.custom().tickers(false).build());
    }
    scanner = builder.build().start();
    scanner.scans().blockLast();
    view = scanner.view();
    Random random = new Random(42);
    for (int i = 0; i < KEYS; i++) {
      venues[i] = "venue" + random.nextInt(VENUES);
      int rank = (int) Math.min(INSTRUMENTS - 1, Math.abs(random.nextGaussian()) * 200);
      instruments[i] = Instrument.spot("C" + rank, "USDT");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scanner.close();
    scheduler.dispose();
  }

  /** Per-thread cursor over the precomputed keys. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public Optional<BookSnapshot> viewBook(Cursor c) {
    int i = c.next++ & (KEYS - 1);
    return view.book(venues[i], instruments[i]);
  }

  @Benchmark
  public Optional<BookSnapshot> viewBookNoOlderThan(Cursor c) {
    int i = c.next++ & (KEYS - 1);
    return view.book(venues[i], instruments[i], Duration.ofMinutes(1));
  }

  @Benchmark
  public Scan latest() {
    return scanner.latest().block();
  }
}
