package dev.scanflux.core.replay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a byte stream in blocks of whole lines without decoding it: each block is a region of a
 * reused buffer, so reading allocates nothing per line. A block holds one or more lines, each
 * ending in {@code \n}; only the last line of the input may lack it, and then it comes alone in
 * a block marked not {@linkplain #terminated() terminated}. A line longer than the limit is
 * skipped up to its end and comes as an empty block marked {@linkplain #tooLong() too long}, so
 * one garbage line never makes the reader hold a whole file. Not thread-safe.
 */
final class LineInput {

  private static final int INITIAL_CAPACITY = 1 << 16;

  private final InputStream in;
  private final int maxLineBytes;
  private byte[] buf = new byte[INITIAL_CAPACITY];
  private int pos;
  private int limit;
  private boolean eof;

  private int blockStart;
  private int blockEnd;
  private boolean terminated;
  private boolean tooLong;

  LineInput(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Moves to the next block; the previous block's bytes may be overwritten.
   *
   * @return false at the end of the input
   * @throws IOException from the stream, e.g. an {@link java.io.EOFException} for cut gzip data
   */
  boolean next() throws IOException {
    int scanFrom = pos;
    for (;;) {
      int nl = lastNewline(scanFrom);
      if (nl >= 0) {
        setBlock(pos, nl + 1, true);
        pos = nl + 1;
        return true;
      }
      if (eof) {
        if (pos < limit) {
          setBlock(pos, limit, false);
          pos = limit;
          return true;
        }
        return false;
      }
      int scanned = limit - pos;
      if (scanned >= maxLineBytes) {
        skipLongLine();
        return true;
      }
      fill();
      scanFrom = pos + scanned;
    }
  }

  /** The buffer holding the current block; valid until the next call to {@link #next()}. */
  byte[] buffer() {
    return buf;
  }

  /** Where the current block starts in {@link #buffer()}. */
  int blockStart() {
    return blockStart;
  }

  /** Where the current block ends (exclusive) in {@link #buffer()}. */
  int blockEnd() {
    return blockEnd;
  }

  /** False when the block is the input's last line and no newline ends it. */
  boolean terminated() {
    return terminated;
  }

  /** True when the block stands for one line that exceeded the limit and was skipped. */
  boolean tooLong() {
    return tooLong;
  }

  private void setBlock(int from, int to, boolean newline) {
    blockStart = from;
    blockEnd = to;
    terminated = newline;
    tooLong = false;
  }

  private int lastNewline(int from) {
    byte[] b = buf;
    for (int i = limit - 1; i >= from; i--) {
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

  private void skipLongLine() throws IOException {
    blockStart = 0;
    blockEnd = 0;
    tooLong = true;
    terminated = false;
    pos = 0;
    limit = 0;
    for (;;) {
      fill();
      for (int i = 0; i < limit; i++) {
        if (buf[i] == '\n') {
          pos = i + 1;
          terminated = true;
          return;
        }
      }
      if (eof) {
        return;
      }
      limit = 0;
    }
  }
}
