package dev.scanflux.core.alert;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.strategy.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Events and waiting for sink tests. */
final class SinkTesting {

  /** Retries after 10 ms, doubling up to 50 ms. */
  static final DeliveryConfig FAST = DeliveryConfig.custom()
      .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).build();

  private SinkTesting() {}

  static AlertEvent event(AlertEvent.Type type, String subject, long sequence) {
    Instant t = Instant.parse("2026-12-06T02:00:00Z");
    Signal s = Signal.builder("order-book-wall", t).venues("binance")
        .instruments(Instrument.spot("BTC", "USDT")).subject("binance " + subject).strength(1.2e6)
        .description("bid wall on binance BTC/USDT at 64,120.5: 1.2 M USDT").build();
    Instant last = t.plusSeconds(252);
    Alert a = new Alert("3f2a9c0d1b7e4a55", dev.scanflux.core.alert.AlertKey.of(s), t,
        type == AlertEvent.Type.OPENED ? t : last,
        type == AlertEvent.Type.CLOSED ? last.plusSeconds(30) : null, 51, s, s, false);
    return new AlertEvent(type, sequence, type == AlertEvent.Type.CLOSED ? last.plusSeconds(30)
        : t, a);
  }

  /** Waits, polling every 20 ms, up to a generous bound for a loaded machine. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
