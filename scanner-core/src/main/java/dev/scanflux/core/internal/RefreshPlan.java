package dev.scanflux.core.internal;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.RequestKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One venue's refresh schedule: at each free slot of the venue's budget, what to fetch next.
 *
 * <p>The order of choice:
 * <ol>
 *   <li>a retry whose backoff has ended (a transient or throttled failure, at most {@code
 *       maxRetries} per item and pass);</li>
 *   <li>a priority item due now or before the next slot, the most overdue first, while it has a
 *       token; when an ordinary item is waiting too, taking the priority one spends a token.
 *       Every pick earns {@link #PRIORITY_SHARE} of a token, up to {@link #PRIORITY_BURST}: so
 *       priority items due together go at once, and a priority set too large for the budget
 *       gets {@code PRIORITY_SHARE} of it, interleaved with the tail, which never starves;</li>
 *   <li>the ordinary item fetched longest ago (never fetched first, in universe order) whose
 *       last fetch began at least {@code interval} ago;</li>
 *   <li>a priority item held back by the share limit.</li>
 * </ol>
 * Items that the venue's stream keeps live, that are in flight, or that back off after failures
 * are skipped.
 *
 * <p>A <em>pass</em> ends when every item of the universe has been refreshed (or tried and given
 * up) since the previous pass ended; an item the stream keeps live counts as refreshed.
 *
 * <p>Pure bookkeeping on a clock of nanoseconds that the caller gives; not thread-safe (the
 * lane calls it under its own lock).
 */
final class RefreshPlan {

  /** The share of the picks priority items may take when ordinary ones wait too. */
  static final double PRIORITY_SHARE = 0.5;
  /** How many priority picks may go in a row when ordinary ones wait. */
  static final double PRIORITY_BURST = 4;

  private final long priorityRefreshNanos;
  private final long intervalNanos;
  private final int maxRetries;
  private final Backoff backoff;
  private final Map<Key, Item> items = new HashMap<>();
  private final List<Item> order = new ArrayList<>();
  private double priorityTokens = PRIORITY_BURST;
  private int pending; // items not yet refreshed in the current pass
  private long passStart;
  private long passes;

  /** How long an item waits after its n-th consecutive failure. */
  interface Backoff {
    long nanos(int consecutiveFailures, ErrorClass failure);
  }

  RefreshPlan(long priorityRefreshNanos, long intervalNanos, int maxRetries, Backoff backoff,
      long nowNanos) {
    this.priorityRefreshNanos = priorityRefreshNanos;
    this.intervalNanos = intervalNanos;
    this.maxRetries = maxRetries;
    this.backoff = backoff;
    this.passStart = nowNanos;
  }

  /**
   * Sets the universe: items of instruments still listed keep their history, new ones are due
   * at once (after the priority ones), items of instruments no longer listed are dropped.
   *
   * @param instruments the instruments, priority ones first
   * @param isPriority  which instruments are priority
   * @param books       whether books are fetched
   * @param tickers     whether single tickers are fetched (false where bulk tickers are)
   * @param bulk        whether one bulk ticker request covers every ticker
   */
  void universe(List<Instrument> instruments, Predicate<Instrument> isPriority, boolean books,
      boolean tickers, boolean bulk, Weights weights) {
    Map<Key, Item> old = new HashMap<>(items);
    items.clear();
    order.clear();
    pending = 0;
    if (bulk && !instruments.isEmpty()) {
      add(old, new Key(RequestKind.TICKERS, null), false, weights.of(RequestKind.TICKERS));
    }
    for (Instrument i : instruments) {
      boolean prio = isPriority.test(i);
      if (books) {
        add(old, new Key(RequestKind.BOOK, i), prio, weights.of(RequestKind.BOOK));
      }
      if (tickers) {
        add(old, new Key(RequestKind.TICKER, i), prio, weights.of(RequestKind.TICKER));
      }
    }
  }

  /** The weight of each kind of request. */
  interface Weights {
    int of(RequestKind kind);
  }

  private void add(Map<Key, Item> old, Key key, boolean priority, int weight) {
    Item kept = old.get(key);
    Item item = kept != null ? kept : new Item(key, priority, weight);
    item.priority = priority;
    item.weight = weight;
    item.index = order.size();
    items.put(key, item);
    order.add(item);
    if (!item.doneInPass) {
      pending++;
    }
  }

  /** The number of items. */
  int size() {
    return order.size();
  }

  /**
   * The next item to fetch, now marked in flight; or null if none is due.
   *
   * @param now       the clock
   * @param leadNanos how far ahead a priority item may be taken: the time to the next slot
   * @param live      items the stream keeps live, skipped (and counted as refreshed)
   */
  @Nullable Item next(long now, long leadNanos, Predicate<Item> live) {
    Item retry = null;
    Item prio = null;
    Item ordinary = null;
    for (Item it : order) {
      if (it.inFlight || it.backoffUntil > now) {
        continue;
      }
      if (live.test(it)) {
        refreshedByStream(it);
        continue;
      }
      if (it.retryDue) {
        if (retry == null || it.backoffUntil < retry.backoffUntil) {
          retry = it;
        }
      } else if (it.priority) {
        if ((it.lastStart == Long.MIN_VALUE || it.lastStart + priorityRefreshNanos
            <= now + leadNanos) && (prio == null || it.olderThan(prio))) {
          prio = it;
        }
      } else if ((it.lastStart == Long.MIN_VALUE || it.lastStart + intervalNanos <= now)
          && (ordinary == null || it.olderThan(ordinary))) {
        ordinary = it;
      }
    }
    Item chosen;
    if (retry != null) {
      chosen = retry;
    } else if (prio != null && (ordinary == null || priorityTokens >= 1)) {
      chosen = prio;
      if (ordinary != null) {
        priorityTokens -= 1;
      }
    } else {
      chosen = ordinary != null ? ordinary : prio;
    }
    if (chosen != null) {
      priorityTokens = Math.min(PRIORITY_BURST, priorityTokens + PRIORITY_SHARE);
      chosen.inFlight = true;
      chosen.retryDue = false;
      chosen.lastStart = now;
    }
    return chosen;
  }

  /**
   * When the next item will be due, if nothing changes before; {@code Long.MAX_VALUE} if never
   * (everything in flight or live).
   */
  long nextDue(long now, Predicate<Item> live) {
    long due = Long.MAX_VALUE;
    for (Item it : order) {
      if (it.inFlight || live.test(it)) {
        continue;
      }
      long at;
      if (it.backoffUntil > now) {
        at = it.backoffUntil;
      } else if (it.retryDue || it.lastStart == Long.MIN_VALUE) {
        at = now;
      } else {
        at = it.lastStart + (it.priority ? priorityRefreshNanos : intervalNanos);
      }
      due = Math.min(due, at);
    }
    return due;
  }

  /** A fetch succeeded. */
  void succeeded(Item it, long now) {
    it.inFlight = false;
    it.failures = 0;
    it.retriesInPass = 0;
    it.lastError = null;
    it.lastOk = now;
    done(it);
  }

  /**
   * A fetch failed: retried soon if the class allows and retries remain in this pass, otherwise
   * given up for this pass and backed off.
   *
   * @return true if it will be retried in this pass
   */
  boolean failed(Item it, ErrorClass failure, long now) {
    it.inFlight = false;
    it.failures++;
    it.lastError = failure;
    boolean retryable = failure == ErrorClass.TRANSIENT || failure == ErrorClass.THROTTLED;
    if (retryable && it.retriesInPass < maxRetries) {
      it.retriesInPass++;
      it.retryDue = true;
      it.backoffUntil = failure == ErrorClass.THROTTLED ? now
          : now + backoff.nanos(it.retriesInPass, failure);
      return true;
    }
    it.retriesInPass = 0;
    it.backoffUntil = now + backoff.nanos(it.failures, failure);
    it.gaveUpInPass = true;
    done(it);
    return false;
  }

  /** A fetch was cancelled before it ended: due again, nothing counted. */
  void cancelled(Item it) {
    it.inFlight = false;
  }

  /** True if the item's current attempt is a retry of a failed one. */
  static boolean isRetry(Item it) {
    return it.retriesInPass > 0;
  }

  /** Counts streamed items as refreshed: call before asking whether the pass ended. */
  void sweepLive(Predicate<Item> live) {
    if (pending == 0) {
      return;
    }
    for (Item it : order) {
      if (!it.doneInPass && !it.inFlight && live.test(it)) {
        refreshedByStream(it);
      }
    }
  }

  private void refreshedByStream(Item it) {
    it.failures = 0;
    it.retryDue = false;
    it.lastError = null;
    done(it);
  }

  private void done(Item it) {
    if (!it.doneInPass && items.get(it.key) == it) {
      it.doneInPass = true;
      pending--;
    }
  }

  /**
   * Ends the pass if every item was refreshed or given up since it began and it lasted at
   * least {@code minPassNanos}.
   *
   * @return the ended pass, or null if it goes on
   */
  @Nullable Pass endPass(long now, long minPassNanos) {
    if (pending > 0 || now - passStart < minPassNanos) {
      return null;
    }
    int gaveUp = 0;
    for (Item it : order) {
      if (it.gaveUpInPass && it.lastOk < passStart) {
        gaveUp++;
      }
      it.gaveUpInPass = false;
      it.doneInPass = false;
    }
    pending = order.size();
    passes++;
    Pass p = new Pass(passes, passStart, now, order.size(), gaveUp);
    passStart = now;
    return p;
  }

  /** Items of the current pass not yet refreshed. */
  int pending() {
    return pending;
  }

  /** The least time between two fetches of one ordinary item. */
  long intervalNanos() {
    return intervalNanos;
  }

  /** Passes ended so far. */
  long passes() {
    return passes;
  }

  /** When the current pass began. */
  long passStart() {
    return passStart;
  }

  /** The item of a book or single ticker, if in the universe. */
  @Nullable Item item(RequestKind kind, @Nullable Instrument instrument) {
    return items.get(new Key(kind, instrument));
  }

  /** A completed pass. */
  record Pass(long number, long startNanos, long endNanos, int items, int gaveUp) {}

  /** Identity of an item: a kind and its instrument (none for bulk tickers). */
  record Key(RequestKind kind, @Nullable Instrument instrument) {}

  /** One thing to keep fresh: a book, a ticker, or the bulk tickers. */
  static final class Item {
    final Key key;
    boolean priority;
    int weight;
    int index;
    boolean inFlight;
    boolean retryDue;
    boolean doneInPass;
    boolean gaveUpInPass;
    int failures;
    int retriesInPass;
    long lastStart = Long.MIN_VALUE;
    long lastOk = Long.MIN_VALUE;
    long backoffUntil = Long.MIN_VALUE;
    @Nullable ErrorClass lastError;

    Item(Key key, boolean priority, int weight) {
      this.key = key;
      this.priority = priority;
      this.weight = weight;
    }

    RequestKind kind() {
      return key.kind();
    }

    @Nullable Instrument instrument() {
      return key.instrument();
    }

    boolean priority() {
      return priority;
    }

    int weight() {
      return weight;
    }

    int failures() {
      return failures;
    }

    @Nullable ErrorClass lastError() {
      return lastError;
    }

    private boolean olderThan(Item other) {
      return lastStart < other.lastStart || (lastStart == other.lastStart && index < other.index);
    }

    @Override
    public String toString() {
      return key.kind() + (key.instrument() == null ? "" : " " + key.instrument())
          + (priority ? " (priority)" : "");
    }
  }
}
