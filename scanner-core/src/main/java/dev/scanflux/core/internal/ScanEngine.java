package dev.scanflux.core.internal;

import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.MarketSource;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The scan engine behind {@link Scanner}. Not yet implemented: in progress. */
public final class ScanEngine implements Scanner {

  /** A venue's source and options. */
  public record Venue(MarketSource source, VenueOptions options) {}

  public ScanEngine(List<Venue> venues, List<String> priority, Duration interval,
      @Nullable Scheduler scheduler, long maxCycles) {
    throw new UnsupportedOperationException("in progress");
  }

  @Override public Scanner start() { return this; }
  @Override public Flux<MarketSnapshot> snapshots() { return Flux.empty(); }
  @Override public MarketView view() { throw new UnsupportedOperationException(); }
  @Override public Flux<Scan> scans() { return Flux.empty(); }
  @Override public Mono<Scan> latest() { return Mono.empty(); }
  @Override public List<String> venues() { return List.of(); }
  @Override public void close() {}
}
