package dev.scanflux.exchanges.internal.stream;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link WsClient} connection is: where, how long opening may take, how large a message
 * may grow, and the venue's application-level heartbeat if it wants one. Immutable; the withers
 * check their argument at once.
 *
 * @param venue           the venue's name, for the exceptions
 * @param uri             the {@code ws://} or {@code wss://} address
 * @param connectTimeout  the longest the TCP connect and the opening handshake may take
 * @param maxMessageChars the largest message, reassembled from its frames, and so the largest
 *                        frame: counted in bytes as read (the UTF-8 text's length, which is its
 *                        length in characters for the venues' ASCII JSON); a larger one fails
 *                        as bad data before more than this is held
 * @param pingEvery       how often the heartbeat frame is sent, or null for no heartbeat
 * @param ping            the heartbeat frame, e.g. OKX's {@code ping}
 * @param pong            the venue's answer to it, e.g. {@code pong}: never emitted
 * @param binary          turns each binary message into text, e.g. {@link BinaryText#GZIP} for
 *                        BingX; null to drop binary messages (counted against the cap, then
 *                        ignored), as most venues send text only
 */
public record WsSpec(String venue, URI uri, Duration connectTimeout, int maxMessageChars,
    @Nullable Duration pingEvery, String ping, String pong, @Nullable BinaryText binary) {

  /** Checks the parts. */
  public WsSpec {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(ping, "ping");
    Objects.requireNonNull(pong, "pong");
    if (!"ws".equals(uri.getScheme()) && !"wss".equals(uri.getScheme())) {
      throw new IllegalArgumentException("uri must be ws:// or wss:// but was " + shown(uri));
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive but was "
          + connectTimeout);
    }
    if (maxMessageChars < 1) {
      throw new IllegalArgumentException("maxMessageChars must be at least 1 but was "
          + maxMessageChars);
    }
    if (pingEvery != null && (pingEvery.isNegative() || pingEvery.isZero())) {
      throw new IllegalArgumentException("pingEvery must be positive but was " + pingEvery);
    }
  }

  /** A spec whose binary messages are dropped (no {@link #binary() decoder}). */
  public WsSpec(String venue, URI uri, Duration connectTimeout, int maxMessageChars,
      @Nullable Duration pingEvery, String ping, String pong) {
    this(venue, uri, connectTimeout, maxMessageChars, pingEvery, ping, pong, null);
  }

  /**
   * A connection to {@code uri} with defaults: connect timeout 10 s, messages up to 16 Mi
   * characters, no heartbeat.
   */
  public static WsSpec of(String venue, URI uri) {
    return new WsSpec(venue, uri, Duration.ofSeconds(10), 16 << 20, null, "", "", null);
  }

  /** The same with another connect timeout. */
  public WsSpec connectTimeout(Duration timeout) {
    return new WsSpec(venue, uri, timeout, maxMessageChars, pingEvery, ping, pong, binary);
  }

  /** The same with another message size limit. */
  public WsSpec maxMessageChars(int chars) {
    return new WsSpec(venue, uri, connectTimeout, chars, pingEvery, ping, pong, binary);
  }

  /**
   * The same with an application-level heartbeat: {@code ping} is sent every {@code every}
   * while the connection is open, and incoming messages equal to {@code pong} are swallowed.
   */
  public WsSpec heartbeat(Duration every, String ping, String pong) {
    return new WsSpec(venue, uri, connectTimeout, maxMessageChars,
        Objects.requireNonNull(every, "every"), ping, pong, binary);
  }

  /**
   * The same with binary messages turned into text by {@code decoder} and emitted like text
   * messages (BingX gzips every message); a message it cannot decode ends the connection as bad
   * data, like a corrupt frame.
   */
  public WsSpec binary(BinaryText decoder) {
    return new WsSpec(venue, uri, connectTimeout, maxMessageChars, pingEvery, ping, pong,
        Objects.requireNonNull(decoder, "decoder"));
  }

  /**
   * The address as logs and errors show it: scheme, host, port and path, without credentials or
   * query (where a venue's connection token travels, e.g. KuCoin's {@code ?token=...}).
   */
  public String shown() {
    return shown(uri);
  }

  /**
   * {@code uri} as logs and errors show it: scheme, host (or the authority without its user
   * part, for a host name {@link URI} cannot parse), port and path.
   */
  public static String shown(URI uri) {
    String host;
    if (uri.getHost() != null) {
      host = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    } else {
      String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
      host = authority.substring(authority.lastIndexOf('@') + 1);
    }
    return uri.getScheme() + "://" + host + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** The parts, the address {@linkplain #shown() as shown}: never its query or credentials. */
  @Override
  public String toString() {
    return "WsSpec[venue=" + venue + ", uri=" + shown() + ", connectTimeout=" + connectTimeout
        + ", maxMessageChars=" + maxMessageChars + ", pingEvery=" + pingEvery + ']';
  }
}
