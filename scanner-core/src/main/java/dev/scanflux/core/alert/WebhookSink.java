package dev.scanflux.core.alert;

import dev.scanflux.core.alert.internal.DeliveryFailure;
import dev.scanflux.core.alert.internal.HttpPoster;
import dev.scanflux.core.alert.internal.Outbox;
import dev.scanflux.core.alert.internal.WireJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * POSTs each alert event as JSON to a URL: the body is schema version
 * {@value dev.scanflux.core.alert.internal.WireJson#WEBHOOK_VERSION} (see docs/alerts.md), with
 * these headers:
 * <ul>
 *   <li>{@value #IDEMPOTENCY_HEADER}: the {@linkplain AlertEvent#id() event's id}, the same on
 *       every retry, so a receiver can drop a duplicate;
 *   <li>{@value #EVENT_HEADER}: {@code opened}, {@code updated} or {@code closed};
 *   <li>{@value #SIGNATURE_HEADER}: when a secret is set, {@code sha256=} and the lower-case hex
 *       HMAC-SHA256 of the exact body bytes with the secret as key.
 * </ul>
 *
 * <pre>{@code
 * AlertSink hook = WebhookSink.builder(URI.create("https://example.com/hooks/scanflux"))
 *     .secret(Secret.fromEnv(System.getenv(), "SCANFLUX_WEBHOOK_SECRET").orElseThrow())
 *     .build();
 * }</pre>
 *
 * <p>A 2xx answer is delivered; 429 is retried after its {@code Retry-After} seconds; 408, 425
 * and 5xx and I/O errors are retried with backoff; any other status is rejected and counted.
 * One bounded outbox, delivered in order. The URL (which may itself hold a token) and the secret
 * never appear in this sink's name, stats, logs or errors.
 */
public final class WebhookSink implements AlertSink {

  /** The header holding the event id. */
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  /** The header holding the event type. */
  public static final String EVENT_HEADER = "X-Scanflux-Event";
  /** The header holding the body's signature. */
  public static final String SIGNATURE_HEADER = "X-Scanflux-Signature";

  private final URI url;
  private final @Nullable Secret secret;
  private final Set<AlertEvent.Type> types;
  private final DeliveryConfig delivery;
  private final HttpPoster http;
  private final Outbox<AlertEvent> outbox;

  private WebhookSink(Builder b, HttpPoster http) {
    this.url = b.url;
    this.secret = b.secret;
    this.types = Set.copyOf(b.types);
    this.delivery = b.delivery;
    this.http = http;
    Scheduler scheduler = b.scheduler == null ? Schedulers.parallel() : b.scheduler;
    this.outbox = new Outbox<>("webhook " + url.getHost(), delivery, scheduler, this::send,
        text -> redact(url, secret, text));
  }

  /**
   * A builder for a URL.
   *
   * @param url an http or https URL
   * @return a builder with no secret, {@code OPENED}, {@code UPDATED} and {@code CLOSED}
   *     events, and {@link DeliveryConfig#ofDefaults()}
   * @throws IllegalArgumentException if the URL is not http or https (the message does not show
   *     its path, which may hold a token)
   */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /**
   * The signature header's value for a body: {@code sha256=} and the hex HMAC-SHA256.
   *
   * @param secret the shared secret
   * @param body   the exact body
   * @return e.g. {@code sha256=5d41…}
   */
  public static String signature(Secret secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8),
          "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(
          mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", null);
    }
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public void offer(AlertEvent event) {
    if (types.contains(event.type())) {
      outbox.offer(event);
    }
  }

  @Override
  public SinkStats stats() {
    long[] c = outbox.counts();
    return new SinkStats(name(), c[0], c[1], c[2], c[3], c[4], c[5], c[6], outbox.lastError());
  }

  @Override
  public Mono<Void> close(Duration timeout) {
    return outbox.close(timeout).doFinally(s -> http.close());
  }

  private Mono<Void> send(AlertEvent e) {
    String body = WireJson.webhook(e);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(IDEMPOTENCY_HEADER, e.id());
    headers.put(EVENT_HEADER, e.type().name().toLowerCase(Locale.ROOT));
    if (secret != null) {
      headers.put(SIGNATURE_HEADER, signature(secret, body));
    }
    return http.postJson(url, headers, body, delivery.requestTimeout()).flatMap(this::answer);
  }

  private Mono<Void> answer(HttpResponse<String> r) {
    int status = r.statusCode();
    String what = "HTTP " + status;
    if (status >= 200 && status < 300) {
      return Mono.empty();
    }
    if (status == 429) {
      Duration after = r.headers().firstValue("Retry-After").map(HttpPoster::seconds)
          .orElse(null);
      return Mono.error(DeliveryFailure.throttled(what, after));
    }
    if (status == 408 || status == 425 || status >= 500) {
      return Mono.error(DeliveryFailure.transientFailure(what));
    }
    return Mono.error(DeliveryFailure.rejected(what));
  }

  private static String redact(URI url, @Nullable Secret secret, String text) {
    String out = text.replace(url.toString(), "<webhook URL>");
    String path = url.getRawPath();
    if (path != null && path.length() > 1) {
      out = out.replace(path, "/<path>");
    }
    return secret == null ? out : secret.redact(out);
  }

  @Override
  public String toString() {
    return "WebhookSink{" + url.getHost() + (secret == null ? "" : ", signed") + ", events "
        + types + '}';
  }

  /** Configures a {@link WebhookSink}; not thread-safe. */
  public static final class Builder {
    private final URI url;
    private @Nullable Secret secret;
    private Set<AlertEvent.Type> types = Arguments.types(AlertEvent.Type.OPENED,
        AlertEvent.Type.UPDATED, AlertEvent.Type.CLOSED);
    private DeliveryConfig delivery = DeliveryConfig.ofDefaults();
    private @Nullable Scheduler scheduler;
    private @Nullable Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport;

    private Builder(URI url) {
      Objects.requireNonNull(url, "url");
      if (!Arguments.isHttp(url)) {
        throw new IllegalArgumentException("url must be an http or https URL with a host");
      }
      this.url = url;
    }

    /** Signs every body with this secret (default: no signature). */
    public Builder secret(Secret secret) {
      this.secret = Objects.requireNonNull(secret, "secret");
      return this;
    }

    /**
     * The event types sent (default {@code OPENED}, {@code UPDATED} and {@code CLOSED}).
     *
     * @throws IllegalArgumentException if none is given
     */
    public Builder types(AlertEvent.Type... types) {
      this.types = Arguments.types(types);
      return this;
    }

    /** Outbox, retries, timeout and spacing (default {@link DeliveryConfig#ofDefaults()}). */
    public Builder delivery(DeliveryConfig delivery) {
      this.delivery = Objects.requireNonNull(delivery, "delivery");
      return this;
    }

    /** The scheduler of retries and spacing (default {@link Schedulers#parallel()}). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Replaces the HTTP transport; for tests that inject failures. Not part of the API. */
    Builder transport(Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** Builds the sink. */
    public WebhookSink build() {
      Secret s = secret;
      HttpPoster http = transport == null ? new HttpPoster(t -> redact(url, s, t))
          : new HttpPoster(transport, t -> redact(url, s, t));
      return new WebhookSink(this, http);
    }
  }
}
