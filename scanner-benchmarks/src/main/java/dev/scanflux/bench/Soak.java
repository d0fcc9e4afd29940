package dev.scanflux.bench;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import reactor.core.Disposable;

/**
 * The soak: the app's default scan (Binance, OKX, Bybit, KuCoin and Kraken simulated on
 * loopback, 200 instruments each, streamed where the preset streams, the real rate limits, a
 * subscriber reading every snapshot) run for a long time, sampling the process every interval:
 * heap used after a full GC, live threads, open file descriptors and resident memory (RSS, from
 * {@code /proc/self}; -1 where there is none). Prints one line per sample, then the trend after
 * the warm-up (the first 30 %): first, last and highest of each, and the slope of a
 * least-squares line per hour. The simulators run in the same process, so the heap holds their
 * books too.
 *
 * <pre>
 * mvn -B -ntp -pl scanner-benchmarks -am package -DskipTests
 * java -Xmx1g -jar scanner-benchmarks/target/benchmarks.jar soak              # 30 min, every 30 s
 * java -Xmx1g -jar scanner-benchmarks/target/benchmarks.jar soak 10m 30s
 * </pre>
 */
final class Soak {

  /**
   * One sample.
   *
   * @param at       seconds since the start
   * @param heapMb   heap used after a full GC, MiB
   * @param threads  live threads
   * @param fds      open file descriptors, -1 if unknown
   * @param rssMb    resident set size, MiB, -1 if unknown
   * @param snapshots snapshots delivered so far
   */
  record Sample(long at, double heapMb, int threads, long fds, double rssMb, long snapshots) {}

  private Soak() {}

  /** {@code soak [DURATION [EVERY]]}; returns the exit code. */
  static int main(String[] args, PrintStream out) {
    Duration total = args.length > 0 ? duration(args[0]) : Duration.ofMinutes(30);
    Duration every = args.length > 1 ? duration(args[1]) : Duration.ofSeconds(30);
    List<Sample> samples = run(total, every, 200, out);
    trend(samples).forEach(out::println);
    return 0;
  }

  /** Runs the default scan for {@code total}, sampling every {@code every}. */
  static List<Sample> run(Duration total, Duration every, int instruments, PrintStream out) {
    List<VenueSimulator> sims = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    LongAdder delivered = new LongAdder();
    try {
      Scanner.Builder builder = Scanner.builder();
      for (Map.Entry<SimulatedVenue, String> v : ChaosRun.VENUES.entrySet()) {
        VenueBuilder preset = ChaosRun.preset(v.getValue());
        boolean stream = preset.hasStream() && v.getKey().hasWebsocket();
        VenueSimulator sim = VenueSimulator.builder(v.getKey()).instruments(instruments).seed(7)
            .latency(Duration.ofMillis(60)).jitter(Duration.ofMillis(20)).websocket(stream)
            .build();
        sims.add(sim);
        preset.baseUrl(sim.start());
        if (stream) {
          preset.streamUrl(sim.websocketUrl());
        }
        MarketSource source = preset.build();
        builder.venue(source, VenueOptions.custom().stream(stream).build());
      }
      long t0 = System.nanoTime();
      out.println("soak: " + total.toMinutes() + " min, a sample every " + every.toSeconds()
          + " s (heap after GC, threads, descriptors, RSS)");
      samples.add(sample(0, 0));
      out.println(line(samples.get(0)));
      try (Scanner scanner = builder.build()) {
        Disposable reader = scanner.snapshots().subscribe(s -> delivered.increment());
        scanner.start();
        long end = t0 + total.toNanos();
        for (long next = t0 + every.toNanos(); next <= end; next += every.toNanos()) {
          ChaosRun.pause(Duration.ofNanos(next - System.nanoTime()));
          Sample s = sample((System.nanoTime() - t0) / 1_000_000_000L, delivered.sum());
          samples.add(s);
          out.println(line(s));
        }
        reader.dispose();
      }
    } finally {
      for (VenueSimulator sim : sims) {
        sim.close();
      }
    }
    return samples;
  }

  /**
   * First, last, highest and the slope per hour of each measure, over the samples after the
   * warm-up (the first 30 % of the run, at least 3 minutes in a 10-minute soak: discovery, the
   * first passes and the streams filling the view and the simulators' books).
   */
  static List<String> trend(List<Sample> samples) {
    List<String> out = new ArrayList<>();
    if (samples.size() < 3) {
      out.add("trend: too few samples");
      return out;
    }
    long warmUp = samples.get(samples.size() - 1).at() * 3 / 10;
    List<Sample> run = samples.stream().filter(s -> s.at() >= warmUp).toList();
    if (run.size() < 3) {
      out.add("trend: too few samples after the warm-up");
      return out;
    }
    out.add("trend from t=" + run.get(0).at() + "s (before it: warm-up)");
    out.add(trend("heap after GC (MiB)", run, Sample::heapMb));
    out.add(trend("threads", run, s -> s.threads()));
    out.add(trend("descriptors", run, s -> s.fds()));
    out.add(trend("RSS (MiB)", run, Sample::rssMb));
    return out;
  }

  private static String trend(String name, List<Sample> run,
      java.util.function.ToDoubleFunction<Sample> f) {
    double n = run.size();
    double sx = 0;
    double sy = 0;
    double sxy = 0;
    double sxx = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (Sample s : run) {
      double x = s.at() / 3600.0;
      double y = f.applyAsDouble(s);
      sx += x;
      sy += y;
      sxy += x * y;
      sxx += x * x;
      max = Math.max(max, y);
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    return String.format(Locale.ROOT, "trend %-20s first %8.1f  last %8.1f  highest %8.1f"
            + "  slope %+8.1f per hour", name, f.applyAsDouble(run.get(0)),
        f.applyAsDouble(run.get(run.size() - 1)), max, slope);
  }

  private static String line(Sample s) {
    return String.format(Locale.ROOT, "t=%5ds heap %7.1f MiB  threads %4d  fds %5d  RSS %7.1f MiB"
        + "  snapshots %,d", s.at(), s.heapMb(), s.threads(), s.fds(), s.rssMb(), s.snapshots());
  }

  @SuppressWarnings("java:S1215") // a full GC before reading the heap is the point
  static Sample sample(long at, long snapshots) {
    System.gc();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
        / (1024.0 * 1024);
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    return new Sample(at, heap, threads, fds(), rssMb(), snapshots);
  }

  /** Open file descriptors of this process, -1 where /proc is not there. */
  static long fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }

  private static double rssMb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** {@code 90s}, {@code 12m}, {@code 1h}. */
  static Duration duration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.length() < 2) {
      throw new IllegalArgumentException("a duration like 90s, 12m or 1h, not '" + text + "'");
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException(
          "a duration like 90s, 12m or 1h, not '" + text + "'");
    };
  }
}
