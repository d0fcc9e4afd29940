package dev.scanflux.examples.app;

import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code --record FILE [--record-max-size SIZE]}: writes every snapshot to FILE and says how
 * big it is and how fast it grows. With a maximum size, FILE is rotated once it reaches it: it
 * becomes {@code FILE.1} (replacing the previous one) and a new FILE begins, so the recording
 * never takes much more than twice the size on disk (the size is checked each second, so a file
 * ends up to a second's worth of snapshots past it); each file replays on its own.
 */
final class Recorder {

  private static final long CHECK_EVERY_NANOS = 1_000_000_000L;

  private final Path file;
  private final long maxSize;
  private final List<String> venues;
  private final long startedNanos = System.nanoTime();
  private final AtomicLong rotated = new AtomicLong();
  private final AtomicLong rotatedBytes = new AtomicLong();
  private volatile long checkedAt;

  /**
   * @param maxSize the size at which the file is rotated, in bytes; 0 for none
   */
  Recorder(Path file, long maxSize, List<String> venues) {
    this.file = file;
    this.maxSize = maxSize;
    this.venues = List.copyOf(venues);
  }

  /** Where it writes and what to expect, for the first lines of a run. */
  String announce() {
    return "recording every snapshot to " + file.toAbsolutePath() + " (JSON Lines"
        + (file.toString().endsWith(".gz") ? ", gzipped" : "") + "; "
        + (maxSize > 0 ? "rotated to " + file.getFileName() + ".1 at " + bytes(maxSize)
            : "no size limit: --record-max-size caps it") + ")";
  }

  /** Writes the snapshots, rotating by size; the number written. */
  Mono<Long> write(Flux<MarketSnapshot> snapshots) {
    if (maxSize <= 0) {
      return RecordingWriter.builder(file).venues(venues).build().write(snapshots);
    }
    AtomicLong windows = new AtomicLong();
    return snapshots.windowUntil(s -> full())
        .concatMap(window -> Mono.defer(() -> {
          if (windows.getAndIncrement() > 0) {
            rotate(); // the previous window's writer has closed the file
          }
          return RecordingWriter.builder(file).venues(venues).build().write(window);
        }))
        .reduce(0L, Long::sum);
  }

  /** e.g. {@code recording /tmp/scan.jsonl.gz: 12.3 MB, growing 210.5 kB/s (1 rotation)}. */
  String status() {
    long now = currentSize() + rotatedBytes.get();
    double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
    return "recording " + file + ": " + bytes(currentSize()) + ", growing "
        + bytes(Math.round(now / seconds)) + "/s"
        + (rotated.get() == 0 ? "" : " (" + rotated.get() + " rotation"
            + (rotated.get() == 1 ? "" : "s") + ", older data in " + file.getFileName() + ".1)");
  }

  /** The file's size now, in bytes (0 before it exists). */
  long currentSize() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Whether the current file is full: the snapshot just written ends it. Checked each second. */
  private boolean full() {
    long now = System.nanoTime();
    if (now - checkedAt < CHECK_EVERY_NANOS) {
      return false;
    }
    checkedAt = now;
    return currentSize() >= maxSize;
  }

  private void rotate() {
    long current = currentSize();
    try {
      Files.move(file, file.resolveSibling(file.getFileName() + ".1"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rotate " + file, e);
    }
    rotated.incrementAndGet();
    rotatedBytes.addAndGet(current);
  }

  /** A size for people: {@code 950 B}, {@code 12.3 kB}, {@code 557.3 MB}. */
  static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
