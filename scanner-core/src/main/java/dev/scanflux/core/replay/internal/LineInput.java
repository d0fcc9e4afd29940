package dev.scanflux.core.replay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding it: each line is a slice of a reused buffer,
 * so reading allocates nothing per line. Lines end at {@code \n}; a {@code \r} before it is
 * dropped. A line longer than the limit is skipped up to its end and flagged, so one garbage line
 * can never make the reader hold a whole file in memory. Not thread-safe.
 */
final class LineInput {

  private static final int INITIAL_CAPACITY = 1 << 16;

  private final InputStream in;
  private final int maxLineBytes;
  private byte[] buf = new byte[INITIAL_CAPACITY];
  private int pos;
  private int limit;
  private boolean eof;

  private long number;
  private int start;
  private int length;
  private boolean terminated;
  private boolean tooLong;

  LineInput(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Moves to the next line.
   *
   * @return false at the end of the input
   * @throws IOException from the stream, e.g. an {@link java.io.EOFException} for cut gzip data
   */
  boolean next() throws IOException {
    int scan = pos;
    for (;;) {
      int nl = indexOfNewline(scan);
      if (nl >= 0) {
        setLine(pos, nl, true);
        pos = nl + 1;
        return true;
      }
      if (eof) {
        if (pos < limit) {
          setLine(pos, limit, false);
          pos = limit;
          return true;
        }
        return false;
      }
      int scanned = limit - pos;
      if (scanned >= maxLineBytes) {
        return skipLongLine();
      }
      fill();
      scan = pos + scanned;
    }
  }

  /** The current line's 1-based number. */
  long number() {
    return number;
  }

  /** The buffer holding the current line; valid until the next call to {@link #next()}. */
  byte[] buffer() {
    return buf;
  }

  /** Where the current line starts in {@link #buffer()}. */
  int start() {
    return start;
  }

  /** The current line's length in bytes, without its line terminator. */
  int length() {
    return length;
  }

  /** False when the current line is the last one and no newline ends it. */
  boolean terminated() {
    return terminated;
  }

  /** True when the current line exceeded the limit and was skipped; its content is empty. */
  boolean tooLong() {
    return tooLong;
  }

  private void setLine(int from, int to, boolean newline) {
    int end = to > from && buf[to - 1] == '\r' ? to - 1 : to;
    number++;
    start = from;
    length = end - from;
    terminated = newline;
    tooLong = false;
  }

  private int indexOfNewline(int from) {
    byte[] b = buf;
    for (int i = from, n = limit; i < n; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Compacts the unread bytes to the buffer's start, grows it if full, and reads more. */
  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    if (limit == buf.length) {
      buf = Arrays.copyOf(buf, Math.min(buf.length * 2, Math.max(maxLineBytes, buf.length) + 1));
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
  }

  private boolean skipLongLine() throws IOException {
    number++;
    start = 0;
    length = 0;
    tooLong = true;
    for (;;) {
      int nl = indexOfNewline(pos);
      if (nl >= 0) {
        pos = nl + 1;
        terminated = true;
        return true;
      }
      pos = 0;
      limit = 0;
      fill();
      if (eof) {
        terminated = false;
        return true;
      }
    }
  }
}
