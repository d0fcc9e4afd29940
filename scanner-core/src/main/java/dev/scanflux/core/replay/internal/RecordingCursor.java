package dev.scanflux.core.replay.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open recording being read: the state of one subscription to {@code
 * RecordingReader.snapshots()}. Blocking; not thread-safe.
 *
 * <h2>Two speeds</h2>
 * Lines arrive in blocks of whole lines ({@link LineInput}). A block is first parsed with one
 * Jackson parser for all its lines (the fast path: no parser per line); the parser's line numbers
 * confirm that each line holds exactly one object. At the first line that does not (bad JSON, an
 * invalid snapshot, a blank line, two objects on a line, an object across lines) the rest of the
 * block is parsed line by line (the slow path), which names each bad line exactly; the next
 * block starts fast again. Both paths accept and reject exactly the same lines.
 */
public final class RecordingCursor implements AutoCloseable {

  /** Longest line read; a longer one is a malformed line, skipped without being held. */
  public static final int MAX_LINE_BYTES = 64 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(RecordingCursor.class);
  private static final int GZIP_BUFFER = 1 << 16;

  private final Path path;
  private final InputStream in;
  private final LineInput input;
  private final SnapshotCodec codec = new SnapshotCodec();
  private final @Nullable Consumer<? super RecordingFormatException> onBadLine;
  private final long maxBadLines;
  private long badLines;
  private final RecordingHeader header;
  private @Nullable Instant last;
  private boolean finished;

  /** The current block: bytes {@code [offset, blockEnd)} of {@code buf} are still to be read. */
  private byte[] buf = new byte[0];
  private int offset;
  private int blockEnd;
  private boolean terminated;
  /** True once the current block has fallen back to the slow path. */
  private boolean slow;
  /** The 1-based number of the line at {@link #offset}. */
  private long nextLine = 1;

  /** The fast path's parser, over {@code [parserBase, blockEnd)}; null on the slow path. */
  private @Nullable JsonParser parser;
  private int parserBase;
  private long parserFirstLine;
  /** The 0-based index, from the parser's first line, of the object the parser is on. */
  private int index;

  private RecordingCursor(Path path, InputStream in,
      @Nullable Consumer<? super RecordingFormatException> onBadLine, long maxBadLines)
      throws IOException {
    this.path = path;
    this.in = in;
    this.input = new LineInput(in, MAX_LINE_BYTES);
    this.onBadLine = onBadLine;
    this.maxBadLines = maxBadLines;
    this.header = readHeader();
  }

