package dev.scanflux.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.alert.AlertEvent.Type;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.core.strategy.StrategyTester;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Lifetime, cooldown and minimum lifetime, all in virtual time. */
class AlertsTest {

  static final Instrument BTC = Instrument.spot("BTC", "USDT");
  static final Instant T0 = Instant.EPOCH;

  final VirtualTimeScheduler vts = VirtualTimeScheduler.create();
  final Sinks.Many<Signal> in = Sinks.many().unicast().onBackpressureBuffer();
  final List<AlertEvent> events = new CopyOnWriteArrayList<>();
  final List<Disposable> subscriptions = new ArrayList<>();

  @AfterEach
  void dispose() {
    subscriptions.forEach(Disposable::dispose);
    vts.dispose();
  }

  static Signal wall(String side, double notional) {
    return Signal.builder("order-book-wall", T0).venues("binance").instruments(BTC)
        .subject("binance " + side).strength(notional).description(side + " wall " + notional).build();
  }

  Alerts track(AlertConfig config) {
    Alerts alerts = Alerts.builder().config(config).scheduler(vts).build();
    subscriptions.add(alerts.track(in.asFlux()).subscribe(events::add));
    return alerts;
  }

  void at(long second, Signal s) {
    vts.advanceTimeTo(T0.plusSeconds(second));
    in.tryEmitNext(s);
  }

  @Test
  void onARealSchedulerAlertsAreDatedOnTheWallClock() {
    Alerts alerts = Alerts.builder().build(); // Schedulers.parallel(): nanoTime from boot
    java.time.Instant before = java.time.Instant.now();
    AlertEvent opened = alerts.track(reactor.core.publisher.Flux.just(wall("bid", 1e6)))
        .blockFirst(Duration.ofSeconds(5));
    assertThat(opened).isNotNull();
    assertThat(opened.type()).isEqualTo(Type.OPENED);
    assertThat(opened.at()).isBetween(before.minusSeconds(1),
        java.time.Instant.now().plusSeconds(1));
  }

  @Test
  void aConditionSeenOnManyScansIsOneAlertWithItsLifetimeAndPeak() {
    Alerts alerts = track(AlertConfig.custom().grace(Duration.ofSeconds(10))
        .updateInterval(Duration.ofSeconds(60)).build());
    for (int s = 0; s <= 240; s += 5) {
      at(s, wall("bid", s == 100 ? 3e6 : 1e6));
    }
    assertThat(events).extracting(AlertEvent::type).containsExactly(Type.OPENED, Type.UPDATED);
    assertThat(events.get(1).at()).isEqualTo(T0.plusSeconds(100));

    vts.advanceTimeTo(T0.plusSeconds(249));
    assertThat(events).hasSize(2);
    vts.advanceTimeTo(T0.plusSeconds(250));
    assertThat(events).extracting(AlertEvent::type)
        .containsExactly(Type.OPENED, Type.UPDATED, Type.CLOSED);
    AlertEvent closed = events.get(2);
    Alert a = closed.alert();
    assertThat(closed.at()).isEqualTo(T0.plusSeconds(250));
    assertThat(a.firstSeen()).isEqualTo(T0);
    assertThat(a.lastSeen()).isEqualTo(T0.plusSeconds(240));
    assertThat(a.lifetime()).isEqualTo(Duration.ofMinutes(4));
    assertThat(a.peakValue()).isEqualTo(3e6);
    assertThat(a.signals()).isEqualTo(49);
    assertThat(a.closedAt()).isEqualTo(T0.plusSeconds(250));
    assertThat(closed.sequence()).isEqualTo(2);
    assertThat(events).extracting(e -> e.alert().id()).containsOnly(a.id());
    assertThat(alerts.stats()).isEqualTo(new AlertStats(49, 1, 1, 1, 0, 0, 0, 0));
    assertThat(AlertText.line(closed)).isEqualTo("alert closed order-book-wall BTC/USDT "
        + "binance bid after 4 min, peak: bid wall 3000000.0");
  }

