package dev.scanflux.exchanges.internal.stream;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One book's wait for the snapshot of its subscription, on a venue that answers each
 * (un)subscription of a book and then sends its snapshot, in that order on the connection (OKX,
 * Kraken v2). It tells an update of the old subscription still in flight after a resubscription,
 * to drop however many a lagging reader finds queued, from an update that shows the snapshot
 * lost: one after the venue answered the resubscription, or on the connection's first
 * subscription any update before the snapshot. {@link #MAX_UNANSWERED} updates with no answer at
 * all count as lost too (the answers were lost with the snapshot, as in a stretch where the venue
 * sent nothing).
 *
 * <p>It also guards a resubscription waiting for its {@link ResyncBackoff}: the book's updates
 * are dropped meanwhile, and the resubscription is not sent if the snapshot came first (a
 * snapshot is taken whenever it comes) or the book was resubscribed since.
 *
 * <p>Not thread-safe: one per book, used from its connection, which handles its inputs one at a
 * time.
 */
public final class SnapshotWait {

  /**
   * Updates dropped while the snapshot of a resubscription is awaited and the venue answered
   * neither the unsubscription nor the subscription, before the snapshot is taken as lost. The
   * old subscription's updates queued ahead of the answers may be many on a loaded reader (at a
   * 100 ms pace, 50 updates are 5 s of lag, seen under load): the answers, not this count, are
   * what normally ends the wait.
   */
  public static final int MAX_UNANSWERED = 500;

  private final String venue;
  /** The book was subscribed before on this connection: its old updates may still come. */
  private boolean resubscribed;
  /** The venue answered the last resubscription: the next book message is its snapshot. */
  private boolean answered;
  /** Updates dropped since the last resubscription, neither answer seen. */
  private int unanswered;
  /** A resubscription waits for its backoff. */
  private boolean waiting;
  /** Counts resyncs: a resubscription waiting for its backoff is sent only if none followed. */
  private int epoch;

  /** @param venue the venue's name as its messages read, {@code OKX}: it names the answers */
  public SnapshotWait(String venue) {
    this.venue = Objects.requireNonNull(venue, "venue");
  }

  /**
   * The book's unsubscription and subscription are being sent: the old subscription's updates
   * may still come until the venue answers. A resubscription waiting for its backoff is not
   * sent any more.
   */
  public void resubscribing() {
    resubscribed = true;
    answered = false;
    unanswered = 0;
    waiting = false;
  }

  /**
   * The venue answered the book's unsubscription or subscription: its snapshot comes next, any
   * update before it means the snapshot was lost.
   */
  public void answered() {
    answered = true;
  }

  /** The book's snapshot came: taken, and a resubscription waiting for its backoff not sent. */
  public void snapshot() {
    waiting = false;
    answered = false;
  }

  /** A resubscription waits for its backoff: the book's updates are dropped meanwhile. */
  public boolean waiting() {
    return waiting;
  }

  /**
   * An update of the book before its snapshot.
   *
   * @return null if it is dropped (one of the old subscription's), or why the snapshot counts as
   *     lost (the caller resyncs with {@code SEQUENCE_GAP})
   */
  public @Nullable String update() {
    if (answered || !resubscribed) {
      return "an update before the snapshot of the " + (resubscribed
          ? "resubscription, which " + venue + " answered" : "subscription")
          + ": the snapshot was lost";
    }
    if (++unanswered > MAX_UNANSWERED) {
      return "no snapshot and no answer to the resubscription after " + MAX_UNANSWERED
          + " updates";
    }
    return null;
  }

  /**
   * A resync: from now the book waits for {@code resubscribe}, which the returned action runs
   * unless a snapshot came or another resync or resubscription was made before it runs. Hand it
   * to {@link ResyncBackoff#resubscribe}, which runs it at once or after the backoff.
   */
  public Runnable resync(Runnable resubscribe) {
    Objects.requireNonNull(resubscribe, "resubscribe");
    int mine = ++epoch;
    waiting = true;
    return () -> {
      if (waiting && epoch == mine) {
        waiting = false;
        resubscribe.run();
      }
    };
  }
}
