package dev.scanflux.exchanges.internal.stream;

import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.RetryAfter;
import dev.scanflux.exchanges.internal.Transport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * WebSocket connections as {@code Flux}es, on Reactor Netty's WebSocket client over a
 * {@link Transport}: nothing here blocks a thread.
 *
 * <pre>{@code
 * Flux<StreamEvent> events = ws.connect(WsSpec.of("okx", uri).heartbeat(25s, "ping", "pong"),
 *     session -> session.send(subscribeFrames)
 *         .thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
 *             session.receive().concatMap(this::events))));
 * }</pre>
 *
 * <p>Each subscription opens one connection of its own (no pool); once it is open the handler
 * is called with its {@link WsSession} and the handler's publisher is what the Flux emits. The
 * Flux errors with a {@link SourceException} when the connection cannot be opened within
 * {@link WsSpec#connectTimeout()} (a {@link ThrottledException} for an HTTP 429 or 418 answer to
 * the upgrade, with its {@code Retry-After}, else a {@link TransientSourceException}), when the
 * venue closes it or it fails ({@link TransientSourceException}), when a message or a single
 * frame exceeds {@link WsSpec#maxMessageChars()} ({@link BadDataException}; the connection is
 * closed, and at most that much was held in memory), or when the client is closed
 * ({@link TransientSourceException}); it never completes while the connection is open, even if
 * the handler's publisher does; a failed send also ends it. Cancelling closes the connection.
 *
 * <p>WebSocket pings are answered by the transport; the venue's application-level heartbeat is
 * {@link WsSpec#heartbeat}. Signals arrive on the transport's event-loop threads, or on a
 * {@code parallel} thread for the timers (heartbeat, opening deadline).
 */
public final class WsClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WsClient.class);

  private final Transport transport;
  private final boolean owned;

  /**
   * A client on a shared transport, e.g. the venue's HTTP client's
   * ({@code NativeHttp.transport()}), which {@link #close()} leaves alone.
   *
   * @param transport the resources the connections run on
   */
  public WsClient(Transport transport) {
    this(Objects.requireNonNull(transport, "transport"), false);
  }

  private WsClient(Transport transport, boolean owned) {
    this.transport = transport;
    this.owned = owned;
  }

  /**
   * A client with a transport of its own (one event-loop thread named
   * {@code scanflux-<venue>-ws-nio-<n>}, started by the first connection), for a stream that has
   * no HTTP client to share; {@link #close()} releases it.
   *
   * @param venue the venue's name, for the threads' names
   */
  public static WsClient ownThreads(String venue) {
    Objects.requireNonNull(venue, "venue");
    return new WsClient(new Transport(venue, "ws", 1), true);
  }

  /**
   * Releases the client's own transport, if it has one ({@link #ownThreads}), without blocking:
   * connections still open or opening fail with a {@link TransientSourceException} and their
   * sockets and threads are released. A client on a shared transport is left as it is.
   */
  @Override
  public void close() {
    if (owned) {
      transport.close();
    }
  }

  /**
   * Opens one connection per subscription and emits what {@code handler} makes of it.
   *
   * @param spec    where and how
   * @param handler called once the connection is open, on an event-loop thread
   * @return the handler's signals; errors when the connection ends, see the class description
   */
  public <T> Flux<T> connect(WsSpec spec,
      Function<? super WsSession, ? extends Publisher<T>> handler) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(handler, "handler");
    return Flux.defer(() -> {
      if (transport.isClosed()) {
        return Flux.error(closed(spec));
      }
      AtomicBoolean opened = new AtomicBoolean();
      FrameErrors frameErrors = new FrameErrors(spec);
      Flux<T> connection = transport.unpooled()
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis(spec.connectTimeout()))
          .doOnConnected(c -> c.addHandlerLast("scanflux-frame-errors", frameErrors))
          .websocket(WebsocketClientSpec.builder()
              .maxFramePayloadLength(spec.maxMessageChars())
              .compress(false)
              .build())
          .uri(spec.uri())
          .handle((in, out) -> {
            opened.set(true);
            Session session = new Session(spec, in, out);
            frameErrors.watch(session);
            return Flux.merge(Flux.from(handler.apply(session)), session.failure(),
                session.heartbeat());
          })
          // The handler's own errors pass as they are; the transport's are classified.
          .onErrorMap(e -> !opened.get() ? !(e instanceof SourceException) : isTransport(e),
              e -> frameErrors.first() != null ? frameErrors.first()
                  : opened.get() ? connectionFailure(spec, e) : openFailure(spec, e));
      Mono<T> openDeadline = Mono.delay(spec.connectTimeout())
          .filter(tick -> !opened.get())
          .flatMap(tick -> Mono.error(new TransientSourceException(spec.venue(), "cannot open "
              + spec.shown() + ": not open within " + spec.connectTimeout(), null)));
      Mono<T> clientClosed = transport.closed().then(Mono.error(() -> closed(spec)));
      return Flux.merge(connection, openDeadline, clientClosed);
    });
  }

  /** Opens one connection per subscription, sends {@code frames}, then emits the messages. */
  public Flux<String> connect(WsSpec spec, List<String> frames) {
    List<String> copy = List.copyOf(frames);
    return connect(spec, session -> session.send(copy).thenMany(session.receive()));
  }

  /** One open connection: the session, its messages and the end of the connection. */
  private static final class Session implements WsSession {

    private final WsSpec spec;
    private final WebsocketInbound in;
    private final WebsocketOutbound out;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean receiving = new AtomicBoolean();
    private final Sinks.Empty<Void> end = Sinks.empty();

    Session(WsSpec spec, WebsocketInbound in, WebsocketOutbound out) {
      this.spec = spec;
      this.in = in;
      this.out = out;
      in.receiveCloseStatus().subscribe(status -> end(new TransientSourceException(
          spec.venue(), spec.shown() + " closed by the venue: " + status.code()
          + (status.reasonText().isEmpty() ? "" : " " + status.reasonText()), null)),
          e -> end(connectionFailure(spec, e)));
      in.withConnection(c -> c.onDispose(this::endIfClosed));
      // Already closed while the handler was being called: the close is not missed either way.
      endIfClosed();
    }

    /**
     * Ends the session as closed if its channel is no longer active. Netty's frame decoder closes
     * the connection before it raises the frame error that made it close: that error, if any,
     * comes later in the same event-loop task, so the check runs as a task of its own after it.
     */
    void endIfClosed() {
      if (ended.get()) {
        return;
      }
      in.withConnection(c -> {
        Runnable check = () -> {
          if (!c.channel().isActive()) {
            end(new TransientSourceException(spec.venue(), spec.shown() + " closed", null));
          }
        };
        try {
          c.channel().eventLoop().execute(check);
        } catch (RejectedExecutionException shutDown) {
          end(new TransientSourceException(spec.venue(), spec.shown() + " closed", null));
        }
      });
    }

    /** Never completes; errors when the connection ends on its own. */
    <T> Mono<T> failure() {
      return end.asMono().then(Mono.never());
    }

    /** Sends the heartbeat while the connection is open; never completes. */
    <T> Flux<T> heartbeat() {
      Duration every = spec.pingEvery();
      if (every == null) {
        return Flux.never();
      }
      // A tick while the previous ping is still being sent is skipped, not an overflow error.
      // Each tick also checks that the channel is still open, whether or not its ping is sent:
      // a close whose notice was missed, or a send stuck on it, still ends the session.
      return Flux.interval(every, every)
          .doOnNext(tick -> endIfClosed())
          .onBackpressureDrop()
          .concatMap(tick -> send(spec.ping()))
          .thenMany(Flux.never());
    }

    @Override
    public Flux<String> receive() {
      return Flux.defer(() -> {
        if (!receiving.compareAndSet(false, true)) {
          return Flux.error(new IllegalStateException("receive() allows one subscriber"));
        }
        if (ended.get()) {
          return Flux.empty();
        }
        Message message = new Message(spec);
        Flux<String> messages = in.receiveFrames().<String>handle((frame, sink) -> {
          BadDataException tooLarge = message.add(frame, sink);
          if (tooLarge != null) {
            end(tooLarge); // before the error closes the connection, which would end it too
            sink.error(tooLarge);
          }
        });
        if (spec.pingEvery() != null) {
          messages = messages.filter(m -> !m.equals(spec.pong()));
        }
        return messages
            .takeUntilOther(end.asMono().onErrorResume(e -> Mono.empty())
                .then(Mono.just(true)))
            .onErrorResume(e -> {
              end(e instanceof SourceException s ? s : connectionFailure(spec, e));
              return Mono.empty();
            });
      });
    }

    @Override
    public Mono<Void> send(String frame) {
      Objects.requireNonNull(frame, "frame");
      return Mono.defer(() -> ended.get()
              ? Mono.error(new IllegalStateException("the connection ended"))
              : out.sendObject(Mono.just(new TextWebSocketFrame(frame))).then())
          // A write the transport never completes (e.g. on a channel closed under it) must not
          // stall the sends queued behind it forever: it fails the session after a deadline.
          .timeout(spec.connectTimeout(), Mono.defer(() -> Mono.error(new IOException(
              "not sent within " + spec.connectTimeout()))), Schedulers.parallel())
          .onErrorMap(e -> {
            SourceException failed = new TransientSourceException(spec.venue(),
                "cannot send on " + spec.shown() + ": " + e, e);
            end(failed);
            return failed;
          });
    }

    /** The connection ended: the failure first, so the Flux errors, not completes. */
    private void end(SourceException error) {
      if (!ended.compareAndSet(false, true)) {
        LOG.debug("{}: after the end of {}", spec.venue(), spec.shown(), error);
        return;
      }
      end.tryEmitError(error);
      if (error instanceof BadDataException) {
        in.withConnection(c -> c.dispose());
      }
    }
  }

  /**
   * Sees the frame decoder's refusal of a frame over the cap (or a corrupt one) before the
   * close it starts, even one that came with the opening handshake's answer, so that the
   * connection ends as bad data rather than as closed.
   */
  private static final class FrameErrors extends ChannelInboundHandlerAdapter {

    private final WsSpec spec;
    private final AtomicReference<@Nullable SourceException> first = new AtomicReference<>();
    private final AtomicReference<@Nullable Session> session = new AtomicReference<>();

    FrameErrors(WsSpec spec) {
      this.spec = spec;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (isFrameError(cause)) {
        first.compareAndSet(null, connectionFailure(spec, cause));
        endSession();
      }
      ctx.fireExceptionCaught(cause);
    }

    /** Ends {@code s} with the frame error seen before it opened, if there was one. */
    void watch(Session s) {
      session.set(s);
      endSession();
    }

    @Nullable SourceException first() {
      return first.get();
    }

    private void endSession() {
      Session s = session.get();
      SourceException error = first.get();
      if (s != null && error != null) {
        s.end(error);
      }
    }
  }

  /**
   * One message reassembled from its frames, never more than {@link WsSpec#maxMessageChars()}
   * bytes; binary messages are counted against the cap, then decoded by the spec's
   * {@link WsSpec#binary() decoder} or, without one, dropped. Confined to the reading thread.
   */
  private static final class Message {

    private final WsSpec spec;
    private byte[] bytes = new byte[0];
    private int size;
    private boolean binary;

    Message(WsSpec spec) {
      this.spec = spec;
    }

    /** Adds a frame, emitting the message it ends; the failure if it makes one too large. */
    @Nullable BadDataException add(WebSocketFrame frame, SynchronousSink<String> sink) {
      if (frame instanceof TextWebSocketFrame) {
        binary = false;
        size = 0;
      } else if (frame instanceof BinaryWebSocketFrame) {
        binary = true;
        size = 0;
      } else if (!(frame instanceof ContinuationWebSocketFrame)) {
        return null; // ping, pong, close: the transport's
      }
      int n = frame.content().readableBytes();
      if ((long) size + n > spec.maxMessageChars()) {
        return new BadDataException(spec.venue(), "a message from " + spec.shown()
            + " exceeds " + spec.maxMessageChars() + " bytes (maxMessageChars)", null);
      }
      if (binary && spec.binary() == null) {
        size += n;
        if (frame.isFinalFragment()) {
          LOG.debug("{}: ignored a binary message of {} bytes", spec.venue(), size);
          size = 0;
        }
        return null;
      }
      if (size + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.min(spec.maxMessageChars(),
            Math.max(size + n, Math.max(4096, 2 * bytes.length))));
      }
      frame.content().getBytes(frame.content().readerIndex(), bytes, size, n);
      size += n;
      if (frame.isFinalFragment()) {
        String text;
        if (binary) {
          try {
            text = Objects.requireNonNull(spec.binary()).decode(bytes, size,
                spec.maxMessageChars());
          } catch (IOException | RuntimeException e) {
            return new BadDataException(spec.venue(), "a binary message from " + spec.shown()
                + " cannot be decoded: " + e.getMessage(), e);
          }
        } else {
          text = new String(bytes, 0, size, StandardCharsets.UTF_8);
        }
        size = 0;
        if (bytes.length > 64 * 1024) {
          bytes = new byte[0]; // a large message's buffer is not kept for the small ones
        }
        sink.next(text);
      }
      return null;
    }
  }

  private static TransientSourceException closed(WsSpec spec) {
    return new TransientSourceException(spec.venue(), "cannot use " + spec.shown()
        + ": the client was closed", null);
  }

  /** A failure of an open connection: a frame over the cap is bad data, the rest transient. */
  private static SourceException connectionFailure(WsSpec spec, Throwable e) {
    if (isFrameError(e)) {
      return new BadDataException(spec.venue(), spec.shown() + " sent an invalid or too large"
          + " frame (maxMessageChars " + spec.maxMessageChars() + "): " + e.getMessage(), e);
    }
    return new TransientSourceException(spec.venue(), spec.shown() + " failed: " + e, e);
  }

  private static SourceException openFailure(WsSpec spec, Throwable error) {
    String message = "cannot open " + spec.shown() + ": " + error;
    for (Throwable c = error; c != null; c = c.getCause()) {
      if (c instanceof WebSocketClientHandshakeException h && h.response() != null) {
        HttpResponse response = h.response();
        int status = response.status().code();
        message = "cannot open " + spec.shown() + ": HTTP " + status;
        if (status == 429 || status == 418) {
          Instant now = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
          return new ThrottledException(spec.venue(), message,
              RetryAfter.parse(response.headers().get("Retry-After"), now));
        }
        break;
      }
    }
    return new TransientSourceException(spec.venue(), message, error);
  }

  private static boolean isFrameError(Throwable e) {
    return has(e, TooLongFrameException.class) || has(e, CorruptedFrameException.class);
  }

  private static boolean isTransport(Throwable e) {
    String type = e.getClass().getName();
    return e instanceof IOException || type.startsWith("io.netty.")
        || type.startsWith("reactor.netty.");
  }

  private static boolean has(Throwable error, Class<? extends Throwable> type) {
    int depth = 0;
    for (Throwable c = error; c != null && depth < 12; c = c.getCause(), depth++) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