  @Test
  void updatesOnlyOnANewPeakAndAtMostOncePerInterval() {
    track(AlertConfig.custom().updateInterval(Duration.ofSeconds(30)).grace(Duration.ofMinutes(1))
        .build());
    at(0, wall("bid", 1));
    at(5, wall("bid", 2));   // new peak, but within 30 s of the opening
    at(10, wall("bid", 1));
    at(31, wall("bid", 1));  // the pending peak is reported now
    at(40, wall("bid", 1.5)); // no new peak
    at(70, wall("bid", 5));  // new peak, 39 s after the last update
    assertThat(events).extracting(AlertEvent::type)
        .containsExactly(Type.OPENED, Type.UPDATED, Type.UPDATED);
    assertThat(events).extracting(AlertEvent::at)
        .containsExactly(T0, T0.plusSeconds(31), T0.plusSeconds(70));
    assertThat(events).extracting(e -> e.alert().peakValue()).containsExactly(1.0, 2.0, 5.0);
  }

  @Test
  void aConditionShorterThanTheMinimumLifetimeNeverOpens() {
    Alerts alerts = track(AlertConfig.custom().minLifetime(Duration.ofSeconds(10))
        .grace(Duration.ofSeconds(6)).build());
    at(0, wall("bid", 1));
    at(5, wall("bid", 1));
    vts.advanceTimeTo(T0.plusSeconds(20));               // gone for 15 s: closed, short-lived
    at(30, wall("ask", 1));
    at(35, wall("ask", 1));
    at(40, wall("ask", 1));                               // held 10 s: opens now
    assertThat(events).extracting(AlertEvent::type).containsExactly(Type.OPENED);
    assertThat(events.get(0).alert().key().subject()).isEqualTo("binance ask");
    assertThat(events.get(0).at()).isEqualTo(T0.plusSeconds(40));
    assertThat(events.get(0).alert().firstSeen()).isEqualTo(T0.plusSeconds(30));
    assertThat(alerts.stats().shortLived()).isEqualTo(1);
    assertThat(alerts.stats().opened()).isEqualTo(1);
  }

  @Test
  void aReopenedAlertWithinTheCooldownIsSuppressedAndCounted() {
    Alerts alerts = track(AlertConfig.custom().grace(Duration.ofSeconds(5))
        .cooldown(Duration.ofMinutes(5)).build());
    at(0, wall("bid", 1));
    vts.advanceTimeTo(T0.plusSeconds(5));                 // closed at 5 s: quiet until 305 s
    at(60, wall("bid", 1));                               // suppressed
    at(62, wall("bid", 2));
    vts.advanceTimeTo(T0.plusSeconds(100));               // its close is not delivered either
    at(305, wall("bid", 1));                              // the cooldown is over
    assertThat(events).extracting(AlertEvent::type).containsExactly(Type.OPENED, Type.CLOSED,
        Type.SUPPRESSED, Type.OPENED);
    assertThat(events.get(2).alert().suppressed()).isTrue();
    assertThat(alerts.stats().suppressed()).isEqualTo(1);
    assertThat(alerts.stats().opened()).isEqualTo(2);
    assertThat(alerts.stats().closed()).isEqualTo(1);
    assertThat(alerts.snapshot().recent()).hasSize(2);    // the suppressed one, then the first
  }

  @Test
  void aKindMayHaveItsOwnCooldown() {
    track(AlertConfig.custom().grace(Duration.ofSeconds(5)).cooldown(Duration.ofMinutes(5))
        .cooldown("order-book-wall", Duration.ofSeconds(30)).build());
    at(0, wall("bid", 1));
    at(40, wall("bid", 1));                               // closed at 5 s, quiet until 35 s
    assertThat(events).extracting(AlertEvent::type)
        .containsExactly(Type.OPENED, Type.CLOSED, Type.OPENED);
  }

