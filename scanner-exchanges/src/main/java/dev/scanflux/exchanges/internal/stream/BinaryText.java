package dev.scanflux.exchanges.internal.stream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * How a venue's binary WebSocket messages become text, for {@link WsSpec#binary}. Called on the
 * connection's reading thread, one message at a time; must not block beyond the work itself.
 */
@FunctionalInterface
public interface BinaryText {

  /**
   * GZIP-compressed UTF-8 text (BingX compresses every message): inflated, never to more than
   * {@code maxChars} bytes, so a message that inflates without bound fails rather than filling
   * the heap.
   */
  BinaryText GZIP = (bytes, length, maxChars) -> {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes, 0, length),
        Math.max(512, Math.min(length, 8192)))) {
      byte[] text = in.readNBytes(maxChars);
      if (in.read() >= 0) {
        throw new IOException("it inflates to more than " + maxChars + " bytes");
      }
      return new String(text, StandardCharsets.UTF_8);
    }
  };

  /**
   * The text of one whole binary message.
   *
   * @param bytes    the message, in {@code bytes[0..length)}
   * @param length   its length
   * @param maxChars the longest text allowed, the connection's {@link WsSpec#maxMessageChars()}
   * @return the text
   * @throws IOException if the message cannot be decoded or its text would be longer
   */
  String decode(byte[] bytes, int length, int maxChars) throws IOException;
}
