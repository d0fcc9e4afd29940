package dev.scanflux.core.alert;

import static dev.scanflux.core.alert.SinkTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.alert.LoopbackServer.Response;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Alerts and a Telegram sink together: lifetime and cooldown in virtual time, delivery to a
 * loopback Bot API over real sockets.
 */
class AlertDeliveryTest {

  @Test
  void aWallIsOneMessageWhenItOpensOneWhenItClosesAndNoneWhenItFlapsWithinTheCooldown()
      throws Exception {
    String token = "555:AAF-delivery-TOKEN";
    VirtualTimeScheduler vts = VirtualTimeScheduler.create();
    try (LoopbackServer server = new LoopbackServer(r -> Response.json(200, "{\"ok\":true}"))) {
      TelegramSink telegram = TelegramSink.builder(Secret.of(token)).api(server.uri())
          .chat("42").delivery(SinkTesting.FAST).build();
      Alerts alerts = Alerts.builder().scheduler(vts).sink(telegram)
          .config(AlertConfig.custom().minLifetime(Duration.ofSeconds(10))
              .grace(Duration.ofSeconds(15)).cooldown(Duration.ofMinutes(5)).build())
          .build();
      Sinks.Many<Signal> in = Sinks.many().unicast().onBackpressureBuffer();
      Disposable tracking = alerts.track(in.asFlux()).subscribe();

      for (int s = 0; s <= 240; s += 5) {                 // a wall standing four minutes
        vts.advanceTimeTo(Instant.EPOCH.plusSeconds(s));
        in.tryEmitNext(wall(s == 120 ? 2e6 : 1e6));
      }
      vts.advanceTimeTo(Instant.EPOCH.plusSeconds(300));  // closed at 255 s
      for (int s = 330; s <= 360; s += 5) {               // back within the cooldown
        vts.advanceTimeTo(Instant.EPOCH.plusSeconds(s));
        in.tryEmitNext(wall(1e6));
      }
      in.tryEmitComplete();
      alerts.close(Duration.ofSeconds(10)).block(Duration.ofSeconds(30));

      assertThat(server.requests()).hasSize(2);
      assertThat(server.requests().get(0).body()).contains("Alert opened: order-book-wall "
          + "BTC/USDT binance bid", "first seen 00:00:00 UTC, holding for 10 s");
      assertThat(server.requests().get(1).body()).contains("Alert closed", "lasted 4 min,"
          + " 00:00:00 to 00:04:00 UTC", "peak: bid wall worth 2000000");
      assertThat(alerts.stats()).extracting(AlertStats::opened, AlertStats::closed,
          AlertStats::suppressed).containsExactly(1L, 1L, 1L);
      await("stats settled", () -> telegram.stats().delivered() == 2);
      assertThat(alerts.sinkStats()).containsExactly(
          new SinkStats("telegram", 2, 0, 0, 0, 0, 0, 0, ""));
      tracking.dispose();
    } finally {
      vts.dispose();
    }
  }

  private static Signal wall(double notional) {
    return Signal.builder("order-book-wall", Instant.EPOCH).venues("binance")
        .instruments(Instrument.spot("BTC", "USDT")).subject("binance bid").strength(notional)
        .description("bid wall worth " + (long) notional).build();
  }
}
