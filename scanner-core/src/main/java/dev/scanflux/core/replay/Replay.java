package dev.scanflux.core.replay;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.internal.Pacer;
import dev.scanflux.core.replay.internal.ScanWindows;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Plays recorded snapshots back: merges recordings in time order, paces them with their recorded
 * timing on a {@link Scheduler}, and groups them into {@link Scan}s for strategies.
 *
 * <p>The pieces compose with {@link Flux#transform}:
 *
 * <pre>{@code
 * Flux<Signal> signals = Replay.of(Path.of("binance.jsonl.gz"), Path.of("okx.jsonl.gz"))
 *     .transform(Replay.scans(Duration.ofSeconds(1), scheduler)) // one Scan per recorded second
 *     .transform(strategy);
 * }</pre>
 *
 * <h2>Timing</h2>
 * Without a scheduler, everything is emitted as fast as it is read. With one ({@link
 * #recordedTiming}, {@link #scans(Duration, Scheduler)}), each item is emitted when the
 * scheduler's clock, counted from the subscription, has advanced as far as the item is past the
 * start of the recording; an item already due is emitted without a timer. Under
 * {@code StepVerifier.withVirtualTime} a day of data thus replays in moments, and always
 * identically, provided the file is read on the thread that advances virtual time (read with
 * {@code RecordingReader.Builder.scheduler(Schedulers.immediate())}, or build the pipeline inside
 * the {@code withVirtualTime} supplier so the default scheduler is the virtual one).
 *
 * <p>Replay never alters a snapshot: its receive time stays the recorded one, so replayed data
 * equals recorded data and a scan's times are recorded times. The scheduler only decides
 * <em>when</em> items are emitted.
 */
public final class Replay {

  private static final int SNAPSHOT_PREFETCH = 256;
  private static final int SCAN_PREFETCH = 2;
  private static final Duration MAX_WINDOW = Duration.ofDays(1);

  private Replay() {}

  /**
   * Reads recordings with {@link RecordingReader#of} (gzip by file name, failing on the first bad
   * line) and merges them in receive-time order.
   *
   * @param recordings one or more recording files, e.g. one per venue
   * @return every snapshot of every recording, in receive-time order, as fast as they are read;
   *     fails with the first {@link RecordingFormatException} of any file
   * @throws IllegalArgumentException if no recording is given
   */
  public static Flux<MarketSnapshot> of(Path... recordings) {
    if (recordings.length == 0) {
      throw new IllegalArgumentException("recordings must hold at least 1 path but was empty");
    }
    List<Flux<MarketSnapshot>> sources = new ArrayList<>(recordings.length);
    for (Path p : recordings) {
      sources.add(RecordingReader.of(Objects.requireNonNull(p, "recording")).snapshots());
    }
    return merge(sources);
  }

  /**
   * Merges streams that are each in receive-time order into one in receive-time order. Snapshots
   * received at the same instant come in the order of the sources in the list, so the merge is
   * deterministic. Each source is read ahead by a bounded buffer; a snapshot is emitted once
   * every unfinished source has offered its next one.
   *
   * @param sources the time-ordered streams, e.g. one recording per venue
   * @return the merged stream; fails as soon as any source fails
   * @throws IllegalArgumentException if {@code sources} is empty
   */
  public static Flux<MarketSnapshot> merge(
      List<? extends Publisher<? extends MarketSnapshot>> sources) {
    Objects.requireNonNull(sources, "sources");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("sources must hold at least 1 publisher but was empty");
    }
    if (sources.size() == 1) {
      return Flux.from(Objects.requireNonNull(sources.get(0), "source"));
    }
    return Flux.mergeComparing(SNAPSHOT_PREFETCH, BY_RECEIVED_AT, toArray(sources));
  }

  /**
   * Merges streams that are each in receive-time order; see {@link #merge(List)}.
   *
   * @param sources the time-ordered streams
   * @return the merged stream
   */
  @SafeVarargs
  public static Flux<MarketSnapshot> merge(Publisher<? extends MarketSnapshot>... sources) {
    List<Publisher<? extends MarketSnapshot>> list = new ArrayList<>(sources.length);
    for (Publisher<? extends MarketSnapshot> source : sources) {
      list.add(source);
    }
    return merge(list);
  }

  /**
   * Paces snapshots with their recorded timing: use with {@link Flux#transform}. The first
   * snapshot is emitted at once on subscription; each later one when the scheduler's clock has
   * advanced by its receive time minus the first one's. Snapshots received at the same instant
   * are emitted together, without a timer; a gap costs one timer on {@code scheduler}.
   *
   * <p>Emissions after a gap happen on the scheduler's thread. If reading falls behind the clock,
   * late snapshots are emitted as soon as they are read, never dropped.
   *
   * @param scheduler the clock and timer, e.g. a {@code VirtualTimeScheduler} in tests
   * @param <T>       the snapshot type
   * @return a function from snapshots in receive-time order to the same snapshots, paced
   */
  public static <T extends MarketSnapshot> Function<Flux<T>, Flux<T>> recordedTiming(
      Scheduler scheduler) {
    Objects.requireNonNull(scheduler, "scheduler");
    return snapshots -> Pacer.pace(snapshots, MarketSnapshot::receivedAt,
        MarketSnapshot::receivedAt, scheduler, SNAPSHOT_PREFETCH);
  }

  /**
   * Groups snapshots into one {@link Scan} per window of receive time, as fast as they arrive:
   * use with {@link Flux#transform}.
   *
   * <p>Windows are aligned to the epoch: with a 1 s window, snapshots received from 12:00:00
   * (inclusive) to 12:00:01 (exclusive) make one scan that started at 12:00:00 and completed at
   * 12:00:01. The grouping depends only on the recorded times, never on a clock. Windows without
   * snapshots make no scan. A scan holds the latest snapshot of each venue, instrument and kind
   * of its window, as a live scan does, so it is bounded by the items, not by the snapshots; a
   * window of more than 100,000 items is cut into several scans of the same window, each of at
   * most that many. Scans are numbered from 1. Each scan's report has one {@link
   * dev.scanflux.core.VenueReport} per venue seen in the window, in venue-name order, counting
   * its snapshots (as requests and successes) and distinct instruments, its duration running to
   * the venue's last snapshot of the window; failures, latencies, weight and utilisation are zero,
   * as a recording does not hold them.
   *
   * <p>A window's scan is emitted when the first snapshot of a later window arrives, or when the
   * snapshots complete. The snapshots must be in receive-time order (a recording and {@link
   * #merge} are); otherwise the result fails with an {@link IllegalArgumentException} naming the
   * snapshot.
   *
   * @param window the window length, more than zero and at most one day
   * @return a function from time-ordered snapshots to scans
   * @throws IllegalArgumentException if the window is out of range
   */
  public static Function<Flux<? extends MarketSnapshot>, Flux<Scan>> scans(Duration window) {
    checkWindow(window);
    return snapshots -> ScanWindows.group(snapshots, window);
  }

  /**
   * Groups snapshots into scans as {@link #scans(Duration)} does, and emits each scan with the
   * recorded timing: when the scheduler's clock, counted from the subscription, has advanced as
   * far as the scan's {@link Scan#completedAt()} is past the first scan's {@link
   * Scan#startedAt()}. With a 1 s window and data starting on a whole second, scan {@code n}
   * (from 1) is emitted at {@code n} seconds of scheduler time, the moment its window closes.
   * This costs one timer per scan, not per snapshot.
   *
   * @param window    the window length, more than zero and at most one day
   * @param scheduler the clock and timer, e.g. a {@code VirtualTimeScheduler} in tests
   * @return a function from time-ordered snapshots to paced scans
   * @throws IllegalArgumentException if the window is out of range
   */
  public static Function<Flux<? extends MarketSnapshot>, Flux<Scan>> scans(Duration window,
      Scheduler scheduler) {
    checkWindow(window);
    Objects.requireNonNull(scheduler, "scheduler");
    return snapshots -> Pacer.pace(ScanWindows.group(snapshots, window), Scan::completedAt,
        Scan::startedAt, scheduler, SCAN_PREFETCH);
  }

  private static final Comparator<MarketSnapshot> BY_RECEIVED_AT =
      Comparator.comparing(MarketSnapshot::receivedAt);

  private static void checkWindow(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException(
          "window must be in (" + Duration.ZERO + ", " + MAX_WINDOW + "] but was " + window);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Publisher<? extends MarketSnapshot>[] toArray(
      List<? extends Publisher<? extends MarketSnapshot>> sources) {
    Publisher[] array = new Publisher[sources.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = Objects.requireNonNull(sources.get(i), "source");
    }
    return array;
  }
}
