package dev.scanflux.kafka.internal;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordFormat;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/** Record keys and headers shared by the publisher and the feed. */
public final class Records {

  /** The header naming the record format's version, e.g. {@code 1}. */
  public static final String VERSION_HEADER = "scanflux-format";
  /** The header naming the node that published a record. */
  public static final String NODE_HEADER = "scanflux-node";

  private static final byte[] VERSION = Integer.toString(RecordFormat.VERSION)
      .getBytes(StandardCharsets.UTF_8);

  private Records() {}

  /** A snapshot's key: {@code venue|instrument|kind}, e.g. {@code okx|BTC/USDT:perp|book}. */
  public static String key(MarketSnapshot s) {
    return s.venue() + '|' + s.instrument() + '|' + (s instanceof BookSnapshot ? "book" : "ticker");
  }

  /** Adds the version and node headers. */
  public static void stamp(Headers headers, byte[] node) {
    headers.add(VERSION_HEADER, VERSION);
    headers.add(NODE_HEADER, node);
  }

  /** The version a record declares, or -1 if it declares none readable. */
  public static int version(Headers headers) {
    Header h = headers.lastHeader(VERSION_HEADER);
    if (h == null || h.value() == null) {
      return -1;
    }
    try {
      return Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The node a record names, if any. */
  public static @Nullable String node(Headers headers) {
    Header h = headers.lastHeader(NODE_HEADER);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
