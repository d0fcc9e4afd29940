package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.spi.StreamEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class OutboxTest {

  /** A session that logs each frame as it is sent, beside the events the test logs. */
  private static final class LoggingSession implements WsSession {
    final List<String> log = new CopyOnWriteArrayList<>();

    @Override
    public Flux<String> receive() {
      return Flux.never();
    }

    @Override
    public Mono<Void> send(String frame) {
      return Mono.fromRunnable(() -> log.add("sent " + frame));
    }
  }

  private static void record(List<String> log, Flux<StreamEvent> events) {
    StepVerifier.create(events.doOnNext(e -> log.add("emitted " + e)))
        .thenConsumeWhile(e -> true).verifyComplete();
  }

  @Test
  void sendThenEmitSendsTheFramesInOrderBeforeTheEventsAndEmptiesTheOutbox() {
    LoggingSession session = new LoggingSession();
    Outbox out = new Outbox();
    StreamEvent a = StreamEvent.rejected("a");
    out.emit(a);
    out.send("f1");
    out.send("f2");

    record(session.log, out.sendThenEmit(session));

    assertThat(session.log).containsExactly("sent f1", "sent f2", "emitted " + a);
    session.log.clear();
    record(session.log, out.sendThenEmit(session));
    assertThat(session.log).isEmpty();
  }

  @Test
  void sendThenEmitWithAHandlerRunsItFirstAndTakesWhatItAdded() {
    LoggingSession session = new LoggingSession();
    Outbox out = new Outbox();
    StreamEvent a = StreamEvent.rejected("a");

    Flux<StreamEvent> handled = out.sendThenEmit(session, () -> {
      session.log.add("handled");
      out.emit(a);
      out.send("f1");
    });
    record(session.log, handled);

    assertThat(session.log).containsExactly("handled", "sent f1", "emitted " + a);
    assertThat(out.takeFrames()).isEmpty();
  }

  @Test
  void emitThenSendEmitsTheEventsBeforeTheFrames() {
    LoggingSession session = new LoggingSession();
    Outbox out = new Outbox();
    StreamEvent a = StreamEvent.rejected("a");
    StreamEvent b = StreamEvent.rejected("b");
    out.send("f1");
    out.emit(a);
    out.emit(b);

    record(session.log, out.emitThenSend(session));

    assertThat(session.log).containsExactly("emitted " + a, "emitted " + b, "sent f1");
  }

  @Test
  void withoutFramesTheSessionIsNotTouchedAndTakeFramesEmptiesThem() {
    Outbox out = new Outbox();
    StreamEvent a = StreamEvent.rejected("a");
    out.emit(a);
    WsSession unusable = new WsSession() {
      @Override
      public Flux<String> receive() {
        throw new AssertionError("receive");
      }

      @Override
      public Mono<Void> send(String frame) {
        throw new AssertionError("send " + frame);
      }
    };

    StepVerifier.create(out.sendThenEmit(unusable)).expectNext(a).verifyComplete();
    out.send("f1");
    out.send("f2");
    assertThat(out.takeFrames()).containsExactly("f1", "f2");
    assertThat(out.takeFrames()).isEmpty();
  }

  @Test
  void aFailedSendEndsTheFluxWithItsError() {
    Outbox out = new Outbox();
    out.emit(StreamEvent.rejected("a"));
    out.send("f1");
    IllegalStateException closed = new IllegalStateException("closed");
    WsSession failing = new WsSession() {
      @Override
      public Flux<String> receive() {
        return Flux.never();
      }

      @Override
      public Mono<Void> send(String frame) {
        return Mono.error(closed);
      }
    };

    StepVerifier.create(out.sendThenEmit(failing)).verifyErrorSatisfies(
        e -> assertThat(e).isSameAs(closed));
  }
}
