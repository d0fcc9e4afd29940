package dev.scanflux.examples.app;

import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.examples.strategies.CrossVenueSpread;
import dev.scanflux.examples.strategies.Movers;
import dev.scanflux.examples.strategies.OrderBookWalls;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/** The example strategies the app runs, and how their signals are shown. */
final class Strategies {

  /** The strategies' names, for the final report. */
  static final String NAMES = "cross-venue spread, order-book walls, 24 h movers and volume "
      + "spikes";

  private static final int TOP = 5;
  /** Signals of each kind per scan: a chat's worth, not a screen's. */
  private static final int PER_SCAN = 5;
  private static final int REMEMBERED = 500;

  private Strategies() {}

  /** Every example strategy, over one subscription to the scans. */
  static Strategy<Signal> all(double minEdge, double minChange) {
    return Strategy.merge(spread(minEdge), walls(), movers(minChange));
  }

  /** What the strategies look for, their thresholds stated. */
  static String thresholds(double minEdge, double minChange) {
    return "strategies: " + spread(minEdge) + "; " + walls() + "; " + movers(minChange);
  }

  private static CrossVenueSpread spread(double minEdge) {
    return CrossVenueSpread.builder().minEdge(minEdge).top(PER_SCAN).build();
  }

  private static OrderBookWalls walls() {
    return OrderBookWalls.builder().top(PER_SCAN).build();
  }

  private static Movers movers(double minChange) {
    return Movers.builder().minChange(minChange).top(PER_SCAN).build();
  }

  /** A signal as one plain line: time, kind, description. */
  static String line(Signal s) {
    return String.format(Locale.ROOT, "signal %s %s %s", s.at(), s.kind(), s.description());
  }

  /**
   * Passes signals through, handing the strongest of the latest ones (one per kind, venues and
   * instruments) to {@code show} each time one arrives.
   */
  static Function<Flux<Signal>, Flux<Signal>> top(Consumer<List<String>> show) {
    return signals -> Flux.defer(() -> {
      Map<String, Signal> latest = new LinkedHashMap<>();
      return signals.doOnNext(s -> {
        String key = s.kind() + s.venues() + s.instruments();
        latest.remove(key);
        latest.put(key, s);
        if (latest.size() > REMEMBERED) {
          latest.remove(latest.keySet().iterator().next());
        }
        List<Signal> best = new ArrayList<>(latest.values());
        best.sort(Comparator.comparingDouble(Signal::strength).reversed());
        show.accept(best.stream().limit(TOP)
            .map(b -> b.kind() + ": " + b.description()).toList());
      });
    });
  }
}
