package dev.scanflux.core.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Raised when a recording cannot be read as written: the message names the file, the 1-based
 * line and the defect, e.g. {@code /data/okx.jsonl.gz line 1042: truncated: the gzip data ends
 * in the middle of a line}.
 *
 * <p>The header is line 1. Defects found before any line could be read (a file that is not gzip
 * data although gzip was expected) are reported at line 1.
 *
 * @see RecordingReader.Builder#skipBadLines
 */
public final class RecordingFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** What was wrong with the file. */
  public enum Defect {
    /** Gzip was expected (the name ends in {@code .gz}, or {@code gzip(true)}) but the file is not gzip data. */
    NOT_GZIP,
    /** The compressed data is damaged: a bad block or checksum. */
    DAMAGED_GZIP,
    /** The file ends in the middle of a line or of its compressed data: it was cut short. */
    TRUNCATED,
    /** The first line is missing or is not a Scanflux recording header. */
    BAD_HEADER,
    /** The header declares a format version this version of Scanflux cannot read. */
    UNSUPPORTED_VERSION,
    /** A line is not a JSON object, lacks a field, has a field of the wrong type, or is too long. */
    MALFORMED_LINE,
    /** A line is well-formed but its data is not a valid snapshot (crossed book, negative size, ...). */
    INVALID_SNAPSHOT,
    /** A snapshot was received before the one on the line above it. */
    OUT_OF_ORDER,
    /**
     * Lenient reading skipped more bad lines than its bound ({@link
     * RecordingReader.Builder#maxBadLines}): the file is mostly not a recording, and reading on
     * would cost time for nothing. Not a line defect: it ends the read.
     */
    TOO_MANY_BAD_LINES;

    /**
     * True for the defects of a single line, which {@link RecordingReader.Builder#skipBadLines}
     * skips: {@link #MALFORMED_LINE}, {@link #INVALID_SNAPSHOT} and {@link #OUT_OF_ORDER}.
     */
    public boolean isLineDefect() {
      return this == MALFORMED_LINE || this == INVALID_SNAPSHOT || this == OUT_OF_ORDER;
    }

    String describe() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  private final Path path;
  private final long line;
  private final Defect defect;

  /**
   * @param path   the recording
   * @param line   the 1-based line, at least 1
   * @param defect what was wrong
   * @param detail the specifics, e.g. the parser's complaint or the offending value
   * @param cause  the underlying exception, if any
   */
  public RecordingFormatException(Path path, long line, Defect defect, String detail,
      @Nullable Throwable cause) {
    super(path + " line " + line + ": " + defect.describe() + ": " + detail, cause);
    if (line < 1) {
      throw new IllegalArgumentException("line must be in [1, " + Long.MAX_VALUE + "] but was "
          + line);
    }
    this.path = Objects.requireNonNull(path, "path");
    this.line = line;
    this.defect = Objects.requireNonNull(defect, "defect");
  }

  /** The recording's path. */
  public Path path() {
    return path;
  }

  /** The 1-based line number; the header is line 1. */
  public long line() {
    return line;
  }

  /** What was wrong. */
  public Defect defect() {
    return defect;
  }
}
