package dev.scanflux.core.replay.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingHeader;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recording being written: the state of one subscription to {@code RecordingWriter.write}.
 * Blocking. {@link #write} and {@link #close} are mutually exclusive, so a close after
 * cancellation may run on another thread than the writes.
 */
public final class RecordingOutput implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(RecordingOutput.class);

  private final Path path;
  private final JsonGenerator json;
  private final Set<String> venues;
  private @Nullable Instant last;
  private long written;
  private boolean closed;

  private RecordingOutput(Path path, JsonGenerator json, Set<String> venues) {
    this.path = path;
    this.json = json;
    this.venues = venues;
  }

  /**
   * Creates (or truncates) the file and writes the header.
   *
   * @param path   the file
   * @param gzip   whether to gzip it
   * @param header the header; its venues, when not empty, are the only ones allowed
   * @throws IOException if the file cannot be created or written
   */
  public static RecordingOutput create(Path path, boolean gzip, RecordingHeader header)
      throws IOException {
    OutputStream out = Files.newOutputStream(path);
    try {
      if (gzip) {
        out = new FastGzipOutputStream(out);
      }
      JsonGenerator json = SnapshotCodec.JSON.createGenerator(out);
      SnapshotCodec.writeHeader(json, header);
      return new RecordingOutput(path, json, Set.copyOf(header.venues()));
    } catch (IOException | RuntimeException e) {
      try {
        out.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Appends one snapshot; does nothing once closed (the rest of a cancelled stream is dropped).
   *
   * @throws IllegalArgumentException if the snapshot is from an undeclared venue or was received
   *     before the previous one
   * @throws IOException if writing fails
   */
  public synchronized void write(MarketSnapshot s) throws IOException {
    if (closed) {
      return;
    }
    if (!venues.isEmpty() && !venues.contains(s.venue())) {
      throw new IllegalArgumentException("snapshot " + (written + 1) + " is from venue '"
          + s.venue() + "', which is not among the recording's declared venues " + venues + ": "
          + s);
    }
    Instant t = s.receivedAt();
    if (last != null && t.isBefore(last)) {
      throw new IllegalArgumentException("snapshot " + (written + 1) + " was received at " + t
          + ", before the previous one (" + last + "); a recording must be in receive-time"
          + " order: " + s);
    }
    SnapshotCodec.write(json, s);
    last = t;
    written++;
  }

  /** Snapshots written so far. */
  public synchronized long written() {
    return written;
  }

  /** Flushes and closes the file; idempotent. */
  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      json.close();
    }
  }

  /** Closes after a failure, adding any close failure to it as suppressed. */
  public void closeAfter(Throwable failure) {
    try {
      close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Gzip at the fastest deflate level: about three times the speed of the default level for a
   * recording about a fifth larger, so a live recording keeps up with the scanner.
   */
  private static final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** Closes after cancellation, logging a close failure (nobody is left to receive it). */
  public void closeLogged() {
    try {
      close();
    } catch (IOException e) {
      LOG.warn("Could not close recording {} after cancellation", path, e);
    }
  }
}
