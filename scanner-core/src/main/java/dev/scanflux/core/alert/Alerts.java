package dev.scanflux.core.alert;

import dev.scanflux.core.alert.internal.AlertTracker;
import dev.scanflux.core.internal.EngineClock;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Turns signals into alerts with a lifetime, holds back re-opened alerts within their cooldown,
 * and hands the events to sinks and to any observer.
 *
 * <pre>{@code
 * Alerts alerts = Alerts.builder()
 *     .config(AlertConfig.custom().minLifetime(Duration.ofSeconds(10)).build())
 *     .sink(ConsoleSink.of(System.out))
 *     .sink(TelegramSink.builder(Secret.fromEnv(System.getenv(), "SCANFLUX_TELEGRAM_TOKEN")
 *         .orElseThrow()).chat("-1001234567890").build())
 *     .build();
 *
 * scanner.scans().transform(strategy).transform(alerts::track).subscribe();
 * alerts.events().subscribe(dashboard::show);      // hot: every event from now on
 * AlertSnapshot now = alerts.snapshot();           // open and recent alerts, counts
 * alerts.close(Duration.ofSeconds(5)).block();     // flush the sinks at shutdown
 * }</pre>
 *
 * <h2>Lifetime</h2>
 * A signal's {@link AlertKey} (kind, venues, instruments, subject) names its condition. The
 * first signal of a key starts tracking it; once the condition has held for
 * {@link AlertConfig#minLifetime()} the alert {@code OPENED} (or is {@code SUPPRESSED}, if the
 * key's cooldown runs). Later signals extend it, and a new peak strength makes an
 * {@code UPDATED} event at most once per {@link AlertConfig#updateInterval()}. When no signal of
 * the key has come for {@link AlertConfig#grace()} it {@code CLOSED}, with its first and last
 * seen times, its lifetime and its peak; its key then stays quiet for its cooldown. When the
 * tracked signals end, every open alert closes.
 *
 * <h2>Time and threads</h2>
 * Every time is {@code scheduler.now()}, and the grace period is one timer on the scheduler (for
 * the earliest deadline), so alert rules run in virtual time exactly as live ({@link #over}).
 * Events are emitted serialized, in order, on the thread of the signal or of the timer that
 * caused them; sinks are offered each event there, and must not block (theirs do not). All
 * methods are thread-safe.
 */
public final class Alerts {

  private final AlertConfig config;
  private final Scheduler scheduler;
  private final EngineClock clock;
  private final List<AlertSink> sinks;
  private final AlertTracker tracker;
  private final Sinks.Many<AlertEvent> hot = Sinks.many().multicast().directBestEffort();
  private final AtomicBoolean tracking = new AtomicBoolean();
  private @Nullable FluxSink<AlertEvent> downstream;
  private @Nullable Disposable timer;

  private Alerts(Builder b) {
    this.config = b.config;
    this.scheduler = b.scheduler == null ? Schedulers.parallel() : b.scheduler;
    this.clock = new EngineClock(scheduler);
    this.sinks = List.copyOf(b.sinks);
    this.tracker = new AlertTracker(config, this::publish);
  }

  /** A builder with the default configuration, {@link Schedulers#parallel()} and no sinks. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An alert rule as a strategy: the strategy's signals tracked by a fresh {@code Alerts} per
   * subscription, with no sinks, on {@link Schedulers#parallel()} as it is at subscription time.
   * Under {@code StepVerifier.withVirtualTime} (and so in {@code StrategyTester}) that is the
   * virtual-time scheduler, so a rule can be tested over a recording like any strategy:
   *
   * <pre>{@code
   * StrategyTester.given(Path.of("binance.jsonl.gz"))
   *     .when(Alerts.over(walls, AlertConfig.custom().minLifetime(Duration.ofSeconds(10)).build()))
   *     .assertSignalAt(Duration.ofSeconds(12), e -> assertThat(e.type()).isEqualTo(OPENED))
   *     .verifyThenCancel();
   * }</pre>
   *
   * @param strategy the strategy whose signals are tracked
   * @param config   how alerts behave
   * @return a strategy emitting the alert events
   */
  public static Strategy<AlertEvent> over(Strategy<Signal> strategy, AlertConfig config) {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(config, "config");
    return scans -> Flux.defer(() -> builder().config(config).build()
        .track(strategy.apply(scans)));
  }

  /**
   * Tracks a stream of signals: the Reactor operator, e.g.
   * {@code signals.transform(alerts::track)}.
   *
   * <p>Emits each event as it happens (also to {@link #events()} and the sinks) and completes
   * when the signals complete, after closing every open alert; errors with the signals' error,
   * also after closing them. Events are buffered for a slow subscriber (there are few). One
   * stream at a time: merge several before tracking them.
   *
   * @param signals the signals, e.g. a strategy's
   * @return the events, cold: tracking starts on subscription
   */
  public Flux<AlertEvent> track(Flux<Signal> signals) {
    Objects.requireNonNull(signals, "signals");
    return Flux.create(sink -> {
      if (!tracking.compareAndSet(false, true)) {
        sink.error(new IllegalStateException("these Alerts already track a stream of signals; "
            + "merge the signals and track them once"));
        return;
      }
      synchronized (this) {
        downstream = sink;
      }
      Disposable upstream = signals.subscribe(this::onSignal,
          e -> end(() -> sink.error(e)), () -> end(sink::complete));
      sink.onDispose(() -> {
        upstream.dispose();
        synchronized (this) {
          cancelTimer();
          downstream = null;
        }
        tracking.set(false);
      });
    });
  }

  /**
   * Every event from now on, hot: late subscribers miss earlier events (read
   * {@link #snapshot()} first); a subscriber that cannot keep up misses events rather than
   * slowing anyone. Completes when the alerts are {@linkplain #close closed}.
   *
   * @return the events
   */
  public Flux<AlertEvent> events() {
    return hot.asFlux();
  }

  /** The open alerts, the recent closed ones and the counts, as of now. */
  public synchronized AlertSnapshot snapshot() {
    return tracker.snapshot(now());
  }

  /** The counts so far. */
  public synchronized AlertStats stats() {
    return tracker.stats();
  }

  /** The sinks, in the order given. */
  public List<AlertSink> sinks() {
    return sinks;
  }

  /** Each sink's counts, in the order given. */
  public List<SinkStats> sinkStats() {
    List<SinkStats> out = new ArrayList<>(sinks.size());
    for (AlertSink s : sinks) {
      out.add(s.stats());
    }
    return out;
  }

  /** This configuration. */
  public AlertConfig config() {
    return config;
  }

  /**
   * Closes every sink, delivering what each has queued within {@code timeout} (in parallel),
   * and completes {@link #events()}. Call it after the tracked signals ended, so that their
   * closing events are delivered too.
   *
   * @param timeout the most time the sinks may take
   * @return completes when every sink is closed; never errors
   */
  public Mono<Void> close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    List<Mono<Void>> closing = new ArrayList<>();
    for (AlertSink s : sinks) {
      closing.add(s.close(timeout).onErrorResume(e -> Mono.empty()));
    }
    return Mono.when(closing).doFinally(signal -> {
      synchronized (this) {
        hot.tryEmitComplete();
      }
    });
  }

  private void onSignal(Signal s) {
    synchronized (this) {
      tracker.signal(s, now());
      arm();
    }
  }

  private void end(Runnable terminate) {
    synchronized (this) {
      cancelTimer();
      tracker.closeAll(now());
    }
    terminate.run();
  }

  private void onTimer() {
    synchronized (this) {
      timer = null;
      if (downstream == null) {
        return;
      }
      tracker.expire(now());
      arm();
    }
  }

  /** Schedules the one timer for the earliest deadline, if none is pending. */
  private void arm() {
    if (timer != null) {
      return;
    }
    Instant deadline = tracker.nextDeadline();
    if (deadline == null) {
      return;
    }
    long delay = Math.max(0, Duration.between(now(), deadline).toNanos());
    timer = scheduler.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
  }

  private void cancelTimer() {
    Disposable t = timer;
    if (t != null) {
      t.dispose();
    }
    timer = null;
  }

  /** Called by the tracker under this object's lock. */
  private void publish(AlertEvent e) {
    FluxSink<AlertEvent> d = downstream;
    if (d != null) {
      d.next(e);
    }
    hot.tryEmitNext(e);
    for (AlertSink s : sinks) {
      s.offer(e);
    }
  }

  /**
   * Wall-clock time on the scheduler's monotonic clock (Reactor's real schedulers count
   * nanoseconds from an arbitrary origin: read alone, alerts were dated 1970).
   */
  private Instant now() {
    return clock.instant();
  }

  @Override
  public String toString() {
    return "Alerts{" + config + ", sinks " + sinks.stream().map(AlertSink::name).toList() + '}';
  }

  /** Builds {@link Alerts}; not thread-safe. */
  public static final class Builder {
    private AlertConfig config = AlertConfig.ofDefaults();
    private @Nullable Scheduler scheduler;
    private final List<AlertSink> sinks = new ArrayList<>();

    private Builder() {}

    /** How alerts behave (default {@link AlertConfig#ofDefaults()}). */
    public Builder config(AlertConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The clock and timer of every alert time (default {@link Schedulers#parallel()}, resolved
     * when {@link #build()} runs).
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Adds a sink; every event is offered to every sink, in the order added. */
    public Builder sink(AlertSink sink) {
      sinks.add(Objects.requireNonNull(sink, "sink"));
      return this;
    }

    /** Builds the alerts. */
    public Alerts build() {
      return new Alerts(this);
    }
  }
}
