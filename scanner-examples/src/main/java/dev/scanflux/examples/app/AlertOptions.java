package dev.scanflux.examples.app;

import dev.scanflux.core.alert.AlertConfig;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.alert.ConsoleSink;
import dev.scanflux.core.alert.Secret;
import dev.scanflux.core.alert.TelegramSink;
import dev.scanflux.core.alert.WebhookSink;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import reactor.core.scheduler.Scheduler;

/**
 * The app's alert flags (a picocli mixin of {@link ScanfluxCommand}) and the {@link Alerts} they
 * build. Secrets come from the environment (or a file named there), never from a flag.
 */
final class AlertOptions {

  /** The bot token's variable. */
  static final String TOKEN_ENV = "SCANFLUX_TELEGRAM_TOKEN";
  /** The webhook secret's variable. */
  static final String SECRET_ENV = "SCANFLUX_WEBHOOK_SECRET";

  private static final Duration FLUSH = Duration.ofSeconds(20);

  @Option(names = "--telegram-chat", paramLabel = "ID",
      description = "Send alerts to this Telegram chat (repeatable): a numeric id or @channel. "
          + "The bot token comes from " + TOKEN_ENV + " (or a file named by " + TOKEN_ENV
          + "_FILE), never from the command line.")
  List<String> telegramChats = new ArrayList<>();

  @Option(names = "--telegram-api", paramLabel = "URL", defaultValue = "https://api.telegram.org",
      description = "The Telegram Bot API's base URL, for a proxy or a test "
          + "(default: ${DEFAULT-VALUE}).")
  String telegramApi = "https://api.telegram.org";

  @Option(names = "--webhook", paramLabel = "URL",
      description = "POST every alert event as JSON to URL; signed with HMAC-SHA256 when "
          + SECRET_ENV + " (or " + SECRET_ENV + "_FILE) is set.")
  @Nullable String webhook;

  @Option(names = "--cooldown", paramLabel = "DURATION", defaultValue = "5m",
      converter = Durations.class, description = "After an alert closes, the same alert is "
      + "suppressed for this long (default: ${DEFAULT-VALUE}).")
  Duration cooldown = Duration.ofMinutes(5);

  @Option(names = "--min-lifetime", paramLabel = "DURATION", defaultValue = "20s",
      converter = Durations.class, description = "A condition must hold this long before it "
      + "alerts (default: ${DEFAULT-VALUE}).")
  Duration minLifetime = Duration.ofSeconds(20);

  /** Checks the flags and that the secrets they need are there; returns an error or null. */
  @Nullable String problem(Map<String, String> env) {
    for (String chat : telegramChats) {
      try {
        TelegramSink.builder(Secret.of("check")).chat(chat);
      } catch (IllegalArgumentException e) {
        return "--telegram-chat: " + e.getMessage();
      }
    }
    try {
      if (!telegramChats.isEmpty() && secret(env, TOKEN_ENV).isEmpty()) {
        return "--telegram-chat needs the bot token in " + TOKEN_ENV + " (or a file named by "
            + TOKEN_ENV + "_FILE)";
      }
      secret(env, SECRET_ENV);
    } catch (UncheckedIOException | IllegalArgumentException e) {
      return e.getMessage();
    }
    try {
      TelegramSink.builder(Secret.of("check")).api(URI.create(telegramApi));
    } catch (IllegalArgumentException e) {
      return "--telegram-api: the API must be an http or https URL";
    }
    if (webhook != null) {
      try {
        WebhookSink.builder(URI.create(webhook));
      } catch (IllegalArgumentException e) {
        // not the URL itself in the message: its path may hold a token
        return "--webhook: the URL must be an http or https URL with a host";
      }
    }
    try {
      AlertConfig.custom().cooldown(cooldown).minLifetime(minLifetime);
    } catch (IllegalArgumentException e) {
      return (e.getMessage().startsWith("cooldown") ? "--cooldown: " : "--min-lifetime: ")
          + e.getMessage();
    }
    return null;
  }

  /**
   * The alerts of one run: the console when {@code console} (piped output), Telegram and the
   * webhook when asked for; closing after three windows without a signal. Their clock and timer
   * is {@code scheduler}, the app's output thread, so console lines are printed there.
   */
  Alerts build(Map<String, String> env, Duration window, @Nullable PrintStream console,
      Scheduler scheduler) {
    return build(env, window, console, scheduler, java.util.List.of());
  }

  /** As {@link #build(Map, Duration, PrintStream, Scheduler)}, with more sinks (Kafka's). */
  Alerts build(Map<String, String> env, Duration window, @Nullable PrintStream console,
      Scheduler scheduler, java.util.List<dev.scanflux.core.alert.AlertSink> more) {
    Alerts.Builder b = Alerts.builder().scheduler(scheduler).config(AlertConfig.custom()
        .cooldown(cooldown)
        .minLifetime(minLifetime)
        .grace(window.multipliedBy(3))
        .build());
    if (console != null) {
      b.sink(ConsoleSink.of(console, AlertEvent.Type.OPENED, AlertEvent.Type.CLOSED));
    }
    if (!telegramChats.isEmpty()) {
      TelegramSink.Builder t = TelegramSink.builder(secret(env, TOKEN_ENV).orElseThrow())
          .api(URI.create(telegramApi));
      telegramChats.forEach(t::chat);
      b.sink(t.build());
    }
    if (webhook != null) {
      WebhookSink.Builder w = WebhookSink.builder(URI.create(webhook));
      secret(env, SECRET_ENV).ifPresent(w::secret);
      b.sink(w.build());
    }
    more.forEach(b::sink);
    return b.build();
  }

  /** How long the sinks may take to deliver what is queued at the end. */
  static Duration flushTimeout() {
    return FLUSH;
  }

  private static Optional<Secret> secret(Map<String, String> env, String variable) {
    Optional<Secret> direct = Secret.fromEnv(env, variable);
    if (direct.isPresent()) {
      return direct;
    }
    String file = env.get(variable + "_FILE");
    return file == null || file.isBlank() ? Optional.empty()
        : Optional.of(Secret.fromFile(Path.of(file.strip())));
  }
}
