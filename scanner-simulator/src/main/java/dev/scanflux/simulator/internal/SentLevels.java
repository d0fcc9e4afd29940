package dev.scanflux.simulator.internal;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One side of a book as a delta topic last sent it (price in ticks to the size text sent), for
 * the venues whose book channels push only the levels that changed (Gate futures'
 * {@code order_book_update}, Bybit's {@code orderbook} deltas). Best price first. Not
 * thread-safe: used under its topic's guard.
 */
public final class SentLevels {

  private final NavigableMap<Long, String> sent;

  private SentLevels(Comparator<Long> order) {
    this.sent = new TreeMap<>(order);
  }

  /** A bid side, highest price first, nothing sent yet. */
  public static SentLevels bids() {
    return new SentLevels(Collections.reverseOrder());
  }

  /** An ask side, lowest price first, nothing sent yet. */
  public static SentLevels asks() {
    return new SentLevels(Comparator.naturalOrder());
  }

  /** The levels as last sent, best first; a read-only view. */
  public Map<Long, String> sent() {
    return Collections.unmodifiableMap(sent);
  }

  /**
   * Takes {@code now} as the levels sent and returns what changed since the last ones, best
   * first: each level whose size text differs with its new size, and size {@code "0"} for each
   * level sent before and no longer in {@code now}.
   *
   * @param now  the side's levels now, in any order
   * @param size a level's size as the venue writes it
   * @return the changes, price in ticks to size text; empty if nothing changed
   */
  public Map<Long, String> advance(List<LiveBook.Level> now,
      Function<LiveBook.Level, String> size) {
    Map<Long, String> next = new TreeMap<>(sent.comparator());
    for (LiveBook.Level l : now) {
      next.put(l.ticks(), size.apply(l));
    }
    Map<Long, String> changes = new TreeMap<>(sent.comparator());
    sent.forEach((ticks, text) -> {
      if (!next.containsKey(ticks)) {
        changes.put(ticks, "0");
      }
    });
    next.forEach((ticks, text) -> {
      if (!text.equals(sent.get(ticks))) {
        changes.put(ticks, text);
      }
    });
    sent.clear();
    sent.putAll(next);
    return changes;
  }
}