  /**
   * Opens a recording and reads its header.
   *
   * @param path      the file
   * @param gzip      whether the file must be gzip data
   * @param onBadLine where skipped lines go; null to fail on the first bad line
   * @param maxBadLines with {@code onBadLine}, the most lines skipped before the read fails with
   *     {@link Defect#TOO_MANY_BAD_LINES}
   * @throws NoSuchFileException naming the path if there is no such file
   * @throws RecordingFormatException if the file is not gzip data as expected, or its header is
   *     missing, invalid or of an unsupported version
   * @throws IOException if the file cannot be read
   */
  public static RecordingCursor open(Path path, boolean gzip,
      @Nullable Consumer<? super RecordingFormatException> onBadLine, long maxBadLines)
      throws IOException {
    InputStream in = openStream(path, gzip);
    try {
      return new RecordingCursor(path, in, onBadLine, maxBadLines);
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
      MarketSnapshot s = null;
      if (parser != null) {
        s = nextFast(parser);
      } else if (offset < blockEnd) {
        if (slow || !terminated) {
          s = nextSlow();
        } else {
          startFast();
        }
      } else if (!nextBlock()) {
        finished = true;
      }
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /** Closes the file. */
  @Override
  public void close() throws IOException {
    try {
      closeParser();
    } finally {
      in.close();
    }
  }

  /** Closes the file, logging rather than throwing a failure: for cleanup after the last read. */
  public void closeLogged() {
    try {
      close();
    } catch (IOException e) {
      LOG.warn("Could not close recording {}", path, e);
    }
  }

  // ------------------------------------------------------------------------------ fast path

  private void startFast() throws IOException {
    JsonParser p = SnapshotCodec.JSON.createParser(buf, offset, blockEnd - offset);
    parser = p;
    parserBase = offset;
    parserFirstLine = nextLine;
    index = 0;
    try {
      if (p.nextToken() != JsonToken.START_OBJECT || p.currentTokenLocation().getLineNr() != 1) {
        toSlow(0);
      }
    } catch (JsonProcessingException e) {
      toSlow(0);
    }
  }

  /** The object on the parser's current line, or null if this line needs the slow path. */
  private @Nullable MarketSnapshot nextFast(JsonParser p) throws IOException {
    int lineNr = index + 1;
    long line = parserFirstLine + index;
    MarketSnapshot s;
    try {
      s = codec.parseObject(p);
      if (p.currentTokenLocation().getLineNr() != lineNr) {
        toSlow(index);
        return null;
      }
    } catch (BadLineException | JsonProcessingException e) {
      toSlow(index);
      return null;
    }
    JsonToken next;
    try {
      next = p.nextToken();
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      toSlow(at == null || at.getLineNr() <= lineNr ? index : index + 1);
      return at == null || at.getLineNr() <= lineNr ? null : inOrder(s, line);
    }
    if (next == null) {
      if (p.currentLocation().getLineNr() == lineNr + 1) {
        closeParser();
        offset = blockEnd;
        nextLine = line + 1;
      } else {
        toSlow(index + 1);
      }
      return inOrder(s, line);
    }
    int nextLineNr = p.currentTokenLocation().getLineNr();
    if (nextLineNr <= lineNr) {
      toSlow(index);
      return null;
    }
    if (next != JsonToken.START_OBJECT || nextLineNr != lineNr + 1) {
      toSlow(index + 1);
    } else {
      index++;
    }
    return inOrder(s, line);
  }

  /** Leaves the fast path: the block is read line by line from the parser's line {@code i}. */
  private void toSlow(int i) throws IOException {
    closeParser();
    int at = parserBase;
    for (int n = 0; n < i && at < blockEnd; n++) {
      int nl = newline(at, blockEnd);
      at = nl < 0 ? blockEnd : nl + 1;
    }
    offset = at;
    nextLine = parserFirstLine + i;
    slow = true;
  }

  private void closeParser() throws IOException {
    JsonParser p = parser;
    if (p != null) {
      parser = null;
      p.close();
    }
  }

  // ------------------------------------------------------------------------------ slow path

  /** Parses the line at {@link #offset}; null if it was bad and skipped. */
  private @Nullable MarketSnapshot nextSlow() throws IOException {
    int start = offset;
    int nl = newline(start, blockEnd);
    int end = nl >= 0 ? nl : blockEnd;
    if (end > start && buf[end - 1] == '\r') {
      end--;
    }
    offset = nl >= 0 ? nl + 1 : blockEnd;
    long line = nextLine++;
    MarketSnapshot s;
    try {
      s = codec.parse(buf, start, end - start);
    } catch (BadLineException e) {
      if (nl < 0 && e.defect() == Defect.MALFORMED_LINE) {
        finished = true;
        badLine(new RecordingFormatException(path, line, Defect.TRUNCATED,
            "the last line is incomplete (no newline ends it, and it is " + e.getMessage() + ")",
            e.getCause()));
        return null;
      }
      badLine(new RecordingFormatException(path, line, e.defect(), e.getMessage(), e.getCause()));
      return null;
    }
    return inOrder(s, line);
  }

  // ------------------------------------------------------------------------------ common

  private @Nullable MarketSnapshot inOrder(MarketSnapshot s, long line)
      throws RecordingFormatException {
    Instant t = s.receivedAt();
    if (last != null && t.isBefore(last)) {
      badLine(new RecordingFormatException(path, line, Defect.OUT_OF_ORDER, "received at " + t
          + ", before the snapshot above it (" + last + "); a recording must be in receive-time"
          + " order", null));
      return null;
    }
    last = t;
    return s;
  }

  /** Reads the next block; false at the end, or after a truncation handed to the handler. */
  private boolean nextBlock() throws IOException {
    try {
      if (!input.next()) {
        return false;
      }
    } catch (EOFException e) {
      finished = true;
      badLine(new RecordingFormatException(path, nextLine, Defect.TRUNCATED,
          "the gzip data ends in the middle of a line: the file was cut short", e));
      return false;
    } catch (ZipException e) {
      throw new RecordingFormatException(path, nextLine, Defect.DAMAGED_GZIP,
          "the gzip data is damaged: " + e.getMessage(), e);
    }
    buf = input.buffer();
    offset = input.blockStart();
    blockEnd = input.blockEnd();
    terminated = input.terminated();
    slow = false;
    if (input.tooLong()) {
      badLine(new RecordingFormatException(path, nextLine++, Defect.MALFORMED_LINE,
          "the line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB", null));
    }
    return true;
  }

  /** Fails, or in lenient mode hands a line defect (or the truncation ending a read) over. */
  private void badLine(RecordingFormatException e) throws RecordingFormatException {
    Consumer<? super RecordingFormatException> handler = onBadLine;
    if (handler == null || !(e.defect().isLineDefect() || e.defect() == Defect.TRUNCATED)) {
      throw e;
    }
    if (e.defect().isLineDefect() && ++badLines > maxBadLines) {
      finished = true;
      String what = e.defect().name().toLowerCase(Locale.ROOT).replace('_', ' ');
      throw new RecordingFormatException(path, e.line(), Defect.TOO_MANY_BAD_LINES, "more than "
          + maxBadLines + " bad lines skipped, this one " + what
          + ": this is not a recording (raise RecordingReader.Builder.maxBadLines if it is)", e);
    }
    handler.accept(e);
  }

  private int newline(int from, int to) {
    byte[] b = buf;
    for (int i = from; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private RecordingHeader readHeader() throws IOException {
    boolean any;
    try {
      any = input.next();
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
    if (input.tooLong()) {
      throw new RecordingFormatException(path, 1, Defect.BAD_HEADER,
          "the first line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB", null);
    }
    buf = input.buffer();
    blockEnd = input.blockEnd();
    terminated = input.terminated();
    int start = input.blockStart();
    int nl = newline(start, blockEnd);
    int end = nl >= 0 ? nl : blockEnd;
    if (end > start && buf[end - 1] == '\r') {
      end--;
    }
    offset = nl >= 0 ? nl + 1 : blockEnd;
    nextLine = 2;
    try {
      return SnapshotCodec.parseHeader(buf, start, end - start);
    } catch (BadLineException e) {
      boolean complete = nl >= 0 || SnapshotCodec.looksGzip(buf, start, end - start);
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
      // inflate on a thread of its own, ahead of the parser: the two overlap on two cores
      return new ReadAheadInputStream(new GZIPInputStream(in, GZIP_BUFFER), GZIP_BUFFER, 8);
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
