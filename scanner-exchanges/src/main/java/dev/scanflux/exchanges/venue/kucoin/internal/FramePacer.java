package dev.scanflux.exchanges.venue.kucoin.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One connection's outgoing request frames, sent in the order they were queued and never more
 * than {@code perWindow} in any {@code window}: every frame of the connection (its first
 * subscriptions and every later resubscription) goes through the one queue, so a burst of
 * resubscriptions cannot push the connection over the venue's message limit either. Frames go
 * out at once while the window has room, and otherwise wait for the oldest frame of the window
 * to leave it, plus {@link #MARGIN_MS} ms: frames sent exactly one window apart may reach the
 * venue less than a window apart, and its own window must never count more than
 * {@code perWindow}. Waits are timed on the given scheduler (virtual time in tests).
 *
 * <p>{@link #send} may be called from any thread; {@link #run} is subscribed once, by the
 * connection, and sends the frames as long as it is subscribed. Once it ends (cancelled, or a
 * send failed), frames still queued are not sent and their {@link #send} results error.
 */
final class FramePacer {

  /** A queued frame; {@code onSent} runs as it goes out, {@code sent} completes after. */
  private record Out(String text, Runnable onSent, Sinks.@Nullable Empty<Void> sent) {}

  /** The wait beyond the window before a frame takes the place of the window's oldest. */
  static final long MARGIN_MS = 500;

  private final int perWindow;
  private final long windowMillis;
  private final Scheduler clock;
  private final Sinks.Many<Out> queue = Sinks.many().unicast().onBackpressureBuffer();
  /** When the last {@code perWindow} frames went out, oldest first; only {@link #run} uses it. */
  private final ArrayDeque<Long> sentAt = new ArrayDeque<>();
  /** The results of {@link #send} not completed yet; guarded by {@code queue}. */
  private final Set<Sinks.Empty<Void>> waiting = new HashSet<>();
  /** Set once {@link #run} ended; guarded by {@code queue}. */
  private boolean ended;

  /**
   * @param perWindow the most frames sent in any {@code window}
   * @param window    the window
   * @param clock     the scheduler waits are timed on
   */
  FramePacer(int perWindow, Duration window, Scheduler clock) {
    if (perWindow < 1) {
      throw new IllegalArgumentException("perWindow must be at least 1 but was " + perWindow);
    }
    if (Objects.requireNonNull(window, "window").isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive but was " + window);
    }
    this.perWindow = perWindow;
    this.windowMillis = window.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Queues {@code frames} behind those already queued.
   *
   * @param frames the frames, in order
   * @param onSent called with each frame's index in {@code frames} as it is handed to the
   *               connection (before the venue can have read it)
   * @return completes once the last of them went out; errors if sending failed, or once the
   *     connection no longer sends (its {@link #run} ended before the last of them went out)
   */
  Mono<Void> send(List<String> frames, Consumer<Integer> onSent) {
    if (frames.isEmpty()) {
      return Mono.empty();
    }
    Sinks.Empty<Void> last = Sinks.empty();
    synchronized (queue) {
      if (ended) {
        return Mono.error(new IllegalStateException("the connection sends no more frames"));
      }
      waiting.add(last);
      for (int k = 0; k < frames.size(); k++) {
        int index = k;
        Sinks.EmitResult r = queue.tryEmitNext(new Out(frames.get(k), () -> onSent.accept(index),
            k == frames.size() - 1 ? last : null));
        if (r.isFailure()) {
          waiting.remove(last);
          return Mono.error(new IllegalStateException("the connection sends no more frames ("
              + r + ")"));
        }
      }
    }
    return last.asMono();
  }

  /**
   * Sends the queued frames through {@code transport}, paced; never completes on its own, errors
   * when a frame cannot be sent.
   */
  Mono<Void> run(Function<String, Mono<Void>> transport) {
    return queue.asFlux().concatMap(out -> {
      long wait = sentAt.size() < perWindow ? 0
          : sentAt.peekFirst() + windowMillis + MARGIN_MS - clock.now(TimeUnit.MILLISECONDS);
      Mono<Void> send = Mono.defer(() -> {
        sentAt.addLast(clock.now(TimeUnit.MILLISECONDS));
        if (sentAt.size() > perWindow) {
          sentAt.removeFirst();
        }
        out.onSent().run();
        return transport.apply(out.text());
      }).doOnSuccess(v -> {
        if (out.sent() != null) {
          done(out.sent()).tryEmitEmpty();
        }
      }).doOnError(e -> {
        if (out.sent() != null) {
          done(out.sent()).tryEmitError(e);
        }
      });
      return wait <= 0 ? send : Mono.delay(Duration.ofMillis(wait), clock).then(send);
    }).then().doFinally(signal -> {
      List<Sinks.Empty<Void>> unsent;
      synchronized (queue) {
        ended = true;
        unsent = List.copyOf(waiting);
        waiting.clear();
      }
      for (Sinks.Empty<Void> s : unsent) {
        s.tryEmitError(new IllegalStateException("the connection ended before the frames were"
            + " sent (" + signal + ")"));
      }
    });
  }

  private Sinks.Empty<Void> done(Sinks.Empty<Void> sent) {
    synchronized (queue) {
      waiting.remove(sent);
    }
    return sent;
  }
}
