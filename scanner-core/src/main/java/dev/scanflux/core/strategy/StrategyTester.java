package dev.scanflux.core.strategy;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingReader;
import dev.scanflux.core.replay.Replay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A small fluent kit for strategy tests: <em>given</em> recorded snapshots, <em>when</em> a
 * strategy runs over them, <em>then</em> it emits these signals at these virtual times. Built on
 * {@link StepVerifier#withVirtualTime}: the snapshots are grouped into scans ({@link
 * Replay#scans(Duration, reactor.core.scheduler.Scheduler)}) and replayed with their recorded
 * timing on a fresh {@link VirtualTimeScheduler}, so an hour of data runs in moments and always
 * gives the same result.
 *
 * <pre>{@code
 * class BreakoutTest {
 *   static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
 *   static final Instrument BTC = Instrument.spot("BTC", "USDT");
 *
 *   // The strategy under test: a signal for every ticker whose bid is above 105.
 *   static final Strategy<Signal> BREAKOUT = scans -> scans.concatMapIterable(scan ->
 *       scan.tickers().stream().filter(t -> t.bid() > 105)
 *           .map(t -> Signal.builder("breakout", scan.completedAt())
 *               .venues(t.venue()).instruments(t.instrument()).evidence(t).build())
 *           .toList());
 *
 *   static TickerSnapshot ticker(int second, double bid) {
 *     Instant t = T0.plusSeconds(second);
 *     return new TickerSnapshot("binance", BTC, bid, bid + 0.5, bid, 1, 1, 0, t, t);
 *   }
 *
 *   @Test
 *   void signalsWhenTheScanOfTheBreakoutCompletes() {
 *     StrategyTester.given(List.of(ticker(0, 100), ticker(1, 104), ticker(2, 106), ticker(3, 103)))
 *         // or: given(Path.of("binance.jsonl.gz"), Path.of("okx.jsonl.gz"))
 *         .scanEvery(Duration.ofSeconds(1))                    // one Scan per recorded second
 *         .when(BREAKOUT)
 *         .assertSignalAt(Duration.ofSeconds(3),               // second 2's scan completes at 3 s
 *             signal -> assertThat(signal.evidence()).containsExactly(ticker(2, 106)))
 *         .verify();                                           // nothing else, then completion
 *   }
 * }
 * }</pre>
 *
 * <h2>Times</h2>
 * Virtual time 0 is the start of the first scan's window (windows are aligned to the epoch), and
 * each scan is delivered when its window closes: with 1 s windows and data starting on a whole
 * second, the scan of recorded second {@code n} (from 0) arrives at {@code n + 1} seconds. A
 * signal emitted while handling a scan has that scan's virtual time.
 *
 * <h2>Requirements</h2>
 * reactor-test must be on the class path (it usually is, in test scope). The strategy must
 * complete when its scans complete and must not switch to real threads (no {@code publishOn} to
 * a scheduler created outside the test); recordings are read on the test thread. A run that
 * takes longer than the {@linkplain Given#timeout(Duration) timeout} of real time fails.
 *
 * <p>Each stage is immutable; each {@code verify} or {@link Then#signals()} replays anew.
 */
public final class StrategyTester {

  private static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);
  private static final Duration MAX_WINDOW = Duration.ofDays(1);
  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

  private StrategyTester() {}

  /**
   * Given recordings, e.g. one per venue; they are merged in receive-time order and read
   * strictly (the first bad line fails the test), gzip by file name.
   *
   * @param recordings one or more recording files
   * @return the first stage
   * @throws IllegalArgumentException if no recording is given
   */
  public static Given given(Path... recordings) {
    if (recordings.length == 0) {
      throw new IllegalArgumentException("recordings must hold at least 1 path but was empty");
    }
    List<Path> paths = new ArrayList<>(recordings.length);
    for (Path p : recordings) {
      paths.add(Objects.requireNonNull(p, "recording"));
    }
    return new Given(() -> {
      List<Flux<MarketSnapshot>> sources = new ArrayList<>(paths.size());
      for (Path p : paths) {
        sources.add(RecordingReader.builder(p).scheduler(Schedulers.immediate()).build()
            .snapshots());
      }
      return Replay.merge(sources);
    }, DEFAULT_WINDOW, DEFAULT_TIMEOUT);
  }

  /**
   * Given snapshots in memory; they are put in receive-time order (stably, so snapshots received
   * at the same instant keep their list order).
   *
   * @param snapshots the snapshots
   * @return the first stage
   */
  public static Given given(List<? extends MarketSnapshot> snapshots) {
    List<MarketSnapshot> sorted = new ArrayList<>(snapshots);
    sorted.sort(Comparator.comparing(MarketSnapshot::receivedAt));
    List<MarketSnapshot> frozen = List.copyOf(sorted);
    return new Given(() -> Flux.fromIterable(frozen), DEFAULT_WINDOW, DEFAULT_TIMEOUT);
  }

  /** The data and how it becomes scans. Immutable. */
  public static final class Given {
    private final Supplier<Flux<MarketSnapshot>> source;
    private final Duration window;
    private final Duration timeout;

    private Given(Supplier<Flux<MarketSnapshot>> source, Duration window, Duration timeout) {
      this.source = source;
      this.window = window;
      this.timeout = timeout;
    }

    /**
     * The scan window: every {@code window} of recorded receive time makes one {@link Scan}
     * (default 1 s).
     *
     * @param window more than zero and at most one day
     * @return a stage with that window
     * @throws IllegalArgumentException if the window is out of range
     */
    public Given scanEvery(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException(
            "window must be in (" + Duration.ZERO + ", " + MAX_WINDOW + "] but was " + window);
      }
      return new Given(source, window, timeout);
    }

    /**
     * How much real time a run may take before it fails (default 1 minute): a safety net
     * against a strategy that waits on a real clock.
     *
     * @param timeout more than zero
     * @return a stage with that timeout
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Given timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be more than " + Duration.ZERO
            + " but was " + timeout);
      }
      return new Given(source, window, timeout);
    }

    /**
     * When this strategy runs over the scans.
     *
     * @param strategy the strategy under test
     * @param <S>      its signal type
     * @return the stage that states and verifies expectations
     */
    public <S> Then<S> when(Strategy<S> strategy) {
      return new Then<>(this, Objects.requireNonNull(strategy, "strategy"), List.of());
    }
  }

  /**
   * Expectations about the signals, in time order, and their verification. Immutable: each
   * expectation returns a new stage.
   *
   * @param <S> the signal type
   */
  public static final class Then<S> {
    private final Given given;
    private final Strategy<S> strategy;
    private final List<Step<S>> steps;

    private Then(Given given, Strategy<S> strategy, List<Step<S>> steps) {
      this.given = given;
      this.strategy = strategy;
      this.steps = steps;
    }

    /**
     * Expects the next signal to be emitted at exactly {@code at} of virtual time and to equal
     * {@code expected}.
     *
     * @param at       virtual time since the replay started, not before the previous expectation
     * @param expected the signal
     * @return a stage with this expectation added
     * @throws IllegalArgumentException if {@code at} is negative or before an earlier expectation
     */
    public Then<S> expectSignalAt(Duration at, S expected) {
      Objects.requireNonNull(expected, "expected");
      return add(at, signal -> {
        if (!expected.equals(signal)) {
          throw new AssertionError("expected signal " + expected + " but got " + signal);
        }
      }, "signal");
    }

    /**
     * Expects the next signal to be emitted at exactly {@code at} of virtual time, and checks it
     * with {@code assertions} (e.g. AssertJ's {@code assertThat}).
     *
     * @param at         virtual time since the replay started, not before the previous
     *                   expectation
     * @param assertions throws an {@link AssertionError} if the signal is wrong
     * @return a stage with this expectation added
     * @throws IllegalArgumentException if {@code at} is negative or before an earlier expectation
     */
    public Then<S> assertSignalAt(Duration at, Consumer<? super S> assertions) {
      return add(at, Objects.requireNonNull(assertions, "assertions"), "signal");
    }

    /**
     * Expects no signal before {@code at} of virtual time, or up to and including it when this
     * is the last expectation.
     *
     * @param at virtual time since the replay started, not before the previous expectation
     * @return a stage with this expectation added
     * @throws IllegalArgumentException if {@code at} is negative or before an earlier expectation
     */
    public Then<S> expectNoSignalsUntil(Duration at) {
      return add(at, null, "no signals");
    }

    /**
     * Replays everything and verifies the expectations strictly: the signals are exactly the
     * expected ones, at their times, and the strategy completes when the replay ends.
     *
     * @return the real time the verification took
     * @throws AssertionError describing the first expectation that failed
     */
    public Duration verify() {
      return run(null);
    }

    /**
     * Replays up to the last expectation's time and verifies the expectations up to there, then
     * cancels: signals after that time are not checked.
     *
     * @return the real time the verification took
     * @throws AssertionError describing the first expectation that failed
     */
    public Duration verifyThenCancel() {
      return run(steps.isEmpty() ? Duration.ZERO : steps.get(steps.size() - 1).at());
    }

    /**
     * Replays everything and returns every signal with its virtual time, for tests that check
     * signals in bulk (e.g. that two runs agree).
     *
     * @return the signals in emission order
     * @throws AssertionError if the strategy fails or does not complete
     */
    public List<Emission<S>> signals() {
      Run run = new Run();
      VirtualTimeScheduler vts = VirtualTimeScheduler.create();
      AtomicReference<List<Emission<S>>> result = new AtomicReference<>(List.of());
      StepVerifier.withVirtualTime(() -> emissions(vts, run, null).collectList(), () -> vts, 1)
          .expectSubscription()
          .then(() -> runToEnd(vts, run, null))
          .assertNext(result::set)
          .as("the strategy's signals")
          .expectComplete()
          .verify(given.timeout);
      return result.get();
    }

    private Then<S> add(Duration at, @Nullable Consumer<? super S> check, String what) {
      Objects.requireNonNull(at, "at");
      Duration previous = steps.isEmpty() ? Duration.ZERO : steps.get(steps.size() - 1).at();
      if (at.compareTo(previous) < 0) {
        throw new IllegalArgumentException("at must be at least " + previous
            + " (the previous expectation's time) but was " + at);
      }
      List<Step<S>> more = new ArrayList<>(steps);
      more.add(new Step<>(at, check, what + " " + (steps.size() + 1) + " at " + at));
      return new Then<>(given, strategy, List.copyOf(more));
    }

    private Duration run(@Nullable Duration until) {
      Run run = new Run();
      VirtualTimeScheduler vts = VirtualTimeScheduler.create();
      StepVerifier.Step<Emission<S>> script = StepVerifier
          .withVirtualTime(() -> emissions(vts, run, until), () -> vts, Long.MAX_VALUE)
          .expectSubscription()
          .then(() -> runToEnd(vts, run, until));
      for (Step<S> step : steps) {
        Consumer<? super S> check = step.check();
        if (check != null) {
          script = script.assertNext(e -> {
            if (!e.at().equals(step.at())) {
              throw new AssertionError(step.description() + ": expected a signal at " + step.at()
                  + " but the next one came at " + e.at() + ": " + e.signal());
            }
            check.accept(e.signal());
          }).as(step.description());
        }
      }
      return script.expectComplete().verify(given.timeout);
    }

    /** The strategy's signals with their virtual times, ending at {@code until} if given. */
    private Flux<Emission<S>> emissions(VirtualTimeScheduler vts, Run run,
        @Nullable Duration until) {
      return Flux.defer(() -> {
        long start = vts.now(TimeUnit.NANOSECONDS);
        run.start = start;
        Flux<Scan> scans = given.source.get()
            .transform(Replay.scans(given.window, vts))
            .doFinally(signal -> run.scansDone = true);
        Flux<Emission<S>> out = Flux.from(strategy.apply(scans))
            .map(s -> new Emission<>(Duration.ofNanos(vts.now(TimeUnit.NANOSECONDS) - start), s));
        if (until != null) {
          out = out.takeUntilOther(Mono.delay(until.plusNanos(1), vts));
        }
        return out.takeUntilOther(run.stalled.asMono())
            .doFinally(signal -> run.done = true);
      });
    }

    /**
     * Advances virtual time a window at a time until the strategy terminates; fails the run if
     * the scans completed and the strategy did not follow.
     */
    private void runToEnd(VirtualTimeScheduler vts, Run run, @Nullable Duration until) {
      while (!run.done) {
        if (run.scansDone) {
          if (until != null) {
            long elapsed = vts.now(TimeUnit.NANOSECONDS) - run.start;
            Duration rest = until.plusNanos(1).minusNanos(elapsed);
            vts.advanceTimeBy(rest.isNegative() ? Duration.ZERO : rest);
          } else {
            vts.advanceTime();
          }
          if (!run.done) {
            run.stalled.tryEmitError(new AssertionError("the strategy did not complete when its"
                + " scans completed; a strategy must complete with its input"));
          }
          return;
        }
        vts.advanceTimeBy(given.window);
      }
    }
  }

  /**
   * A signal and the virtual time it was emitted at.
   *
   * @param at     virtual time since the replay started
   * @param signal the signal
   * @param <S>    the signal type
   */
  public record Emission<S>(Duration at, S signal) {

    /** Checks the parts. */
    public Emission {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(signal, "signal");
    }
  }

  /** One expectation; a null check means "no signals until". */
  private record Step<S>(Duration at, @Nullable Consumer<? super S> check, String description) {}

  /** The state of one run, shared by the pipeline and the time driver on the test thread. */
  private static final class Run {
    volatile long start;
    volatile boolean scansDone;
    volatile boolean done;
    final Sinks.Empty<Void> stalled = Sinks.empty();
  }
}
