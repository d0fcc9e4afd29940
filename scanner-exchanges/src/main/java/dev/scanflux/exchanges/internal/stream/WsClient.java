package dev.scanflux.exchanges.internal.stream;

import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * WebSocket connections as {@code Flux}es, on the JDK's asynchronous {@code java.net.http}
 * client: nothing here blocks a thread.
 *
 * <pre>{@code
 * Flux<StreamEvent> events = ws.connect(WsSpec.of("okx", uri).heartbeat(25s, "ping", "pong"),
 *     session -> session.send(subscribeFrames)
 *         .thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
 *             session.receive().concatMap(this::events))));
 * }</pre>
 *
 * <p>Each subscription opens one connection; once it is open the handler is called with its
 * {@link WsSession} and the handler's publisher is what the Flux emits. The Flux errors with a
 * {@link SourceException} when the connection cannot be opened (a {@link ThrottledException}
 * for an HTTP 429 or 418 answer to the upgrade, else a {@link TransientSourceException}), when
 * the venue closes it or it fails ({@link TransientSourceException}), or when a message exceeds
 * {@link WsSpec#maxMessageChars()} ({@link BadDataException}); it never completes while the
 * connection is open, even if the handler's publisher does; a failed send also ends it.
 *
 * <p>The JDK reads {@code /dev/urandom} on the calling thread for the opening handshake's key
 * and for every frame's mask, a file read BlockHound rightly flags; so opening, sending and the
 * close frame start on {@code Schedulers.boundedElastic()}. Reading never needs a thread.
 * Cancelling closes the connection (a close frame, then the socket).
 *
 * <p>The JDK client can miss a venue's FIN that arrives while a frame is being written: the
 * connection then looks open until the next send fails. Streams should therefore use
 * {@link WsSpec#heartbeat} (most venues want one anyway), which bounds that time. Signals arrive on the HTTP client's threads or on the
 * subscriber's thread that requested more.
 */
public final class WsClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WsClient.class);
  private static final long CLOSE_GRACE_MS = 1000;

  private final HttpClient http;
  private final @Nullable ExecutorService threads;

  /**
   * A client on a shared HTTP client, which {@link #close()} leaves alone.
   *
   * @param http the client whose threads run the connections, e.g. the native source's
   */
  public WsClient(HttpClient http) {
    this(Objects.requireNonNull(http, "http"), null);
  }

  private WsClient(HttpClient http, @Nullable ExecutorService threads) {
    this.http = http;
    this.threads = threads;
  }

  /**
   * A client with an HTTP client and two daemon threads of its own, named
   * {@code scanflux-<venue>-ws-<n>}, for a stream that has no HTTP client to share;
   * {@link #close()} stops them.
   *
   * @param venue the venue's name, for the threads' names
   */
  public static WsClient ownThreads(String venue) {
    Objects.requireNonNull(venue, "venue");
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "scanflux-" + venue + "-ws-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    return new WsClient(HttpClient.newBuilder().executor(threads).build(), threads);
  }

  /**
   * Stops the client's own threads, if it has them ({@link #ownThreads}): connections still
   * open fail. A client on a shared HTTP client is left as it is.
   */
  @Override
  public void close() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }

  /**
   * Opens one connection per subscription and emits what {@code handler} makes of it.
   *
   * @param spec    where and how
   * @param handler called once the connection is open, on the HTTP client's thread
   * @return the handler's signals; errors when the connection ends, see the class description
   */
  public <T> Flux<T> connect(WsSpec spec,
      Function<? super WsSession, ? extends Publisher<T>> handler) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(handler, "handler");
    return Flux.defer(() -> {
      Connection c = new Connection(spec);
      return c.open()
          .flatMapMany(session -> Flux.merge(Flux.from(handler.apply(session)),
              c.failure(), c.heartbeat()))
          .doFinally(signal -> c.close());
    });
  }

  /** Opens one connection per subscription, sends {@code frames}, then emits the messages. */
  public Flux<String> connect(WsSpec spec, List<String> frames) {
    List<String> copy = List.copyOf(frames);
    return connect(spec, session -> session.send(copy).thenMany(session.receive()));
  }

  /** One connection: the JDK listener, the session and the end of the connection. */
  private final class Connection implements WebSocket.Listener, WsSession {

    private final WsSpec spec;
    private final AtomicReference<@Nullable FluxSink<String>> receiver = new AtomicReference<>();
    private final AtomicBoolean awaiting = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Sinks.Empty<Void> failure = Sinks.empty();
    private final StringBuilder partial = new StringBuilder();
    private volatile @Nullable WebSocket socket;
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

    Connection(WsSpec spec) {
      this.spec = spec;
    }

    Mono<WsSession> open() {
      return Mono.<WsSession>create(sink -> {
        sink.onCancel(this::close);
        http.newWebSocketBuilder().connectTimeout(spec.connectTimeout())
            .buildAsync(spec.uri(), this)
            .whenComplete((ws, error) -> {
              if (error == null) {
                socket = ws;
                if (ended.get()) {
                  ws.abort();
                }
                sink.success(this);
              } else if (ended.get()) {
                LOG.debug("{}: a connection cancelled while opening failed", spec.venue(), error);
              } else {
                sink.error(openFailure(unwrap(error)));
              }
            });
      }).subscribeOn(Schedulers.boundedElastic());
    }

    /** Never completes; errors when the connection ends on its own. */
    <T> Mono<T> failure() {
      return failure.asMono().then(Mono.never());
    }

    /** Sends the heartbeat while the connection is open; never completes. */
    <T> Flux<T> heartbeat() {
      if (spec.pingEvery() == null) {
        return Flux.never();
      }
      // A tick while the previous ping is still being sent is skipped, not an overflow error.
      return Flux.interval(spec.pingEvery(), spec.pingEvery())
          .onBackpressureDrop()
          .concatMap(tick -> send(spec.ping()))
          .thenMany(Flux.never());
    }

    @Override
    public Flux<String> receive() {
      return Flux.create(sink -> {
        if (!receiver.compareAndSet(null, sink)) {
          sink.error(new IllegalStateException("receive() allows one subscriber"));
          return;
        }
        if (ended.get()) {
          sink.complete();
          return;
        }
        sink.onRequest(n -> requestFrame());
      }, FluxSink.OverflowStrategy.ERROR);
    }

    @Override
    public Mono<Void> send(String frame) {
      Objects.requireNonNull(frame, "frame");
      return Mono.fromFuture(() -> enqueue(ws -> ws.sendText(frame, true)), true)
          .subscribeOn(Schedulers.boundedElastic())
          .onErrorMap(e -> {
            SourceException failed = new TransientSourceException(spec.venue(),
                "cannot send on " + spec.uri() + ": " + unwrap(e), e);
            end(failed);
            return failed;
          })
          .then();
    }

    /** Chains a send after the previous ones: the JDK allows one outstanding send. */
    private synchronized CompletableFuture<?> enqueue(
        Function<WebSocket, CompletableFuture<WebSocket>> send) {
      WebSocket ws = socket;
      if (ws == null || ended.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("the connection ended"));
      }
      // A failed send ends the connection: the JDK client can miss a venue's FIN that arrives
      // while a frame is being written (the socket stays in CLOSE_WAIT), and the next send, a
      // heartbeat or a resubscription, is then what finds the connection dead.

      CompletableFuture<?> next = sends.handle((r, e) -> null).thenCompose(x -> send.apply(ws));
      sends = next;
      return next;
    }

    /** Asks the socket for one more frame if the subscriber wants one and none is awaited. */
    private void requestFrame() {
      FluxSink<String> sink = receiver.get();
      WebSocket ws = socket;
      if (ws != null && sink != null && !ended.get() && sink.requestedFromDownstream() > 0
          && awaiting.compareAndSet(false, true)) {
        ws.request(1);
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      // No request here: frames are read only once the subscriber asks for messages.
      socket = webSocket;
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data,
        boolean last) {
      if (partial.length() + data.length() > spec.maxMessageChars()) {
        end(new BadDataException(spec.venue(), "a message from " + spec.uri() + " exceeds "
            + spec.maxMessageChars() + " characters", null));
        webSocket.abort();
        return null;
      }
      if (!last) {
        partial.append(data);
        webSocket.request(1);
        return null;
      }
      String message;
      if (partial.length() == 0) {
        message = data.toString();
      } else {
        message = partial.append(data).toString();
        partial.setLength(0);
        partial.trimToSize();
      }
      if (spec.pingEvery() != null && message.equals(spec.pong())) {
        webSocket.request(1);
        return null;
      }
      awaiting.set(false);
      FluxSink<String> sink = receiver.get();
      if (sink != null) {
        sink.next(message);
      }
      requestFrame();
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data,
        boolean last) {
      LOG.debug("{}: ignored a binary frame of {} bytes", spec.venue(), data.remaining());
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode,
        String reason) {
      end(new TransientSourceException(spec.venue(), spec.uri() + " closed by the venue: "
          + statusCode + (reason.isEmpty() ? "" : " " + reason), null));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      end(new TransientSourceException(spec.venue(), spec.uri() + " failed: " + error, error));
    }

    /** The connection ended on its own: the failure first, so the Flux errors, not completes. */
    private void end(SourceException error) {
      if (!ended.compareAndSet(false, true)) {
        LOG.debug("{}: after the end of {}", spec.venue(), spec.uri(), error);
        return;
      }
      failure.tryEmitError(error);
      FluxSink<String> sink = receiver.get();
      if (sink != null) {
        sink.complete();
      }
    }

    /**
     * Closes the connection: a close frame after the pending sends, then the socket, at the
     * latest after a grace period.
     */
    void close() {
      boolean first = ended.compareAndSet(false, true);
      WebSocket ws = socket;
      if (ws == null) {
        return;
      }
      if (!first || ws.isOutputClosed()) {
        ws.abort();
        return;
      }
      try {
        Schedulers.boundedElastic().schedule(() -> {
          CompletableFuture<?> closing;
          synchronized (this) {
            closing = sends.handle((r, e) -> null)
                .thenCompose(x -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""));
          }
          closing.orTimeout(CLOSE_GRACE_MS, TimeUnit.MILLISECONDS)
              .whenComplete((r, e) -> ws.abort());
        });
      } catch (RejectedExecutionException e) {
        ws.abort();
      }
    }

    private SourceException openFailure(Throwable error) {
      String message = "cannot open " + spec.uri() + ": " + error;
      if (error instanceof WebSocketHandshakeException h) {
        int status = h.getResponse().statusCode();
        message = "cannot open " + spec.uri() + ": HTTP " + status;
        if (status == 429 || status == 418) {
          return new ThrottledException(spec.venue(), message, null);
        }
      }
      return new TransientSourceException(spec.venue(), message, error);
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
  }
}
