package dev.scanflux.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous bound (the machine is shared and loaded). */
final class Awaits {

  static final Duration BOUND = Duration.ofSeconds(30);

  private Awaits() {}

  static void until(BooleanSupplier condition) throws InterruptedException {
    until(BOUND, condition);
  }

  static void until(Duration bound, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + bound);
      }
      Thread.sleep(50);
    }
  }
}
