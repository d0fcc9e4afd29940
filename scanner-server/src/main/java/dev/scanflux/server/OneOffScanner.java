package dev.scanflux.server;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.spi.MarketSource;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Scans venues the running scanner does not cover, once, for {@code POST /api/scanner/scan}.
 *
 * <p>The server calls it with the requested venues it was told this scanner can reach, at most
 * {@link ScanServer.Builder#maxOneOffScans} at a time, and cancels it after {@link
 * ScanServer.Builder#oneOffTimeout}. A venue that fails must still be in the scan's report (with
 * its failures), so the answer can say it failed.
 */
@FunctionalInterface
public interface OneOffScanner {

  /**
   * Scans these venues once, in parallel.
   *
   * @param venues the venues, at least one, each one this scanner was declared for
   * @return the one completed scan, cold: nothing happens until it is subscribed, and
   *     cancelling it stops the scan and frees its resources
   */
  Mono<Scan> scan(List<String> venues);

  /**
   * A one-off scanner that builds a {@link Scanner} of one cycle over fresh sources, with each
   * venue's default options, and closes it when the cycle ends or the scan is cancelled.
   *
   * @param sources a new source for a venue name; the scanner owns and closes it
   */
  static OneOffScanner of(Function<String, MarketSource> sources) {
    Objects.requireNonNull(sources, "sources");
    return venues -> Mono.usingWhen(
        Mono.fromCallable(() -> {
          Scanner.Builder b = Scanner.builder().maxCycles(1);
          for (String v : venues) {
            b.venue(sources.apply(v));
          }
          return b.build().start();
        }).subscribeOn(Schedulers.boundedElastic()),
        Scanner::latest,
        s -> Mono.fromRunnable(s::close).subscribeOn(Schedulers.boundedElastic()));
  }
}
