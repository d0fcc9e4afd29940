package dev.scanflux.exchanges.internal.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * One instrument's order book as a venue streams it: a snapshot, then deltas that set a price
 * level's size, a size of zero removing the level.
 *
 * <p>Each side is a sorted array, best level first, holding the parsed price and size for
 * ordering and snapshots next to the price and size text exactly as the venue sent it, for the
 * venue's checksum. A level update is a binary search plus, for an insert or a removal, one
 * array shift; books of a few hundred levels change mostly near the top, where that is cheap.
 *
 * <p>Applying a delta never validates the book: the caller applies a whole message, then asks
 * {@link #crossed()} (and compares a checksum if the venue sends one) before it emits
 * {@link #snapshot}. Not thread-safe: one book per instrument, used from the connection's thread.
 */
public final class LocalBook {

  private static final int OKX_CHECKSUM_LEVELS = 25;

  private final Side bids = new Side(true);
  private final Side asks = new Side(false);
  private final int maxLevels;
  private final CRC32 crc = new CRC32();
  private byte[] scratch = new byte[1024];
  private long sequence = -1;

  /** A book without a level limit. */
  public LocalBook() {
    this(Integer.MAX_VALUE);
  }

  /**
   * A book that keeps at most {@code maxLevels} per side, dropping the worst levels beyond, as
   * venues that stop sending deletes for levels leaving the subscribed depth require.
   *
   * @param maxLevels levels kept per side, at least 1
   */
  public LocalBook(int maxLevels) {
    if (maxLevels < 1) {
      throw new IllegalArgumentException("maxLevels must be at least 1 but was " + maxLevels);
    }
    this.maxLevels = maxLevels;
  }

  /** Removes every level and forgets the sequence; before a new snapshot. */
  public void clear() {
    bids.clear();
    asks.clear();
    sequence = -1;
  }

  /**
   * Sets a bid level.
   *
   * @param price the price as the venue wrote it
   * @param size  the size as the venue wrote it; zero removes the level
   * @throws IllegalArgumentException if either is not a number, the price is not above zero or
   *     the size is negative (a {@link NumberFormatException} for text that is not a number)
   */
  public void bid(String price, String size) {
    bids.set(price, size, maxLevels);
  }

  /** Sets an ask level; see {@link #bid}. */
  public void ask(String price, String size) {
    asks.set(price, size, maxLevels);
  }

  /**
   * Sets every level of two JSON arrays of {@code [price, size, ...]} levels, as most venues
   * write them (Binance, Bybit): the price and size text as sent, a zero size removing a level.
   *
   * @throws IllegalArgumentException if either is not an array or a level is unreadable; the
   *     levels before it are set
   */
  public void set(JsonNode bids, JsonNode asks) {
    if (!bids.isArray() || !asks.isArray()) {
      throw new IllegalArgumentException("no bid or ask array");
    }
    for (JsonNode level : bids) {
      bid(level.path(0).asText(""), level.path(1).asText(""));
    }
    for (JsonNode level : asks) {
      ask(level.path(0).asText(""), level.path(1).asText(""));
    }
  }

  /**
   * Drops the worst levels beyond {@code levels} per side: for venues that keep a book to a
   * depth, once a whole message is applied (trimming while applying it could drop a level the
   * same message's deletions would have kept inside the depth).
   *
   * @param levels levels kept per side, at least 1
   */
  public void trim(int levels) {
    if (levels < 1) {
      throw new IllegalArgumentException("levels must be at least 1 but was " + levels);
    }
    while (bids.n > levels) {
      bids.remove(bids.n - 1);
    }
    while (asks.n > levels) {
      asks.remove(asks.n - 1);
    }
  }

  /** True when both sides have levels and the best bid is at or above the best ask. */
  public boolean crossed() {
    return bids.n > 0 && asks.n > 0 && bids.value(0) >= asks.value(0);
  }

  /** The venue's update id of the last message applied, as the caller set it; -1 if none. */
  public long sequence() {
    return sequence;
  }

  /** Records the venue's update id of the message just applied. */
  public void sequence(long sequence) {
    this.sequence = sequence;
  }

  /** Bid levels held. */
  public int bidLevels() {
    return bids.n;
  }

  /** Ask levels held. */
  public int askLevels() {
    return asks.n;
  }

  /** The {@code i}th best bid price, 0 being the best. */
  public double bidPrice(int i) {
    return bids.value(bids.check(i));
  }

  /** The size at the {@code i}th best bid. */
  public double bidSize(int i) {
    return bids.sizes[bids.check(i)];
  }

  /** The {@code i}th best ask price. */
  public double askPrice(int i) {
    return asks.value(asks.check(i));
  }

  /** The size at the {@code i}th best ask. */
  public double askSize(int i) {
    return asks.sizes[asks.check(i)];
  }

  /** The {@code i}th best bid price as the venue wrote it. */
  public String bidPriceText(int i) {
    return bids.priceTexts[bids.check(i)];
  }

  /** The size at the {@code i}th best bid as the venue wrote it. */
  public String bidSizeText(int i) {
    return bids.sizeTexts[bids.check(i)];
  }

  /** The {@code i}th best ask price as the venue wrote it. */
  public String askPriceText(int i) {
    return asks.priceTexts[asks.check(i)];
  }

  /** The size at the {@code i}th best ask as the venue wrote it. */
  public String askSizeText(int i) {
    return asks.sizeTexts[asks.check(i)];
  }

  /**
   * The top {@code depth} levels per side as a snapshot.
   *
   * @param venue        the venue's name
   * @param instrument   the instrument
   * @param depth        levels per side wanted, at least 1; fewer if the book holds fewer
   * @param contractSize base units per size unit, 1 for books in base units
   * @param exchangeTime when the venue produced the last message applied, or {@code receivedAt}
   *                     when the venue did not say (the scanner then takes it for unknown)
   * @param receivedAt   when the last message applied was received, on the stream's clock
   * @throws dev.scanflux.core.model.InvalidSnapshotException if the book is crossed or holds
   *     invalid levels; ask {@link #crossed()} first
   */
  public BookSnapshot snapshot(String venue, Instrument instrument, int depth,
      double contractSize, Instant exchangeTime, Instant receivedAt) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1 but was " + depth);
    }
    BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument)
        .exchangeTime(exchangeTime).receivedAt(receivedAt);
    if (contractSize != 1) {
      b.contractSize(contractSize);
    }
    for (int i = 0, n = Math.min(depth, bids.n); i < n; i++) {
      b.bid(bids.value(i), bids.sizes[i]);
    }
    for (int i = 0, n = Math.min(depth, asks.n); i < n; i++) {
      b.ask(asks.value(i), asks.sizes[i]);
    }
    return b.build();
  }

  /**
   * OKX's checksum: the CRC32, as a signed 32-bit integer, of the top 25 levels of both sides
   * interleaved as {@code bidPx:bidSz:askPx:askSz:...}, using the text the venue sent; where one
   * side has fewer levels the other side's go on alone.
   */
  public int okxChecksum() {
    int len = 0;
    for (int i = 0; i < OKX_CHECKSUM_LEVELS; i++) {
      if (i < bids.n) {
        len = append(len, bids.priceTexts[i]);
        len = append(len, bids.sizeTexts[i]);
      }
      if (i < asks.n) {
        len = append(len, asks.priceTexts[i]);
        len = append(len, asks.sizeTexts[i]);
      }
    }
    crc.reset();
    crc.update(scratch, 0, Math.max(0, len - 1));
    return (int) crc.getValue();
  }

  @Override
  public String toString() {
    return "LocalBook[" + bids.n + " bids" + (bids.n > 0 ? " from " + bids.priceTexts[0] : "")
        + ", " + asks.n + " asks" + (asks.n > 0 ? " from " + asks.priceTexts[0] : "")
        + ", sequence " + sequence + "]";
  }

  /** Appends {@code text} and a colon (prices and sizes are ASCII). */
  private int append(int len, String text) {
    int need = len + text.length() + 1;
    if (need > scratch.length) {
      scratch = Arrays.copyOf(scratch, Math.max(need, scratch.length * 2));
    }
    for (int k = 0; k < text.length(); k++) {
      scratch[len++] = (byte) text.charAt(k);
    }
    scratch[len++] = ':';
    return len;
  }

  /** One side, best first; keys ascending (bids store the negated price). */
  private static final class Side {
    private final boolean bids;
    private double[] keys = new double[64];
    private double[] sizes = new double[64];
    private String[] priceTexts = new String[64];
    private String[] sizeTexts = new String[64];
    private int n;

    Side(boolean bids) {
      this.bids = bids;
    }

    double value(int i) {
      return bids ? -keys[i] : keys[i];
    }

    int check(int i) {
      if (i < 0 || i >= n) {
        throw new IndexOutOfBoundsException("level " + i + " of " + n);
      }
      return i;
    }

    void clear() {
      Arrays.fill(priceTexts, 0, n, null);
      Arrays.fill(sizeTexts, 0, n, null);
      n = 0;
    }

    void set(String priceText, String sizeText, int maxLevels) {
      double price = Double.parseDouble(priceText);
      double size = Double.parseDouble(sizeText);
      if (!(price > 0) || Double.isInfinite(price)) {
        throw new IllegalArgumentException("price must be finite and above 0 but was "
            + priceText);
      }
      if (!(size >= 0) || Double.isInfinite(size)) {
        throw new IllegalArgumentException("size must be finite and not negative but was "
            + sizeText);
      }
      double key = bids ? -price : price;
      int at = Arrays.binarySearch(keys, 0, n, key);
      if (size == 0) {
        if (at >= 0) {
          remove(at);
        }
      } else if (at >= 0) {
        sizes[at] = size;
        priceTexts[at] = priceText;
        sizeTexts[at] = sizeText;
      } else {
        int insert = -at - 1;
        if (insert >= maxLevels) {
          return;
        }
        insert(insert, key, size, priceText, sizeText);
        if (n > maxLevels) {
          remove(n - 1);
        }
      }
    }

    private void insert(int at, double key, double size, String priceText, String sizeText) {
      if (n == keys.length) {
        int capacity = n * 2;
        keys = Arrays.copyOf(keys, capacity);
        sizes = Arrays.copyOf(sizes, capacity);
        priceTexts = Arrays.copyOf(priceTexts, capacity);
        sizeTexts = Arrays.copyOf(sizeTexts, capacity);
      }
      int tail = n - at;
      System.arraycopy(keys, at, keys, at + 1, tail);
      System.arraycopy(sizes, at, sizes, at + 1, tail);
      System.arraycopy(priceTexts, at, priceTexts, at + 1, tail);
      System.arraycopy(sizeTexts, at, sizeTexts, at + 1, tail);
      keys[at] = key;
      sizes[at] = size;
      priceTexts[at] = priceText;
      sizeTexts[at] = sizeText;
      n++;
    }

    private void remove(int at) {
      int tail = n - at - 1;
      System.arraycopy(keys, at + 1, keys, at, tail);
      System.arraycopy(sizes, at + 1, sizes, at, tail);
      System.arraycopy(priceTexts, at + 1, priceTexts, at, tail);
      System.arraycopy(sizeTexts, at + 1, sizeTexts, at, tail);
      n--;
      priceTexts[n] = null;
      sizeTexts[n] = null;
    }
  }
}
