package dev.scanflux.core.alert;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * Prints each alert event as one line ({@link AlertText#line}) to a stream, e.g.
 * {@code System.out}. Printing is synchronous and cannot fail, so this sink has no outbox: it
 * counts what it printed.
 */
public final class ConsoleSink implements AlertSink {

  private final PrintStream out;
  private final Set<AlertEvent.Type> types;
  private final AtomicLong printed = new AtomicLong();
  private volatile boolean closed;

  private ConsoleSink(PrintStream out, Set<AlertEvent.Type> types) {
    this.out = out;
    this.types = Set.copyOf(types);
  }

  /**
   * A sink printing {@code OPENED}, {@code UPDATED} and {@code CLOSED} events.
   *
   * @param out where to print
   * @return the sink
   */
  public static ConsoleSink of(PrintStream out) {
    return of(out, AlertEvent.Type.OPENED, AlertEvent.Type.UPDATED, AlertEvent.Type.CLOSED);
  }

  /**
   * A sink printing the given event types.
   *
   * @param out   where to print
   * @param types at least one type
   * @return the sink
   * @throws IllegalArgumentException if no type is given
   */
  public static ConsoleSink of(PrintStream out, AlertEvent.Type... types) {
    return new ConsoleSink(Objects.requireNonNull(out, "out"), Arguments.types(types));
  }

  @Override
  public String name() {
    return "console";
  }

  @Override
  public void offer(AlertEvent event) {
    if (!closed && types.contains(event.type())) {
      out.println(AlertText.line(event));
      printed.incrementAndGet();
    }
  }

  @Override
  public SinkStats stats() {
    return new SinkStats(name(), printed.get(), 0, 0, 0, 0, 0, 0, "");
  }

  @Override
  public Mono<Void> close(Duration timeout) {
    return Mono.fromRunnable(() -> {
      closed = true;
      out.flush();
    });
  }

  @Override
  public String toString() {
    return "ConsoleSink{events " + types + '}';
  }
}
