package dev.scanflux.core.alert;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret (a bot token, a webhook key) that never shows itself: {@link #toString()} is
 * {@code "****"}, and {@link #redact(String)} takes it out of any text before that text reaches
 * a log, an error or a report. Read it from the environment or a file, never from the command
 * line (where {@code ps} and shell history would show it).
 *
 * <p>Immutable; equal when the values are equal.
 */
public final class Secret {

  private static final String MASK = "****";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * A secret from a string.
   *
   * @param value the secret, not blank
   * @return the secret
   * @throws IllegalArgumentException if blank (the message does not show it)
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    String v = value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be blank");
    }
    return new Secret(v);
  }

  /**
   * The secret in an environment variable, if it is set and not blank.
   *
   * @param env      the environment, e.g. {@code System.getenv()}
   * @param variable the variable's name, e.g. {@code SCANFLUX_TELEGRAM_TOKEN}
   * @return the secret, or empty
   */
  public static Optional<Secret> fromEnv(Map<String, String> env, String variable) {
    String v = env.get(Objects.requireNonNull(variable, "variable"));
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(new Secret(v.strip()));
  }

  /**
   * The secret in a file (e.g. a Docker or Kubernetes secret), its content stripped of
   * surrounding white space.
   *
   * @param file the file
   * @return the secret
   * @throws UncheckedIOException if the file cannot be read (the message names the file only)
   * @throws IllegalArgumentException if the file is blank
   */
  public static Secret fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      String v = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (v.isEmpty()) {
        throw new IllegalArgumentException("the secret file " + file + " is blank");
      }
      return new Secret(v);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the secret file " + file + " ("
          + e.getClass().getSimpleName() + ")", new IOException("unreadable secret file"));
    }
  }

  /**
   * The secret itself, for the one place that must send it. Never log or print it.
   *
   * @return the value
   */
  public String reveal() {
    return value;
  }

  /**
   * The text with every occurrence of the secret, plain or URL-encoded, replaced by
   * {@code ****}.
   *
   * @param text any text, e.g. an exception's message
   * @return the text without the secret
   */
  public String redact(String text) {
    String out = text.replace(value, MASK);
    String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    return encoded.equals(value) ? out : out.replace(encoded, MASK);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** Always {@code ****}. */
  @Override
  public String toString() {
    return MASK;
  }
}
