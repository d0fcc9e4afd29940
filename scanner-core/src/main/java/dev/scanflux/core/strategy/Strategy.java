package dev.scanflux.core.strategy;

import dev.scanflux.core.Scan;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * A trading strategy: a function from the stream of completed scans to a stream of signals,
 * usually {@link Signal}s. Apply it with {@link Flux#transform}, to a live scanner's scans or to
 * replayed ones alike:
 *
 * <pre>{@code
 * Strategy<Signal> bigMoves = scans -> scans
 *     .flatMapIterable(Scan::tickers)
 *     .filter(t -> Math.abs(t.change24h()) > 0.10)
 *     .map(t -> Signal.builder("big-move", t.receivedAt()).instruments(t.instrument())
 *         .venues(t.venue()).strength(t.change24h()).evidence(t).build());
 *
 * scanner.scans().transform(bigMoves).subscribe(this::act);
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Cold and self-contained: each application builds a fresh pipeline; nothing happens until
 *       it is subscribed.
 *   <li>Time comes from the scans ({@link Scan#completedAt()}, the snapshots' receive times),
 *       never from a wall clock, so a strategy gives the same signals on the same replayed data.
 *   <li>It completes when its scans complete (plain operators such as {@code map}, {@code filter},
 *       {@code scan}, {@code buffer} do), and never blocks.
 * </ul>
 *
 * @param <S> the signal type
 */
@FunctionalInterface
public interface Strategy<S> extends Function<Flux<Scan>, Flux<S>> {

  /**
   * Builds the signal stream for a stream of scans.
   *
   * @param scans the completed scans, in order
   * @return the signals, cold
   */
  @Override
  Flux<S> apply(Flux<Scan> scans);

  /**
   * Runs several strategies over one subscription to the scans and merges their signals. For each
   * scan, signals emitted synchronously come in the order the strategies are given.
   *
   * @param strategies the strategies, at least one
   * @param <S>        the common signal type
   * @return a strategy emitting every strategy's signals
   * @throws IllegalArgumentException if no strategy is given
   */
  @SafeVarargs
  static <S> Strategy<S> merge(Strategy<? extends S>... strategies) {
    if (strategies.length == 0) {
      throw new IllegalArgumentException("strategies must hold at least 1 strategy but was empty");
    }
    List<Strategy<? extends S>> all = new ArrayList<>(strategies.length);
    for (Strategy<? extends S> s : strategies) {
      all.add(Objects.requireNonNull(s, "strategy"));
    }
    return scans -> scans.publish(shared -> {
      List<Flux<? extends S>> signals = new ArrayList<>(all.size());
      for (Strategy<? extends S> s : all) {
        signals.add(s.apply(shared));
      }
      return Flux.merge(signals);
    });
  }
}
