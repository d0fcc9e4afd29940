package dev.scanflux.core.replay;

import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.internal.RecordingOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of snapshots to a file as JSON Lines, optionally gzipped, streaming: each
 * snapshot is written as it arrives, so a recording of any length needs no memory beyond a
 * bounded buffer.
 *
 * <pre>{@code
 * Mono<Long> written = RecordingWriter.builder(Path.of("session.jsonl.gz"))
 *     .venues(scanner.venues())
 *     .build()
 *     .write(scanner.snapshots().take(Duration.ofHours(1)));
 * }</pre>
 *
 * <h2>Format</h2>
 * Line 1 is a header, {@code {"format":"scanflux-recording","version":1,"venues":[...],
 * "createdAt":"..."}}; every further line is one snapshot, {@code {"type":"book",...}} or {@code
 * {"type":"ticker",...}}. Times are integer nanoseconds since the epoch and doubles are written
 * in their shortest exact form, so a snapshot read back with {@link RecordingReader} equals the
 * one written; an unreported 24-hour ticker figure (NaN) is written as {@code null}. See {@code
 * docs/replay.md} for the full format.
 *
 * <p>Snapshots must arrive in receive-time order (equal times allowed), as a recording promises
 * its readers that order. The header's venues are the ones declared with {@link
 * Builder#venues}, since a stream's venues are not known when its first line is written; when
 * some are declared, a snapshot from any other venue fails the write.
 *
 * <h2>Threading</h2>
 * The file is created, written and closed on the writer's scheduler (default {@link
 * Schedulers#boundedElastic()}, looked up at subscription), never on the thread that emits the
 * snapshots; the source is read ahead by a bounded buffer. Instances are immutable and
 * thread-safe.
 */
public final class RecordingWriter {

  private static final int PREFETCH = 256;

  private final Path path;
  private final boolean gzip;
  private final List<String> venues;
  private final @Nullable Scheduler scheduler;

  private RecordingWriter(Builder b) {
    this.path = b.path;
    this.gzip = b.gzip != null ? b.gzip : RecordingReader.isGzipName(b.path);
    this.venues = List.copyOf(b.venues);
    this.scheduler = b.scheduler;
  }

  /**
   * A writer with the defaults: gzip when the name ends in {@code .gz}, no declared venues,
   * writing on {@link Schedulers#boundedElastic()}.
   *
   * @param path the file to create, or to replace if it exists
   * @return the writer; nothing is created until {@link #write} is subscribed
   */
  public static RecordingWriter of(Path path) {
    return builder(path).build();
  }

  /**
   * A builder for a writer of one file.
   *
   * @param path the file to create, or to replace if it exists
   * @return a new builder; not thread-safe
   */
  public static Builder builder(Path path) {
    return new Builder(path);
  }

  /** The file written. */
  public Path path() {
    return path;
  }

  /** True if the file is gzipped. */
  public boolean gzip() {
    return gzip;
  }

  /** The venues declared in the header, possibly none. */
  public List<String> venues() {
    return venues;
  }

  /**
   * Writes the snapshots to the file, replacing it. Cold: each subscription writes the file anew
   * from the header on; the header's creation time is the scheduler's clock at that moment.
   *
   * @param snapshots the snapshots, in receive-time order
   * @return emits the number of snapshots written once the file is complete and closed. Fails
   *     with the I/O error if the file cannot be written, or with an {@link
   *     IllegalArgumentException} naming the snapshot if one is out of receive-time order or
   *     from an undeclared venue; the file is then closed holding the snapshots before it.
   *     Cancelling stops writing and closes the file (on the writer's scheduler).
   */
  public Mono<Long> write(Publisher<? extends MarketSnapshot> snapshots) {
    Objects.requireNonNull(snapshots, "snapshots");
    return Mono.defer(() -> {
      Scheduler io = scheduler != null ? scheduler : Schedulers.boundedElastic();
      return Mono.usingWhen(
              Mono.fromCallable(() -> RecordingOutput.create(path, gzip, new RecordingHeader(
                  RecordingHeader.CURRENT_VERSION, venues,
                  Instant.ofEpochMilli(io.now(TimeUnit.MILLISECONDS))))),
              out -> Flux.<MarketSnapshot>from(snapshots)
                  .publishOn(io, PREFETCH)
                  .<Void>handle((s, sink) -> {
                    try {
                      out.write(s);
                    } catch (IOException e) {
                      sink.error(e);
                    }
                  })
                  .then(Mono.fromCallable(out::written)),
              out -> Mono.fromCallable(() -> {
                out.close();
                return out;
              }),
              (out, error) -> Mono.fromRunnable(() -> out.closeAfter(error)),
              out -> Mono.fromRunnable(out::closeLogged).subscribeOn(io))
          .subscribeOn(io);
    });
  }

  @Override
  public String toString() {
    return "RecordingWriter{" + path + (gzip ? ", gzip" : "") + ", venues " + venues + '}';
  }

  /** Configures a {@link RecordingWriter}. Not thread-safe. */
  public static final class Builder {
    private final Path path;
    private @Nullable Boolean gzip;
    private final List<String> venues = new ArrayList<>();
    private @Nullable Scheduler scheduler;

    private Builder(Path path) {
      this.path = Objects.requireNonNull(path, "path");
    }

    /** Whether to gzip the file. Default: true when the file name ends in {@code .gz}. */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /**
     * The venues the recording holds, written to the header; only these may then be written.
     * Replaces any venues set before. Default: none declared, any venue allowed.
     *
     * @throws IllegalArgumentException if a venue is blank or given twice
     */
    public Builder venues(String... venues) {
      return venues(List.of(venues));
    }

    /**
     * The venues the recording holds; see {@link #venues(String...)}.
     *
     * @throws IllegalArgumentException if a venue is blank or given twice
     */
    public Builder venues(Collection<String> venues) {
      LinkedHashSet<String> distinct = new LinkedHashSet<>();
      for (String v : venues) {
        Objects.requireNonNull(v, "venue");
        if (v.isBlank() || !distinct.add(v)) {
          throw new IllegalArgumentException(
              "venues must be distinct and not blank but were " + venues);
        }
      }
      this.venues.clear();
      this.venues.addAll(distinct);
      return this;
    }

    /**
     * The scheduler the file is created, written and closed on; it must allow blocking, and its
     * clock dates the header. Default: {@link Schedulers#boundedElastic()}, looked up at each
     * subscription.
     */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Builds the writer; nothing is created until {@link RecordingWriter#write} is subscribed. */
    public RecordingWriter build() {
      return new RecordingWriter(this);
    }
  }
}
