package dev.scanflux.server;

import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;

/**
 * The tests' strategy: one signal per two-sided book whose spread, as a fraction of the mid, is
 * at least {@code min_spread}. It fails on purpose when {@code min_spread} is exactly 0.5, to
 * show what an internal error looks like from outside.
 */
final class Spreads {

  static final String KIND = "wide-spread";

  private Spreads() {}

  static Strategy<Signal> of(Thresholds t) {
    double min = t.get("min_spread");
    return scans -> scans.concatMapIterable(scan -> {
      if (min == 0.5) {
        throw new IllegalStateException("secret internal detail");
      }
      return scan.books().stream()
          .filter(b -> b.isTwoSided() && b.spread() / b.mid() >= min)
          .map(b -> Signal.builder(KIND, scan.completedAt()).venues(b.venue())
              .instruments(b.instrument()).strength(b.spread() / b.mid()).evidence(b)
              .description(String.format(java.util.Locale.ROOT, "%s spread %.2f bp on %s",
                  b.instrument(), b.spread() / b.mid() * 1e4, b.venue())).build())
          .toList();
    });
  }

  static ScanServer.Builder declare(ScanServer.Builder b) {
    return b.threshold("min_spread", 0.0, 0.0, 1.0).signals(Spreads::of);
  }
}
