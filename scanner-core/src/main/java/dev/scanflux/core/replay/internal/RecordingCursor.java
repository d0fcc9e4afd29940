package dev.scanflux.core.replay.internal;

import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingFormatException;
import dev.scanflux.core.replay.RecordingFormatException.Defect;
import dev.scanflux.core.replay.RecordingHeader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open recording being read line by line: the state of one subscription to
 * {@code RecordingReader.snapshots()}. Blocking; not thread-safe.
 */
public final class RecordingCursor implements AutoCloseable {

  /** Longest line read; a longer one is a malformed line, skipped without being held. */
  public static final int MAX_LINE_BYTES = 64 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(RecordingCursor.class);
  private static final int GZIP_BUFFER = 1 << 16;

  private final Path path;
  private final InputStream in;
  private final LineInput lines;
  private final SnapshotCodec codec = new SnapshotCodec();
  private final @Nullable Consumer<? super RecordingFormatException> onBadLine;
  private final RecordingHeader header;
  private @Nullable Instant last;
  private boolean finished;

  private RecordingCursor(Path path, InputStream in,
      @Nullable Consumer<? super RecordingFormatException> onBadLine) throws IOException {
    this.path = path;
    this.in = in;
    this.lines = new LineInput(in, MAX_LINE_BYTES);
    this.onBadLine = onBadLine;
    this.header = readHeader();
  }

  /**
   * Opens a recording and reads its header.
   *
   * @param path      the file
   * @param gzip      whether the file must be gzip data
   * @param onBadLine where skipped lines go; null to fail on the first bad line
   * @throws NoSuchFileException naming the path if there is no such file
   * @throws RecordingFormatException if the file is not gzip data as expected, or its header is
   *     missing, invalid or of an unsupported version
   * @throws IOException if the file cannot be read
   */
  public static RecordingCursor open(Path path, boolean gzip,
      @Nullable Consumer<? super RecordingFormatException> onBadLine) throws IOException {
    InputStream in = openStream(path, gzip);
    try {
      return new RecordingCursor(path, in, onBadLine);
    } catch (IOException | RuntimeException e) {
      closeAfter(in, e);
      throw e;
    }
  }

  /** The recording's header. */
  public RecordingHeader header() {
    return header;
  }

  /**
   * Reads up to the next good snapshot.
   *
   * @return the snapshot, or null at the end of the recording
   * @throws RecordingFormatException for a bad line, unless bad lines are skipped
   * @throws IOException if the file cannot be read
   */
  public @Nullable MarketSnapshot next() throws IOException {
    while (!finished) {
      if (!advance()) {
        finished = true;
        return null;
      }
      long n = lines.number();
      if (lines.tooLong()) {
        badLine(new RecordingFormatException(path, n, Defect.MALFORMED_LINE,
            "the line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB", null));
        continue;
      }
      MarketSnapshot s;
      try {
        s = codec.parse(lines.buffer(), lines.start(), lines.length());
      } catch (BadLineException e) {
        if (!lines.terminated() && e.defect() == Defect.MALFORMED_LINE) {
          finished = true;
          badLine(new RecordingFormatException(path, n, Defect.TRUNCATED,
              "the last line is incomplete (no newline ends it, and it is " + e.getMessage() + ")",
              e.getCause()));
          return null;
        }
        badLine(new RecordingFormatException(path, n, e.defect(), e.getMessage(), e.getCause()));
        continue;
      }
      Instant t = s.receivedAt();
      if (last != null && t.isBefore(last)) {
        badLine(new RecordingFormatException(path, n, Defect.OUT_OF_ORDER, "received at " + t
            + ", before the snapshot above it (" + last + "); a recording must be in receive-time"
            + " order", null));
        continue;
      }
      last = t;
      return s;
    }
    return null;
  }

  /** Closes the file. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  /** Closes the file, logging rather than throwing a failure: for cleanup after the last read. */
  public void closeLogged() {
    try {
      in.close();
    } catch (IOException e) {
      LOG.warn("Could not close recording {}", path, e);
    }
  }

