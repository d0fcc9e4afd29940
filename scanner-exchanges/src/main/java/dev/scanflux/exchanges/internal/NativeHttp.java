package dev.scanflux.exchanges.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * The asynchronous HTTP client of the native sources: Reactor Netty on a {@link Transport} of
 * the source's own (one event-loop thread, a connection pool), Jackson for the bodies, and the
 * HTTP part of error classification. A request is sent when its {@code Mono} is subscribed, and
 * only then: Reactor Netty's silent re-send after a reset is off, so every request the venue
 * sees is one the scanner counted. Cancelling the {@code Mono} closes the request's connection.
 *
 * <p>Bounded: a body is read only up to {@link SourceSettings#maxResponseBytes()} (a larger one,
 * announced or actually sent, fails as {@link BadDataException} while it is read, and its
 * connection is closed), and a whole call (connecting, sending, reading the whole answer) has
 * {@link SourceSettings#httpTimeout()} as its deadline, which stops a slow or endless body too
 * ({@link TransientSourceException}). Answers and errors arrive on the event loop; nothing here
 * blocks.
 */
public final class NativeHttp implements AutoCloseable {

  /** How much of an error answer's body is read, for its message and throttle text. */
  static final int ERROR_BODY_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern THROTTLE_TEXT = Pattern.compile(
      "too many requests|rate limit|too many visits|access too frequent",
      Pattern.CASE_INSENSITIVE);

  private final SourceSettings settings;
  private final Transport transport;
  private final HttpClient client;

  /**
   * A client on a transport of its own, which {@link #close()} releases.
   *
   * @param settings the venue's settings
   */
  public NativeHttp(SourceSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.transport = new Transport(settings.venue(), "http",
        Math.max(8, 2 * settings.concurrency()));
    this.client = transport.pooled()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
            (int) Math.min(Integer.MAX_VALUE, settings.httpTimeout().toMillis()))
        .headers(h -> h.set(HttpHeaderNames.ACCEPT, "application/json"));
  }

  /** GET {@code pathAndQuery}, answered as JSON. */
  public Mono<JsonNode> get(String what, String pathAndQuery) {
    return send(what, HttpMethod.GET, pathAndQuery, null);
  }

  /** POST a JSON body, answered as JSON. */
  public Mono<JsonNode> post(String what, String path, String json) {
    return send(what, HttpMethod.POST, path, Objects.requireNonNull(json, "json"));
  }

  /**
   * The client's network resources, for a WebSocket client on the same threads
   * ({@code new WsClient(http.transport())}); {@link #close()} releases them.
   */
  public Transport transport() {
    return transport;
  }

  /** The current time on the source's clock. */
  public Instant now() {
    return Instant.ofEpochMilli(settings.clock().now(TimeUnit.MILLISECONDS));
  }

  /** A bad-data failure naming the request. */
  public BadDataException badData(String what, String detail) {
    return new BadDataException(settings.venue(), what + ": " + detail, null);
  }

  /**
   * Releases the threads, the pool and every connection without blocking; requests in flight
   * fail with a {@link TransientSourceException}, and so does every later one.
   */
  @Override
  public void close() {
    transport.close();
  }

  private Mono<JsonNode> send(String what, HttpMethod method, String pathAndQuery,
      @Nullable String json) {
    String venue = settings.venue();
    Duration deadline = settings.httpTimeout();
    return Mono.defer(() -> {
      if (transport.isClosed()) {
        return Mono.error(closed(what));
      }
      String uri = settings.baseUrl() + pathAndQuery;
      // The request's connection, closed if the call ends before its answer was read whole
      // (deadline, cancel, a body cut at its cap): Reactor Netty would otherwise keep reading
      // the abandoned answer, or pool its connection. A call that ended normally left it to
      // the pool already, so it is never closed then.
      AtomicReference<@Nullable Connection> connection = new AtomicReference<>();
      HttpClient c = client.doOnRequest((req, conn) -> connection.set(conn));
      HttpClient.ResponseReceiver<?> sender = json == null
          ? c.request(method).uri(uri)
          : c.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
              .request(method).uri(uri)
              .send((req, out) -> out.sendString(Mono.just(json), StandardCharsets.UTF_8));
      AtomicBoolean abandoned = new AtomicBoolean();
      Runnable abandon = () -> {
        abandoned.set(true);
        Connection open = connection.get();
        if (open != null) {
          open.dispose();
        }
      };
      Mono<JsonNode> exchange = sender
          .response((response, body) -> read(what, response, body, abandon, abandoned))
          .single()
          // Closed once the cancel has gone up the chain: closed first, on the event loop, the
          // connection would complete the body at once, and the partial body would be parsed
          // and fail after the cancel (an error Reactor can only drop and log)
          .doFinally(signal -> {
            if (signal == SignalType.CANCEL) {
              abandon.run();
            }
          })
          .timeout(deadline, Mono.error(() ->
              new TransientSourceException(venue, what + ": no complete answer within "
                  + deadline, null)), Schedulers.parallel());
      return Mono.firstWithSignal(exchange,
          transport.closed().then(Mono.error(() -> closed(what))));
    }).onErrorMap(e -> !(e instanceof SourceException),
        e -> Errors.classify(venue, what, e, now()));
  }

  private TransientSourceException closed(String what) {
    return new TransientSourceException(settings.venue(), what + ": the source was closed", null);
  }

  private Mono<JsonNode> read(String what, HttpClientResponse response, ByteBufFlux body,
      Runnable abandon, AtomicBoolean abandoned) {
    int status = response.status().code();
    String venue = settings.venue();
    @Nullable Duration retryAfter =
        RetryAfter.parse(response.responseHeaders().get("Retry-After"), now());
    if (status >= 400) {
      return Body.read(body, ERROR_BODY_BYTES, null, abandon)
          .filter(b -> !abandoned.get()) // given up: nobody waits for its class
          .map(b -> {
            String text = b.text();
            String message = what + ": HTTP " + status + " " + abbreviate(text);
            if (status == 429 || status == 418 || (status == 403 && retryAfter != null)) {
              throw new ThrottledException(venue, message, retryAfter);
            }
            if (status >= 500 || status == 408) {
              throw new TransientSourceException(venue, message, null);
            }
            throw THROTTLE_TEXT.matcher(text).find()
                ? new ThrottledException(venue, message, retryAfter)
                : new PermanentSourceException(venue, message, null);
          });
    }
    long cap = settings.maxResponseBytes();
    long announced = contentLength(response);
    if (announced > cap) {
      abandon.run();
      return Mono.error(tooLarge(what, "announces " + announced + " bytes"));
    }
    return Body.read(body, (int) cap, () -> tooLarge(what, "exceeds"), abandon)
        .filter(b -> !abandoned.get()) // given up: a partial body is not parsed
        .flatMap(b -> {
          try {
            return Mono.just(b.json());
          } catch (JsonProcessingException e) {
            return Mono.error(new BadDataException(venue, what + ": malformed JSON: "
                + e.getOriginalMessage(), e));
          } catch (IOException e) {
            return Mono.error(new BadDataException(venue, what + ": unreadable body: " + e, e));
          }
        });
  }

  /**
   * Bad data, not a transient failure: a venue that answers a request with more than any real
   * answer of its holds would do so again at once; retrying would only read another cap's worth.
   */
  private BadDataException tooLarge(String what, String how) {
    return new BadDataException(settings.venue(), what + ": the answer " + how
        + " the cap of " + settings.maxResponseBytes() + " bytes (maxResponseBytes)", null);
  }

  private static long contentLength(HttpClientResponse response) {
    String value = response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "..." : body;
  }

  /** A body read into memory, never more than its cap. Confined to the reading thread. */
  static final class Body {

    private final int cap;
    private byte[] bytes = new byte[0];
    private int size;
    private boolean cut;

    private Body(int cap) {
      this.cap = cap;
    }

    /**
     * Reads {@code content} up to {@code cap} bytes: beyond it, the read stops, {@code abandon}
     * closes the connection, and the {@code Mono} fails with {@code tooLarge}'s exception, or,
     * if that is null, completes with the first {@code cap} bytes.
     */
    static Mono<Body> read(ByteBufFlux content, int cap,
        @Nullable Supplier<? extends RuntimeException> tooLarge, Runnable abandon) {
      return Mono.defer(() -> {
        Body body = new Body(cap);
        return content.asByteArray()
            .<byte[]>handle((chunk, sink) -> {
              if (!body.append(chunk)) {
                body.cut = true;
                if (tooLarge == null) {
                  sink.complete();
                } else {
                  sink.error(tooLarge.get());
                }
              }
            })
            .then(Mono.fromSupplier(() -> body))
            // Only once the read ended: closing first would complete the body, a short read.
            .doFinally(signal -> {
              if (body.cut) {
                abandon.run();
              }
            });
      });
    }

    /** Appends what fits; false if {@code chunk} did not fit whole. */
    private boolean append(byte[] chunk) {
      int room = cap - size;
      int n = Math.min(room, chunk.length);
      if (size + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min(cap,
            Math.max((long) size + n, Math.max(8192L, 2L * bytes.length))));
      }
      System.arraycopy(chunk, 0, bytes, size, n);
      size += n;
      return n == chunk.length;
    }

    String text() {
      return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return MAPPER.readTree(bytes, 0, size);
    }
  }
}
