package dev.scanflux.exchanges.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Live threads and open descriptors, and waits for a condition on them, for leak tests. */
public final class Threads {

  private Threads() {}

  /** The names of the live threads whose name starts with {@code prefix}. */
  public static List<String> named(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).filter(n -> n.startsWith(prefix)).sorted().toList();
  }

  /** Waits until no live thread's name starts with {@code prefix}; fails after {@code max}. */
  public static void awaitNoneNamed(String prefix, Duration max) {
    await(() -> named(prefix).isEmpty(), max,
        () -> "threads still alive: " + named(prefix));
  }

  /**
   * Polls {@code condition} every 20 ms until it holds; fails with {@code detail}'s text after
   * {@code max}.
   */
  public static void await(BooleanSupplier condition, Duration max,
      java.util.function.Supplier<String> detail) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + max + ": " + detail.get());
      }
      LockSupport.parkNanos(20_000_000L);
    }
  }
}
