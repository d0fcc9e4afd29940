package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.BookSnapshot;
import java.util.Arrays;

/**
 * One side of a book as a venue sent it, put best first before it is cut to a depth: bids by
 * descending price, asks by ascending price, whatever order the venue used (BingX sends its asks
 * worst first, Binance best first). Sources never depend on a venue's ordering.
 *
 * <p>A level with an invalid price or size (NaN, not above zero, infinite; a size below zero)
 * anywhere on the side is handed to the builder first, so that the book is rejected with the
 * builder's defect rather than the level silently cut away. Two levels at one price stay two,
 * which the builder rejects as unsorted, unless the side {@linkplain #summing() sums} them (a
 * list of orders rather than of levels). Not thread-safe; one instance per side per book.
 */
public final class Levels {

  private final boolean bids;
  private final boolean sum;
  private double[] prices = new double[16];
  private double[] sizes = new double[16];
  private int count;

  private Levels(boolean bids, boolean sum) {
    this.bids = bids;
    this.sum = sum;
  }

  /** An empty bid side. */
  public static Levels bids() {
    return new Levels(true, false);
  }

  /** An empty ask side. */
  public static Levels asks() {
    return new Levels(false, false);
  }

  /** This side, but summing the sizes of entries at one price into one level (order lists). */
  public Levels summing() {
    return new Levels(bids, true);
  }

  /** Adds one level (or order) in the venue's order. */
  public Levels add(double price, double size) {
    if (count == prices.length) {
      prices = Arrays.copyOf(prices, count * 2);
      sizes = Arrays.copyOf(sizes, count * 2);
    }
    prices[count] = price;
    sizes[count] = size;
    count++;
    return this;
  }

  /** Levels added so far. */
  public int size() {
    return count;
  }

  /** Adds the best {@code depth} levels to {@code book}'s side, best first. */
  public void into(BookSnapshot.Builder book, int depth) {
    for (int k = 0; k < count; k++) {
      if (!valid(prices[k], sizes[k])) {
        add(book, prices[k], sizes[k]);
        return;
      }
    }
    Integer[] order = new Integer[count];
    for (int k = 0; k < count; k++) {
      order[k] = k;
    }
    // A stable sort: already-ordered sides (most venues) stay as they are.
    Arrays.sort(order, (a, b) -> bids ? Double.compare(prices[b], prices[a])
        : Double.compare(prices[a], prices[b]));
    int levels = 0;
    for (int k = 0; k < count && levels < depth; ) {
      double price = prices[order[k]];
      double size = sizes[order[k]];
      k++;
      while (sum && k < count && prices[order[k]] == price) {
        size += sizes[order[k]];
        k++;
      }
      add(book, price, size);
      levels++;
    }
  }

  private void add(BookSnapshot.Builder book, double price, double size) {
    if (bids) {
      book.bid(price, size);
    } else {
      book.ask(price, size);
    }
  }

  private static boolean valid(double price, double size) {
    return price > 0 && price != Double.POSITIVE_INFINITY && size >= 0
        && size != Double.POSITIVE_INFINITY;
  }
}
