package dev.scanflux.core.replay;

import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.internal.RecordingCursor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reads a recording written by {@link RecordingWriter} back as a {@link Flux}, streaming: lines
 * are read as downstream requests them, so a recording of any size is never held in memory.
 *
 * <pre>{@code
 * Flux<MarketSnapshot> snapshots = RecordingReader.of(Path.of("binance.jsonl.gz")).snapshots();
 *
 * AtomicLong skipped = new AtomicLong();
 * RecordingReader lenient = RecordingReader.builder(path)
 *     .skipBadLines(e -> { skipped.incrementAndGet(); log.warn("skipped", e); })
 *     .build();
 * }</pre>
 *
 * <h2>Errors</h2>
 * Every problem is a {@link RecordingFormatException} naming the file, the 1-based line and the
 * {@linkplain RecordingFormatException.Defect defect}: a corrupt line, an invalid snapshot, a
 * snapshot received before the line above it, a truncated file, a file that is not gzip data
 * although gzip was expected, a missing or unsupported header. A missing file fails with a
 * {@link java.nio.file.NoSuchFileException} naming the path. By default the first problem fails
 * the read; {@link Builder#skipBadLines} skips bad lines instead, up to {@link
 * Builder#maxBadLines}.
 *
 * <h2>Bounds</h2>
 * Whatever the file, a read holds one line buffer (64 KiB, growing to the longest line read, at
 * most 64 MiB: a longer line is skipped without being held and is a malformed line), with gzip
 * eight 64 KiB blocks inflated ahead, and a book's levels (at most 100,000 a side: more is a
 * malformed line). Each line costs time in proportion to its length; a bad line costs one
 * exception, and lenient reading gives up after {@link Builder#maxBadLines} of them (default
 * {@value #DEFAULT_MAX_BAD_LINES}), so a file of garbage, however large, fails in about a second
 * rather than being read to its end.
 *
 * <h2>Threading</h2>
 * The file is opened when the flux is subscribed and read with blocking calls on the reader's
 * scheduler (default {@link Schedulers#boundedElastic()}, looked up at subscription), never on
 * the subscriber's thread; snapshots are emitted from that scheduler. It is closed when the flux
 * terminates or is cancelled. For deterministic virtual-time tests, read with {@link
 * Schedulers#immediate()} so the file is read on the thread that advances virtual time.
 *
 * <p>Instances are immutable and thread-safe; each subscription reads the file anew.
 */
public final class RecordingReader {

  private final Path path;
  private final boolean gzip;
  private final @Nullable Consumer<? super RecordingFormatException> onBadLine;
  private final @Nullable Scheduler scheduler;
  private final long maxBadLines;

  /** The default of {@link Builder#maxBadLines}: 100,000. */
  public static final long DEFAULT_MAX_BAD_LINES = 100_000;

  private RecordingReader(Builder b) {
    this.maxBadLines = b.maxBadLines;
    this.path = b.path;
    this.gzip = b.gzip != null ? b.gzip : isGzipName(b.path);
    this.onBadLine = b.onBadLine;
    this.scheduler = b.scheduler;
  }

  /**
   * A reader with the defaults: gzip when the name ends in {@code .gz}, failing on the first bad
   * line, reading on {@link Schedulers#boundedElastic()}.
   *
   * @param path the recording
   * @return the reader; nothing is opened until a subscription
   */
  public static RecordingReader of(Path path) {
    return builder(path).build();
  }

  /**
   * A builder for a reader of one file.
   *
   * @param path the recording
   * @return a new builder; not thread-safe
   */
  public static Builder builder(Path path) {
    return new Builder(path);
  }

  /** The recording's path. */
  public Path path() {
    return path;
  }

  /** True if the file is read as gzip data. */
  public boolean gzip() {
    return gzip;
  }

  /**
   * The recording's header: reads the first line only.
   *
   * @return emits the header, or fails with a {@link RecordingFormatException} or an I/O error
   */
  public Mono<RecordingHeader> header() {
    return Mono.fromCallable(() -> {
      try (RecordingCursor cursor = RecordingCursor.open(path, gzip, null, 0)) {
        return cursor.header();
      }
    }).subscribeOn(scheduler());
  }

  /**
   * Every snapshot in the recording, in file order, which a valid recording guarantees is
   * receive-time order. Reads lazily, as requested; completes at the end of the file.
   *
   * @return the snapshots; fails with a {@link RecordingFormatException} naming file and line on
   *     the first problem (unless bad lines are skipped), or with the I/O error that stopped the
   *     read
   */
  public Flux<MarketSnapshot> snapshots() {
    return Flux.defer(() -> Flux.<MarketSnapshot, RecordingCursor>generate(
            () -> RecordingCursor.open(path, gzip, onBadLine, maxBadLines),
            RecordingReader::next,
            RecordingCursor::closeLogged)
        .subscribeOn(scheduler()));
  }

  @Override
  public String toString() {
    return "RecordingReader{" + path + (gzip ? ", gzip" : "")
        + (onBadLine != null ? ", skipping bad lines" : "") + '}';
  }

  private static RecordingCursor next(RecordingCursor cursor, SynchronousSink<MarketSnapshot> sink) {
    try {
      MarketSnapshot s = cursor.next();
      if (s == null) {
        sink.complete();
      } else {
        sink.next(s);
      }
    } catch (IOException e) {
      sink.error(e);
    }
    return cursor;
  }

  private Scheduler scheduler() {
    return scheduler != null ? scheduler : Schedulers.boundedElastic();
  }

  static boolean isGzipName(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().endsWith(".gz");
  }

  /** Configures a {@link RecordingReader}. Not thread-safe. */
  public static final class Builder {
    private final Path path;
    private @Nullable Boolean gzip;
    private @Nullable Consumer<? super RecordingFormatException> onBadLine;
    private @Nullable Scheduler scheduler;
    private long maxBadLines = DEFAULT_MAX_BAD_LINES;

    private Builder(Path path) {
      this.path = Objects.requireNonNull(path, "path");
    }

    /**
     * Whether the file is gzip data. Default: true when the file name ends in {@code .gz}. A
     * file that does not match fails with {@link RecordingFormatException.Defect#NOT_GZIP} (or,
     * gzip data read as plain, {@link RecordingFormatException.Defect#BAD_HEADER} with a hint).
     */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /**
     * Skips bad lines instead of failing, handing each to {@code onBadLine}, which can count or
     * log them: lines that are malformed, hold an invalid snapshot or are out of receive-time
     * order ({@link RecordingFormatException.Defect#isLineDefect()}). A truncated file is handed
     * over too, after which the read completes with what came before. Problems with the file as
     * a whole (missing, not gzip, bad header, damaged gzip data) still fail the read. Default:
     * fail on the first bad line.
     *
     * <p>{@code onBadLine} runs on the reading thread, serially, before the next snapshot is
     * emitted; if it throws, the read fails with that exception.
     *
     * @param onBadLine receives each skipped line's exception, with its line number
     * @return this builder
     */
    public Builder skipBadLines(Consumer<? super RecordingFormatException> onBadLine) {
      this.onBadLine = Objects.requireNonNull(onBadLine, "onBadLine");
      return this;
    }

    /**
     * With {@link #skipBadLines}, the most bad lines skipped: the next one fails the read with
     * {@link RecordingFormatException.Defect#TOO_MANY_BAD_LINES} (its cause the bad line's
     * exception), so a file that is mostly garbage (a gzip of a billion blank lines) ends in
     * moments instead of hours. Default {@value RecordingReader#DEFAULT_MAX_BAD_LINES}; at
     * least 0 ({@code Long.MAX_VALUE} for no bound).
     *
     * @param maxBadLines the bound
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxBadLines(long maxBadLines) {
      if (maxBadLines < 0) {
        throw new IllegalArgumentException("maxBadLines must be at least 0 but was "
            + maxBadLines);
      }
      this.maxBadLines = maxBadLines;
      return this;
    }

    /**
     * The scheduler the file is opened and read on; it must allow blocking. Default: {@link
     * Schedulers#boundedElastic()}, looked up at each subscription. Use {@link
     * Schedulers#immediate()} to read on the subscribing and requesting thread, as
     * deterministic virtual-time tests need.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Builds the reader; nothing is opened until a subscription. */
    public RecordingReader build() {
      return new RecordingReader(this);
    }
  }
}