  @Test
  void everyOpenAlertClosesWhenTheSignalsEnd() {
    Alerts alerts = track(AlertConfig.ofDefaults());
    at(0, wall("bid", 1));
    at(3, wall("ask", 1));
    at(7, wall("bid", 1));
    assertThat(alerts.snapshot().open()).extracting(a -> a.key().subject())
        .containsExactly("binance bid", "binance ask");
    in.tryEmitComplete();
    assertThat(events).extracting(AlertEvent::type)
        .containsExactly(Type.OPENED, Type.OPENED, Type.CLOSED, Type.CLOSED);
    assertThat(events.get(2).alert().lifetime()).isEqualTo(Duration.ofSeconds(7));
    assertThat(alerts.snapshot().open()).isEmpty();
    assertThat(alerts.snapshot().recent()).hasSize(2);
  }

  @Test
  void theMostTrackedAlertsAreBoundedAndTheRestCounted() {
    Alerts alerts = track(AlertConfig.custom().maxOpen(2).build());
    at(0, wall("a", 1));
    at(0, wall("b", 1));
    at(0, wall("c", 1));
    assertThat(events).hasSize(2);
    assertThat(alerts.stats().overflowed()).isEqualTo(1);
  }

  @Test
  void observersSeeEveryEventHotAndSinksAreOfferedThem() {
    List<AlertEvent> offered = new CopyOnWriteArrayList<>();
    AlertSink sink = new RecordingSink(offered);
    Alerts alerts = Alerts.builder().scheduler(vts).sink(sink).build();
    List<AlertEvent> observed = new CopyOnWriteArrayList<>();
    subscriptions.add(alerts.events().subscribe(observed::add));
    subscriptions.add(alerts.track(in.asFlux()).subscribe(events::add));
    at(0, wall("bid", 1));
    in.tryEmitComplete();
    assertThat(observed).isEqualTo(events).hasSize(2);
    assertThat(offered).isEqualTo(events);
    assertThat(alerts.sinkStats()).extracting(SinkStats::sink).containsExactly("recording");
  }

  @Test
  void oneStreamAtATime() {
    Alerts alerts = track(AlertConfig.ofDefaults());
    assertThatThrownBy(() -> alerts.track(in.asFlux()).blockLast())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("merge the signals");
  }

  @Test
  void anAlertRuleReplaysDeterministicallyWithTheStrategyTester() {
    // a ticker above 105 is a breakout; it holds from second 2 to 4 of the recording
    Strategy<Signal> breakout = scans -> scans.concatMapIterable(scan -> scan.tickers().stream()
        .filter(t -> t.bid() > 105)
        .map(t -> Signal.builder("breakout", scan.completedAt()).venues(t.venue())
            .instruments(t.instrument()).strength(t.bid()).build())
        .toList());
    List<TickerSnapshot> data = new ArrayList<>();
    double[] bids = {100, 104, 106, 108, 107, 103, 103, 103, 103, 103, 103, 103, 103};
    for (int i = 0; i < bids.length; i++) {
      Instant t = Instant.parse("2025-01-31T12:00:00Z").plusSeconds(i);
      data.add(new TickerSnapshot("binance", BTC, bids[i], bids[i] + 1, bids[i], 1, 1, 0, t, t));
    }
    AlertConfig config = AlertConfig.custom().minLifetime(Duration.ofSeconds(1))
        .grace(Duration.ofSeconds(3)).build();
    var run = StrategyTester.given(data).when(Alerts.over(breakout, config));
    List<StrategyTester.Emission<AlertEvent>> first = run.signals();
    assertThat(first).extracting(e -> e.signal().type()).containsExactly(Type.OPENED,
        Type.CLOSED);
    assertThat(first).extracting(StrategyTester.Emission::at)
        .containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(8));
    Alert closed = first.get(1).signal().alert();
    assertThat(closed.lifetime()).isEqualTo(Duration.ofSeconds(2));
    assertThat(closed.peakValue()).isEqualTo(108);
    assertThat(run.signals()).isEqualTo(first);
  }

  /** A sink that records what it is offered. */
  private record RecordingSink(List<AlertEvent> offered) implements AlertSink {
    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void offer(AlertEvent event) {
      offered.add(event);
    }

    @Override
    public SinkStats stats() {
      return new SinkStats("recording", offered.size(), 0, 0, 0, 0, 0, 0, "");
    }

    @Override
    public reactor.core.publisher.Mono<Void> close(Duration timeout) {
      return reactor.core.publisher.Mono.empty();
    }
  }
}
