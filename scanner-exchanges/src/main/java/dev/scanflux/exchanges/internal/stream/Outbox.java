package dev.scanflux.exchanges.internal.stream;

import dev.scanflux.core.spi.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a connection's input produced while it was handled: the events to emit and the frames to
 * send, each in the order added. A stream's handlers add to it ({@link #emit}, {@link #send});
 * once an input is handled, {@link #sendThenEmit} or {@link #emitThenSend} takes both out as the
 * input's {@code Flux}, and the outbox is empty again for the next input.
 *
 * <p>Not thread-safe: one outbox per connection, whose inputs are handled one at a time (as the
 * {@code concatMap} of a stream's inputs does).
 */
public final class Outbox {

  private final List<StreamEvent> events = new ArrayList<>();
  private final List<String> frames = new ArrayList<>();

  /** Adds an event to emit once the input being handled is done. */
  public void emit(StreamEvent event) {
    events.add(Objects.requireNonNull(event, "event"));
  }

  /** Adds a frame to send once the input being handled is done, after those added before. */
  public void send(String frame) {
    frames.add(Objects.requireNonNull(frame, "frame"));
  }

  /**
   * The frames added since they were last taken, in order, and forgets them: for the frames a
   * connection sends before its first input.
   */
  public List<String> takeFrames() {
    List<String> taken = List.copyOf(frames);
    frames.clear();
    return taken;
  }

  /**
   * Takes what was added: sends the frames on {@code session}, in order, then emits the events.
   * With no frame, emits the events without touching the session. A failed send ends the flux
   * with its error, before any event.
   */
  public Flux<StreamEvent> sendThenEmit(WsSession session) {
    List<StreamEvent> emitted = takeEvents();
    if (frames.isEmpty()) {
      return Flux.fromIterable(emitted);
    }
    return session.send(takeFrames()).thenMany(Flux.fromIterable(emitted));
  }

  /**
   * Runs {@code handler}, one input's handling, which adds to this outbox; then as
   * {@link #sendThenEmit(WsSession)}. Exceptions of the handler propagate, thrown.
   */
  public Flux<StreamEvent> sendThenEmit(WsSession session, Runnable handler) {
    handler.run();
    return sendThenEmit(session);
  }

  /**
   * Takes what was added: emits the events, then sends the frames on {@code session}, in order.
   * With no frame, emits the events without touching the session. A failed send ends the flux
   * with its error, after the events.
   */
  public Flux<StreamEvent> emitThenSend(WsSession session) {
    List<StreamEvent> emitted = takeEvents();
    if (frames.isEmpty()) {
      return Flux.fromIterable(emitted);
    }
    return Flux.fromIterable(emitted).concatWith(session.send(takeFrames()).then(Mono.empty()));
  }

  private List<StreamEvent> takeEvents() {
    List<StreamEvent> taken = List.copyOf(events);
    events.clear();
    return taken;
  }
}
