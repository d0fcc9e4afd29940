package dev.scanflux.simulator.internal;

import dev.scanflux.core.model.BookSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A simulated instrument's streamed order book: levels that persist and change a few at a time,
 * as a venue's book does between a snapshot and its deltas. Prices are whole ticks of the
 * instrument; sizes are base units.
 *
 * <p>Each {@link #step()} follows the instrument's random walk (one step of
 * {@link SimInstrument#book}), so the streamed book stays around the price the REST side
 * serves: levels the new best bid and ask cross are removed, the best levels set, a few sizes
 * changed, one level sometimes removed or added, and each side kept at its depth. Not
 * thread-safe: a protocol uses it from the simulator's stream thread.
 */
public final class LiveBook {

  /**
   * One changed level.
   *
   * @param ticks the price in ticks of the instrument
   * @param size  the new size in base units; 0 removes the level
   */
  public record Level(long ticks, double size) {}

  /**
   * What one step changed, each side best first.
   *
   * @param bids changed bid levels
   * @param asks changed ask levels
   */
  public record Delta(List<Level> bids, List<Level> asks) {}

  private final SimInstrument instrument;
  private final int depth;
  private final double tick;
  private final SplittableRandom random;
  private final NavigableMap<Long, Double> bids = new TreeMap<>(Collections.reverseOrder());
  private final NavigableMap<Long, Double> asks = new TreeMap<>();

  /**
   * A book of {@code depth} levels per side around the instrument's price now.
   *
   * @param instrument the instrument
   * @param depth      levels per side
   * @param seed       seeds the changes
   */
  public LiveBook(SimInstrument instrument, int depth, long seed) {
    this.instrument = instrument;
    this.depth = depth;
    this.tick = Math.pow(10, -instrument.priceDecimals());
    this.random = new SplittableRandom(seed * 31 + instrument.index());
    SimInstrument.Book b = instrument.book(depth, false);
    for (int i = 0; i < b.depth(); i++) {
      bids.put(ticks(b.bids()[2 * i]), b.bids()[2 * i + 1]);
      asks.put(ticks(b.asks()[2 * i]), b.asks()[2 * i + 1]);
    }
  }

  /** The instrument. */
  public SimInstrument instrument() {
    return instrument;
  }

  /** A price in ticks as a price. */
  public double price(long ticks) {
    return ticks * tick;
  }

  /** The top {@code n} bid levels, best first. */
  public List<Level> bids(int n) {
    return top(bids, n);
  }

  /** The top {@code n} ask levels, best first. */
  public List<Level> asks(int n) {
    return top(asks, n);
  }

  /**
   * The top {@code n} levels per side as a client of a protocol reads them: each price and size
   * parsed from the text the protocol writes for it, the book stamped {@code at}. What the
   * protocols' {@link WsProtocol#streamedBook} return.
   *
   * @param book  a builder for the venue and instrument, filled and built
   * @param price a level's price as the protocol writes it
   * @param size  a level's size as the protocol writes it
   * @param at    the book's exchange and receive time
   */
  public BookSnapshot streamed(BookSnapshot.Builder book, int n, Function<Level, String> price,
      Function<Level, String> size, Instant at) {
    for (Level l : bids(n)) {
      book.bid(Double.parseDouble(price.apply(l)), Double.parseDouble(size.apply(l)));
    }
    for (Level l : asks(n)) {
      book.ask(Double.parseDouble(price.apply(l)), Double.parseDouble(size.apply(l)));
    }
    return book.exchangeTime(at).receivedAt(at).build();
  }

  /** Evolves the book one step and returns what changed. */
  public Delta step() {
    SimInstrument.Book top = instrument.book(1, false);
    long bestBid = ticks(top.bids()[0]);
    long bestAsk = ticks(top.asks()[0]);
    Map<Long, Double> bidChanges = new TreeMap<>(Collections.reverseOrder());
    Map<Long, Double> askChanges = new TreeMap<>();
    evolve(bids, bidChanges, bestBid, top.bids()[1], true);
    evolve(asks, askChanges, bestAsk, top.asks()[1], false);
    return new Delta(levels(bidChanges), levels(askChanges));
  }

  private void evolve(NavigableMap<Long, Double> side, Map<Long, Double> changes, long best,
      double bestSize, boolean bid) {
    // Levels the new best price crosses go; the best level is set.
    for (Long t : List.copyOf(side.headMap(best, false).keySet())) {
      side.remove(t);
      changes.put(t, 0.0);
    }
    if (!side.containsKey(best)) {
      put(side, changes, best, bestSize);
    }
    // A few sizes change, mostly near the top.
    int changed = 1 + random.nextInt(3);
    for (int k = 0; k < changed && !side.isEmpty(); k++) {
      int index = Math.min(side.size() - 1, (int) Math.abs(random.nextGaussian() * 5));
      long t = nth(side, index);
      put(side, changes, t, size(index));
    }
    // Sometimes a level below the top is cancelled or a gap is filled.
    if (side.size() > 2 && random.nextInt(4) == 0) {
      long t = nth(side, 1 + random.nextInt(Math.min(side.size() - 1, 20)));
      side.remove(t);
      changes.put(t, 0.0);
    }
    if (random.nextInt(4) == 0) {
      long t = best + (bid ? -1 : 1) * (1 + random.nextInt(10));
      if (t > 0 && !side.containsKey(t)) {
        put(side, changes, t, size(5));
      }
    }
    // The side keeps its depth: the worst levels beyond go, new ones are added below.
    while (side.size() > depth) {
      long t = side.lastKey();
      side.remove(t);
      changes.put(t, 0.0);
    }
    while (side.size() < depth) {
      long t = side.isEmpty() ? best : side.lastKey() + (bid ? -1 : 1) * (1 + random.nextInt(3));
      if (t <= 0) {
        break;
      }
      put(side, changes, t, size(side.size()));
    }
  }

  private static void put(NavigableMap<Long, Double> side, Map<Long, Double> changes, long t,
      double size) {
    side.put(t, size);
    changes.put(t, size);
  }

  private double size(int level) {
    double notional = 500 + 20_000 * random.nextDouble() * (1 + level * 0.3);
    return Math.max(Math.pow(10, -instrument.sizeDecimals()), notional / instrument.mid());
  }

  private long ticks(double price) {
    return Math.round(price / tick);
  }

  private static long nth(NavigableMap<Long, Double> side, int index) {
    int i = 0;
    for (Long t : side.keySet()) {
      if (i++ == index) {
        return t;
      }
    }
    throw new IndexOutOfBoundsException(index);
  }

  private static List<Level> top(NavigableMap<Long, Double> side, int n) {
    List<Level> out = new ArrayList<>(Math.min(n, side.size()));
    for (Map.Entry<Long, Double> e : side.entrySet()) {
      if (out.size() == n) {
        break;
      }
      out.add(new Level(e.getKey(), e.getValue()));
    }
    return out;
  }

  private static List<Level> levels(Map<Long, Double> changes) {
    List<Level> out = new ArrayList<>(changes.size());
    changes.forEach((t, s) -> out.add(new Level(t, s)));
    return out;
  }
}
