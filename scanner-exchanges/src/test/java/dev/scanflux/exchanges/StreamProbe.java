package dev.scanflux.exchanges;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * One subscribed stream connection whose events a test reads as they come: it records every
 * event and the terminal error, and lets the test wait (bounded, woken by each event, never
 * sleeping) until a condition holds. For streams against a {@code VenueSimulator} in real time.
 */
public final class StreamProbe implements AutoCloseable {

  private final List<StreamEvent> events = new ArrayList<>();
  private @Nullable Throwable error;
  private boolean completed;
  private final Disposable subscription;

  private StreamProbe(MarketStream stream, StreamRequest request, StreamContext context) {
    this.subscription = stream.connect(request, context).subscribe(this::add, this::fail,
        this::complete);
  }

  /** Subscribes one connection of {@code stream}. */
  public static StreamProbe connect(MarketStream stream, StreamRequest request,
      StreamContext context) {
    return new StreamProbe(stream, request, context);
  }

  /** Subscribes books and tickers of {@code instruments} at {@code depth}, no resyncs asked. */
  public static StreamProbe connect(MarketStream stream, int depth, Instrument... instruments) {
    return connect(stream, new StreamRequest(List.of(instruments), depth, true, true),
        StreamContext.direct());
  }

  /** Every event so far, in order. */
  public synchronized List<StreamEvent> events() {
    return List.copyOf(events);
  }

  /** The events of one type so far, in order. */
  public synchronized <T extends StreamEvent> List<T> events(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (StreamEvent e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /** The books streamed for an instrument so far, in order. */
  public synchronized List<BookSnapshot> books(Instrument instrument) {
    List<BookSnapshot> out = new ArrayList<>();
    for (StreamEvent.Update u : events(StreamEvent.Update.class)) {
      if (u.snapshot() instanceof BookSnapshot b && b.instrument().equals(instrument)) {
        out.add(b);
      }
    }
    return out;
  }

  /** The tickers streamed for an instrument so far, in order. */
  public synchronized List<TickerSnapshot> tickers(Instrument instrument) {
    List<TickerSnapshot> out = new ArrayList<>();
    for (StreamEvent.Update u : events(StreamEvent.Update.class)) {
      if (u.snapshot() instanceof TickerSnapshot t && t.instrument().equals(instrument)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The error the connection ended with, if it did. */
  public synchronized @Nullable Throwable error() {
    return error;
  }

  /** True if the connection completed, which a stream must never do on its own. */
  public synchronized boolean completed() {
    return completed;
  }

  /**
   * Waits until {@code condition} holds, re-checking at every event and at the end.
   *
   * @throws AssertionError naming {@code what} and the events seen, if it does not hold in time
   */
  public synchronized StreamProbe await(String what, Predicate<StreamProbe> condition,
      Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + max + " waiting for " + what + "; "
            + events.size() + " events, last " + (events.isEmpty() ? "none"
            : events.get(events.size() - 1)) + ", error " + error);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
    return this;
  }

  /** Waits until the connection has ended with an error. */
  public StreamProbe awaitError(Duration max) {
    return await("the connection to fail", p -> p.error != null, max);
  }

  /** Waits until {@code count} events of {@code type} arrived. */
  public StreamProbe await(Class<? extends StreamEvent> type, int count, Duration max) {
    return await(count + " " + type.getSimpleName() + " events",
        p -> p.events(type).size() >= count, max);
  }

  @Override
  public void close() {
    subscription.dispose();
  }

  private synchronized void add(StreamEvent e) {
    events.add(e);
    notifyAll();
  }

  private synchronized void fail(Throwable e) {
    error = e;
    notifyAll();
  }

  private synchronized void complete() {
    completed = true;
    notifyAll();
  }

  /**
   * True when two books hold the same levels, whatever their venue names and times: the
   * simulator names its books after the simulated venue ({@code bybit_linear}), presets name
   * theirs ({@code bybit-linear}).
   */
  public static boolean sameLevels(BookSnapshot a, BookSnapshot b) {
    if (a.bidLevels() != b.bidLevels() || a.askLevels() != b.askLevels()) {
      return false;
    }
    for (int k = 0; k < a.bidLevels(); k++) {
      if (a.bidPrice(k) != b.bidPrice(k) || a.bidSize(k) != b.bidSize(k)) {
        return false;
      }
    }
    for (int k = 0; k < a.askLevels(); k++) {
      if (a.askPrice(k) != b.askPrice(k) || a.askSize(k) != b.askSize(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until the latest book of {@code instrument} this probe received holds the levels of
   * {@code sim}'s streamed book now (its top {@code depth}): the client's book is in sync. The
   * simulator knows the book only once the client's subscription reached it.
   */
  public StreamProbe awaitInSync(VenueSimulator sim, Instrument instrument, int depth) {
    return await(instrument + "'s streamed book to be the simulator's",
        q -> q.inSync(sim, instrument, depth), PATIENCE);
  }

  private boolean inSync(VenueSimulator sim, Instrument instrument, int depth) {
    List<BookSnapshot> books = books(instrument);
    if (books.isEmpty()) {
      return false;
    }
    BookSnapshot streamed;
    try {
      streamed = sim.streamedBook(instrument, depth);
    } catch (IllegalStateException notSubscribedYet) {
      return false;
    }
    return sameLevels(books.get(books.size() - 1), streamed);
  }

  /** Max wait used by stream tests: generous, as it only matters when a test fails. */
  public static final Duration PATIENCE = Duration.ofSeconds(10);
}