  private boolean advance() throws IOException {
    try {
      return lines.next();
    } catch (EOFException e) {
      finished = true;
      badLine(new RecordingFormatException(path, lines.number() + 1, Defect.TRUNCATED,
          "the gzip data ends in the middle of a line: the file was cut short", e));
      return false;
    } catch (ZipException e) {
      throw new RecordingFormatException(path, lines.number() + 1, Defect.DAMAGED_GZIP,
          "the gzip data is damaged: " + e.getMessage(), e);
    }
  }

  /** Fails, or in lenient mode hands a line defect (or the truncation ending a read) over. */
  private void badLine(RecordingFormatException e) throws RecordingFormatException {
    Consumer<? super RecordingFormatException> handler = onBadLine;
    if (handler == null || !(e.defect().isLineDefect() || e.defect() == Defect.TRUNCATED)) {
      throw e;
    }
    handler.accept(e);
  }

  private RecordingHeader readHeader() throws IOException {
    boolean any;
    try {
      any = lines.next();
    } catch (EOFException e) {
      throw new RecordingFormatException(path, 1, Defect.TRUNCATED,
          "the gzip data ends inside the header line: the file was cut short", e);
    } catch (ZipException e) {
      throw new RecordingFormatException(path, 1, Defect.DAMAGED_GZIP,
          "the gzip data is damaged: " + e.getMessage(), e);
    }
    if (!any) {
      throw new RecordingFormatException(path, 1, Defect.BAD_HEADER,
          "the file is empty: a recording starts with a header line", null);
    }
    if (lines.tooLong()) {
      throw new RecordingFormatException(path, 1, Defect.BAD_HEADER,
          "the first line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB", null);
    }
    try {
      return SnapshotCodec.parseHeader(lines.buffer(), lines.start(), lines.length());
    } catch (BadLineException e) {
      boolean complete = lines.terminated()
          || SnapshotCodec.looksGzip(lines.buffer(), lines.start(), lines.length());
      Defect defect = complete ? e.defect() : Defect.TRUNCATED;
      String detail = complete ? e.getMessage()
          : "the file ends inside its header line (" + e.getMessage() + ")";
      throw new RecordingFormatException(path, 1, defect, detail, e.getCause());
    }
  }

  private static InputStream openStream(Path path, boolean gzip) throws IOException {
    InputStream raw;
    try {
      raw = Files.newInputStream(path);
    } catch (NoSuchFileException e) {
      NoSuchFileException clear = new NoSuchFileException(path.toString(), null,
          "no such recording file");
      clear.initCause(e);
      throw clear;
    }
    if (!gzip) {
      return raw;
    }
    try {
      PushbackInputStream in = new PushbackInputStream(raw, 2);
      byte[] magic = new byte[2];
      int n = in.readNBytes(magic, 0, 2);
      if (n < 2 || (magic[0] & 0xff) != 0x1f || (magic[1] & 0xff) != 0x8b) {
        throw new RecordingFormatException(path, 1, Defect.NOT_GZIP, notGzip(n, magic), null);
      }
      in.unread(magic, 0, n);
      return new GZIPInputStream(in, GZIP_BUFFER);
    } catch (EOFException e) {
      closeAfter(raw, e);
      throw new RecordingFormatException(path, 1, Defect.TRUNCATED,
          "the gzip header is cut short", e);
    } catch (ZipException e) {
      closeAfter(raw, e);
      throw new RecordingFormatException(path, 1, Defect.DAMAGED_GZIP,
          "the gzip header is damaged: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      closeAfter(raw, e);
      throw e;
    }
  }

  private static String notGzip(int n, byte[] magic) {
    String expected = "gzip was expected (the name ends in .gz, or gzip(true) was set) but ";
    if (n == 0) {
      return expected + "the file is empty";
    }
    if (magic[0] == '{') {
      return expected + "the file starts with '{' like plain JSON Lines; read it with gzip(false)"
          + " or drop .gz from its name";
    }
    return expected + "the file does not start with the gzip magic bytes 1f 8b";
  }

  private static void closeAfter(InputStream in, Exception failure) {
    try {
      in.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
