package dev.scanflux.exchanges;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A clock one millisecond later at every reading, its timers on {@code parallel}: two readings
 * of it never agree, so a test sees whether code read it once or twice for one message.
 */
public final class TickingClock implements Scheduler {

  private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

  @Override
  public long now(TimeUnit unit) {
    return unit.convert(millis.getAndIncrement(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Disposable schedule(Runnable task) {
    return Schedulers.parallel().schedule(task);
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    return Schedulers.parallel().schedule(task, delay, unit);
  }

  @Override
  public Worker createWorker() {
    return Schedulers.parallel().createWorker();
  }
}
