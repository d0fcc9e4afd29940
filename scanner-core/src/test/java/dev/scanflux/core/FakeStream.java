package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A scripted push stream for engine tests. Each {@link #connect} is one connection: while
 * {@link #refuse(boolean)} is set it fails at once, otherwise it stays open until the test
 * {@link #drop()}s it, and the test pushes events into the open one with {@link #emit}. It logs
 * when each connection was asked for, what it subscribed, and which resyncs the engine asked for.
 */
public final class FakeStream implements MarketStream {

  private final String venue;
  private final Scheduler clock;
  private final List<Long> connectNanos = new CopyOnWriteArrayList<>();
  private final List<StreamRequest> requests = new CopyOnWriteArrayList<>();
  private final List<Instrument> resyncsAsked = new CopyOnWriteArrayList<>();
  private final AtomicInteger cancelled = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private volatile boolean refuse;
  private volatile Sinks.Many<StreamEvent> open = Sinks.many().unicast().onBackpressureError();

  public FakeStream(String venue, Scheduler clock) {
    this.venue = venue;
    this.clock = clock;
  }

  /** While true, every connection fails at once, like a refused WebSocket upgrade. */
  public FakeStream refuse(boolean refuse) {
    this.refuse = refuse;
    return this;
  }

  /** Pushes events into the open connection. */
  public void emit(StreamEvent... events) {
    for (StreamEvent e : events) {
      Sinks.EmitResult r = open.tryEmitNext(e);
      if (r.isFailure()) {
        throw new IllegalStateException("no open connection to emit " + e + " on: " + r);
      }
    }
  }

  /** Drops the open connection, as a venue closing the socket would. */
  public void drop() {
    open.tryEmitError(new java.io.IOException("connection reset by the venue"));
  }

  public List<Long> connectNanos() {
    return List.copyOf(connectNanos);
  }

  public List<StreamRequest> requests() {
    return List.copyOf(requests);
  }

  public List<Instrument> resyncsAsked() {
    return new ArrayList<>(resyncsAsked);
  }

  public int cancelled() {
    return cancelled.get();
  }

  public boolean isClosed() {
    return closed.get() > 0;
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
    return Flux.defer(() -> {
      connectNanos.add(clock.now(TimeUnit.NANOSECONDS));
      requests.add(request);
      if (refuse) {
        return Flux.error(new java.net.ConnectException("connection refused"));
      }
      Sinks.Many<StreamEvent> sink = Sinks.many().unicast().onBackpressureError();
      open = sink;
      return sink.asFlux()
          .mergeWith(context.resyncs().doOnNext(resyncsAsked::add).thenMany(Flux.empty()))
          .doOnCancel(cancelled::incrementAndGet);
    });
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }
}
