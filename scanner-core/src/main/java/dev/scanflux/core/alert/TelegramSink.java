package dev.scanflux.core.alert;

import dev.scanflux.core.alert.internal.DeliveryFailure;
import dev.scanflux.core.alert.internal.HttpPoster;
import dev.scanflux.core.alert.internal.Outbox;
import dev.scanflux.core.alert.internal.WireJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends alerts to one or more Telegram chats with the Bot API's {@code sendMessage}
 * ({@code POST <api>/bot<token>/sendMessage}), as plain text ({@link AlertText#message}).
 *
 * <pre>{@code
 * AlertSink telegram = TelegramSink.builder(
 *         Secret.fromEnv(System.getenv(), "SCANFLUX_TELEGRAM_TOKEN").orElseThrow())
 *     .chat("-1001234567890")          // a group, a channel or a user; repeatable
 *     .build();
 * }</pre>
 *
 * <p>Each chat has its own bounded outbox, delivered in order, at most one message per
 * {@linkplain DeliveryConfig#spacing() spacing} (default here 1 s, Telegram's advice for one
 * chat). Telegram's answers: {@code 200 ok} is delivered; {@code 429} is retried after its
 * {@code parameters.retry_after} seconds; {@code 400} (e.g. "chat not found"), {@code 401},
 * {@code 403} and {@code 404} are rejected and counted, never retried; other failures are
 * retried with backoff. Messages longer than Telegram's 4,096 characters are cut.
 *
 * <p>The token is part of the URL. It never appears in this sink's name, stats, logs or errors:
 * every error text is {@linkplain Secret#redact redacted} first.
 */
public final class TelegramSink implements AlertSink {

  /** Telegram's Bot API. */
  public static final URI DEFAULT_API = URI.create("https://api.telegram.org");
  /** Telegram's longest message. */
  public static final int MAX_MESSAGE = 4096;

  private static final Set<String> ANSWER_FIELDS = Set.of("ok", "description", "retry_after");

  private final Secret token;
  private final URI endpoint;
  private final Set<AlertEvent.Type> types;
  private final DeliveryConfig delivery;
  private final HttpPoster http;
  private final Map<String, Outbox<AlertEvent>> chats = new LinkedHashMap<>();

  private TelegramSink(Builder b, HttpPoster http) {
    this.token = b.token;
    this.types = Set.copyOf(b.types);
    this.delivery = b.delivery;
    this.http = http;
    String api = b.api.toString().replaceAll("/+$", "");
    this.endpoint = URI.create(api + "/bot" + token.reveal() + "/sendMessage");
    Scheduler scheduler = b.scheduler == null ? Schedulers.parallel() : b.scheduler;
    for (String chat : b.chats) {
      chats.put(chat, new Outbox<>("telegram chat " + chat, delivery, scheduler,
          e -> send(chat, e), token::redact));
    }
  }

  /**
   * A builder for a bot.
   *
   * @param token the bot's token from BotFather, e.g. from {@code SCANFLUX_TELEGRAM_TOKEN}
   * @return a builder with no chats, Telegram's API, {@code OPENED} and {@code CLOSED} events,
   *     and {@link DeliveryConfig#ofDefaults()} with a spacing of 1 s
   */
  public static Builder builder(Secret token) {
    return new Builder(Objects.requireNonNull(token, "token"));
  }

  @Override
  public String name() {
    return "telegram";
  }

  @Override
  public void offer(AlertEvent event) {
    if (types.contains(event.type())) {
      for (Outbox<AlertEvent> o : chats.values()) {
        o.offer(event);
      }
    }
  }

  @Override
  public SinkStats stats() {
    long[] sum = new long[7];
    String last = "";
    for (Outbox<AlertEvent> o : chats.values()) {
      long[] c = o.counts();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += c[i];
      }
      if (!o.lastError().isEmpty()) {
        last = o.lastError();
      }
    }
    return new SinkStats(name(), sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], last);
  }

  @Override
  public Mono<Void> close(Duration timeout) {
    List<Mono<Void>> all = new ArrayList<>();
    for (Outbox<AlertEvent> o : chats.values()) {
      all.add(o.close(timeout));
    }
    return Mono.when(all).doFinally(s -> http.close());
  }

  private Mono<Void> send(String chat, AlertEvent e) {
    String text = AlertText.message(e);
    if (text.length() > MAX_MESSAGE) {
      text = text.substring(0, MAX_MESSAGE - 1) + "…";
    }
    return http.postJson(endpoint, Map.of(), WireJson.telegramMessage(chat, text),
            delivery.requestTimeout())
        .flatMap(r -> answer(chat, r));
  }

  private Mono<Void> answer(String chat, HttpResponse<String> r) {
    int status = r.statusCode();
    Map<String, String> f = WireJson.fields(r.body(), ANSWER_FIELDS);
    String what = "chat " + chat + ": HTTP " + status
        + (f.containsKey("description") ? ": " + f.get("description") : "");
    if (status == 200 && "true".equals(f.get("ok"))) {
      return Mono.empty();
    }
    if (status == 429) {
      return Mono.error(DeliveryFailure.throttled(what,
          HttpPoster.seconds(f.get("retry_after"))));
    }
    if (status == 400 || status == 401 || status == 403 || status == 404) {
      return Mono.error(DeliveryFailure.rejected(what));
    }
    return Mono.error(DeliveryFailure.transientFailure(what));
  }

  @Override
  public String toString() {
    return "TelegramSink{" + chats.size() + " chats, events " + types + '}';
  }

  /** Configures a {@link TelegramSink}; not thread-safe. */
  public static final class Builder {
    private final Secret token;
    private final List<String> chats = new ArrayList<>();
    private URI api = DEFAULT_API;
    private Set<AlertEvent.Type> types = Arguments.types(AlertEvent.Type.OPENED,
        AlertEvent.Type.CLOSED);
    private DeliveryConfig delivery = DeliveryConfig.custom().spacing(Duration.ofSeconds(1))
        .build();
    private @Nullable Scheduler scheduler;
    private @Nullable Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport;

    private Builder(Secret token) {
      this.token = token;
    }

    /**
     * Adds a chat: a numeric id (a user, or a group or channel, negative, e.g.
     * {@code -1001234567890}) or a public channel's {@code @name}.
     *
     * @throws IllegalArgumentException if it is neither
     */
    public Builder chat(String chat) {
      Objects.requireNonNull(chat, "chat");
      String c = chat.strip();
      if (!c.matches("-?\\d{1,20}") && !c.matches("@[A-Za-z][A-Za-z0-9_]{3,31}")) {
        throw new IllegalArgumentException("chat must be a numeric chat id such as "
            + "-1001234567890 or a channel such as @my_channel but was '" + chat + "'");
      }
      if (!chats.contains(c)) {
        chats.add(c);
      }
      return this;
    }

    /**
     * The Bot API's base URL (default {@link #DEFAULT_API}); another for a proxy or a test.
     *
     * @throws IllegalArgumentException if it is not http or https
     */
    public Builder api(URI api) {
      Objects.requireNonNull(api, "api");
      if (!Arguments.isHttp(api)) {
        throw new IllegalArgumentException("api must be an http or https URL but was " + api);
      }
      this.api = api;
      return this;
    }

    /**
     * The event types sent (default {@code OPENED} and {@code CLOSED}).
     *
     * @throws IllegalArgumentException if none is given
     */
    public Builder types(AlertEvent.Type... types) {
      this.types = Arguments.types(types);
      return this;
    }

    /** Outbox, retries, timeout and spacing (default: the defaults with a 1 s spacing). */
    public Builder delivery(DeliveryConfig delivery) {
      this.delivery = Objects.requireNonNull(delivery, "delivery");
      return this;
    }

    /** The scheduler of retries and spacing (default {@link Schedulers#parallel()}). */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Replaces the HTTP transport; for tests that inject failures. Not part of the API.
     *
     * @param transport sends a request
     * @return this builder
     */
    Builder transport(Function<HttpRequest, CompletableFuture<HttpResponse<String>>> transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Builds the sink.
     *
     * @throws IllegalStateException if no chat was given
     */
    public TelegramSink build() {
      if (chats.isEmpty()) {
        throw new IllegalStateException("a Telegram sink needs at least one chat");
      }
      HttpPoster http = transport == null ? new HttpPoster(token::redact)
          : new HttpPoster(transport, token::redact);
      return new TelegramSink(this, http);
    }
  }
}
