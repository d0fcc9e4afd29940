package dev.scanflux.core.spi;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Keeps the credentials a URL may carry ({@code http://user:password@host/}, its
 * <em>user-info</em>) out of logs, errors and reports: {@link #redact(String)} masks the
 * user-info of every URL in a text, {@link #hasUserInfo(String)} tells whether a URL carries
 * one. Scanflux never sends URL credentials; the venue presets refuse URLs that carry them,
 * naming the URL redacted.
 */
public final class UrlRedaction {

  /** What the user-info is replaced with. */
  public static final String MASK = "****";

  // scheme "://" user-info "@": user-info has no '/', '?', '#', '@' or line break (spaces are
  // masked too: a URL with a space in its password is invalid, but still a secret)
  private static final Pattern USER_INFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\r\\n]+@");

  private UrlRedaction() {}

  /**
   * The text with the user-info of every URL in it replaced by {@value #MASK}, e.g.
   * {@code GET http://****@127.0.0.1:8080/api failed} for
   * {@code GET http://trader:S3cret@127.0.0.1:8080/api failed}.
   *
   * @param text any text: a URL, an error message, a log line
   * @return the text without URL credentials; the same text when it holds none
   */
  public static String redact(String text) {
    Objects.requireNonNull(text, "text");
    return text.indexOf('@') < 0 ? text : USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
  }

  /**
   * Whether a URL carries user-info (a user name, with or without a password).
   *
   * @param url the URL; one that does not parse is checked by its text
   * @return true if it has user-info
   */
  public static boolean hasUserInfo(String url) {
    Objects.requireNonNull(url, "url");
    try {
      if (URI.create(url).getRawUserInfo() != null) {
        return true;
      }
    } catch (IllegalArgumentException e) {
      // not a URI: fall through to the text check
    }
    return !redact(url).equals(url);
  }
}
