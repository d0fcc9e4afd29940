package dev.scanflux.core.replay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream ahead on a thread of its own, so that producing the bytes (inflating gzip) and
 * consuming them (parsing JSON) overlap on two cores instead of taking turns on one.
 *
 * <p>At most {@code chunks} chunks are read ahead, so memory stays bounded. The reader sees
 * exactly the bytes of the source and then, if reading failed, the very exception the source
 * threw (an {@link java.io.EOFException} for cut gzip data stays one), after every byte read
 * before it. {@link #close()} stops the thread and closes the source.
 */
final class ReadAheadInputStream extends InputStream {

  private static final byte[] END = new byte[0];

  private final InputStream source;
  private final int chunkSize;
  private final BlockingQueue<Object> queue;
  private final Thread producer;
  private volatile boolean closed;
  private byte[] current = new byte[0];
  private int pos;
  private boolean ended;

  ReadAheadInputStream(InputStream source, int chunkSize, int chunks) {
    this.source = source;
    this.chunkSize = chunkSize;
    this.queue = new ArrayBlockingQueue<>(chunks);
    this.producer = new Thread(this::produce, "scanflux-read-ahead");
    producer.setDaemon(true);
    producer.start();
  }

  private void produce() {
    for (;;) {
      byte[] chunk = new byte[chunkSize];
      int n = 0;
      try {
        while (n < chunkSize) {
          int r = source.read(chunk, n, chunkSize - n);
          if (r < 0) {
            break;
          }
          n += r;
        }
      } catch (IOException | RuntimeException e) {
        // the bytes read before the failure come first, then the failure itself
        if (n > 0 && !put(Arrays.copyOf(chunk, n))) {
          return;
        }
        put(e instanceof IOException io ? io : new IOException("reading ahead failed: " + e, e));
        return;
      }
      if (n > 0 && !put(n == chunkSize ? chunk : Arrays.copyOf(chunk, n))) {
        return;
      }
      if (n < chunkSize) {
        put(END);
        return;
      }
    }
  }

  /** Queues an item, giving up once the reader has closed; false if it gave up. */
  private boolean put(Object item) {
    try {
      while (!closed) {
        if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == current.length && !advance()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean advance() throws IOException {
    if (ended) {
      return false;
    }
    Object next;
    try {
      next = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading ahead");
    }
    if (next instanceof IOException e) {
      ended = true;
      throw e;
    }
    if (next == END) {
      ended = true;
      return false;
    }
    current = (byte[]) next;
    pos = 0;
    return true;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    producer.interrupt();
    queue.clear();
    source.close();
  }
}
