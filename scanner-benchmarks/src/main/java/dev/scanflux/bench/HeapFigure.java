package dev.scanflux.bench;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import java.lang.reflect.Field;
import java.time.Duration;
import org.openjdk.jol.info.GraphLayout;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Heap held by the latest view of {@code venues} x {@code instruments} books of {@code depth}
 * levels: the exact deep size of the view's maps and everything they reach (JOL), measured
 * after one cycle and again after many, to show it stays flat.
 */
final class HeapFigure {

  /** Sizes in bytes after the first cycle and after the last. */
  record Result(int venues, int instruments, int depth, int cycles, long firstBytes,
      long lastBytes) {}

  private HeapFigure() {}

  static Result measure(int venues, int instruments, int depth, int cycles) throws Exception {
    Scheduler scheduler = Schedulers.newSingle("heap-timer");
    try {
      long first = run(venues, instruments, depth, 1, scheduler);
      long last = run(venues, instruments, depth, cycles, scheduler);
      return new Result(venues, instruments, depth, cycles, first, last);
    } finally {
      scheduler.dispose();
    }
  }

  private static long run(int venues, int instruments, int depth, int cycles,
      Scheduler scheduler) throws Exception {
    Scanner.Builder builder = Scanner.builder().scheduler(scheduler).interval(Duration.ZERO)
        .maxCycles(cycles);
    for (int v = 0; v < venues; v++) {
      builder.venue(new InMemorySource("venue" + v, instruments, depth, v),
          VenueOptions.custom().tickers(false).depth(depth).build());
    }
    try (Scanner scanner = builder.build().start()) {
      scanner.scans().blockLast();
      return GraphLayout.parseInstance(contents(scanner.view())).totalSize();
    }
  }

  /**
   * The view's own maps, without the scheduler it reads the time from: those of a scanner's view
   * or a Kafka feed's, each holding {@code books} and {@code tickers}.
   */
  static Object contents(MarketView view) throws ReflectiveOperationException {
    // JOL cannot read field offsets of record classes (Instrument) the usual way on JDK 17+
    System.setProperty("jol.magicFieldOffset", "true");
    Field books = view.getClass().getDeclaredField("books");
    Field tickers = view.getClass().getDeclaredField("tickers");
    books.setAccessible(true);
    tickers.setAccessible(true);
    return new Object[] {books.get(view), tickers.get(view)};
  }
}
