package dev.scanflux.core.alert.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * POSTs with the JDK {@link HttpClient}, asynchronously: no thread waits for an answer. The
 * client runs on a small executor of daemon threads that {@link #close()} shuts down.
 *
 * <p>Every I/O error becomes a transient {@link DeliveryFailure} whose message is the exception's
 * class and its message <em>cleaned by {@code redact}</em>: a URL that holds a token (Telegram's
 * does) never leaves this class in an error.
 */
public final class HttpPoster implements AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport;
  private final UnaryOperator<String> redact;
  private final @Nullable ExecutorService executor;

  /** A poster on its own HttpClient. */
  public HttpPoster(UnaryOperator<String> redact) {
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "scanflux-alert-http-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    HttpClient client = HttpClient.newBuilder()
        .executor(executor)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.transport = request -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    this.redact = Objects.requireNonNull(redact, "redact");
  }

  /** A poster on a given transport, for tests that inject failures. */
  public HttpPoster(Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport,
      UnaryOperator<String> redact) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.redact = Objects.requireNonNull(redact, "redact");
    this.executor = null;
  }

  /**
   * A number of seconds as a destination writes it (Telegram's {@code retry_after}, HTTP's
   * {@code Retry-After}), or null if it is missing, not a whole number or beyond a day.
   */
  public static @Nullable Duration seconds(@Nullable String s) {
    if (s == null) {
      return null;
    }
    try {
      long n = Long.parseLong(s.strip());
      return n >= 0 && n <= 86_400 ? Duration.ofSeconds(n) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * POSTs a JSON body.
   *
   * @return the response, whatever its status; or a transient {@link DeliveryFailure}
   */
  public Mono<HttpResponse<String>> postJson(URI uri, Map<String, String> headers, String body,
      Duration timeout) {
    return Mono.defer(() -> {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri)
          .timeout(timeout)
          .header("Content-Type", "application/json; charset=utf-8")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      headers.forEach(request::header);
      HttpRequest built = request.build();
      return Mono.<HttpResponse<String>>create(sink -> {
        AtomicBoolean cancelled = new AtomicBoolean();
        CompletableFuture<HttpResponse<String>> future = transport.apply(built);
        sink.onCancel(() -> {
          cancelled.set(true);
          future.cancel(true);
        });
        future.whenComplete((response, error) -> {
          if (cancelled.get()) {
            return; // abandoned at shutdown: the cancellation's own error is of no interest
          }
          if (error != null) {
            sink.error(error);
          } else {
            sink.success(response);
          }
        });
      });
    }).onErrorMap(e -> !(e instanceof DeliveryFailure),
        e -> DeliveryFailure.transientFailure(describe(e)));
  }

  /** The exception's class and message, with secrets taken out. */
  String describe(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return redact.apply(t.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message));
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
