package dev.scanflux.exchanges.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The asynchronous HTTP client of the native sources: the JDK {@code HttpClient} on two threads
 * of the source's own, Jackson for the bodies, and the HTTP part of error classification. A
 * request is sent when its {@code Mono} is subscribed; cancelling the {@code Mono} cancels the
 * exchange's future.
 */
public final class NativeHttp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NativeHttp.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern THROTTLE_TEXT = Pattern.compile(
      "too many requests|rate limit|too many visits|access too frequent",
      Pattern.CASE_INSENSITIVE);

  private final SourceSettings settings;
  private final ExecutorService executor;
  private final HttpClient client;

  /** @param settings the venue's settings */
  public NativeHttp(SourceSettings settings) {
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "scanflux-" + settings.venue() + "-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder().executor(executor)
        .connectTimeout(settings.httpTimeout()).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** GET {@code pathAndQuery}, answered as JSON. */
  public Mono<JsonNode> get(String what, String pathAndQuery) {
    return send(what, HttpRequest.newBuilder(uri(pathAndQuery)).GET());
  }

  /** POST a JSON body, answered as JSON. */
  public Mono<JsonNode> post(String what, String path, String json) {
    return send(what, HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** The JDK client, for WebSocket connections on the same threads. */
  public HttpClient client() {
    return client;
  }

  /** The current time on the source's clock. */
  public Instant now() {
    return Instant.ofEpochMilli(settings.clock().now(TimeUnit.MILLISECONDS));
  }

  /** A bad-data failure naming the request. */
  public BadDataException badData(String what, String detail) {
    return new BadDataException(settings.venue(), what + ": " + detail, null);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private URI uri(String pathAndQuery) {
    return URI.create(settings.baseUrl() + pathAndQuery);
  }

  private Mono<JsonNode> send(String what, HttpRequest.Builder request) {
    HttpRequest r = request.timeout(settings.httpTimeout()).header("Accept", "application/json")
        .build();
    return Mono.<HttpResponse<String>>create(sink -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      CompletableFuture<HttpResponse<String>> call =
          client.sendAsync(r, HttpResponse.BodyHandlers.ofString());
      sink.onCancel(() -> {
        cancelled.set(true);
        call.cancel(true);
      });
      call.whenComplete((response, error) -> {
        if (error == null) {
          sink.success(response);
        } else if (cancelled.get()) {
          // Nobody waits for it any more: not an error worth Reactor's dropped-error hook.
          LOG.debug("{}: {} ended after it was cancelled", settings.venue(), what, error);
        } else {
          sink.error(error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error);
        }
      });
    })
        .onErrorMap(e -> !(e instanceof SourceException),
            e -> Errors.classify(settings.venue(), what, e, now()))
        .flatMap(response -> read(what, response));
  }

  private Mono<JsonNode> read(String what, HttpResponse<String> response) {
    int status = response.statusCode();
    String body = response.body() == null ? "" : response.body();
    String venue = settings.venue();
    String message = what + ": HTTP " + status + " " + abbreviate(body);
    @Nullable Duration retryAfter =
        RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), now());
    if (status == 429 || status == 418 || (status == 403 && retryAfter != null)) {
      return Mono.error(new ThrottledException(venue, message, retryAfter));
    }
    if (status >= 500 || status == 408) {
      return Mono.error(new TransientSourceException(venue, message, null));
    }
    if (status >= 400) {
      return Mono.error(THROTTLE_TEXT.matcher(body).find()
          ? new ThrottledException(venue, message, retryAfter)
          : new PermanentSourceException(venue, message, null));
    }
    try {
      return Mono.just(MAPPER.readTree(body));
    } catch (JsonProcessingException e) {
      return Mono.error(new BadDataException(venue, what + ": malformed JSON: "
          + e.getOriginalMessage(), e));
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "..." : body;
  }
}
