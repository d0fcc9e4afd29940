package dev.scanflux.simulator.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.scanflux.core.model.BookSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * An instrument's book as a full-book WebSocket format streams it (every message the whole top
 * of the book, no deltas): a {@link LiveBook} stepped at most once per tick, the time of its last
 * change, and the venue's {@code [price, size]} text levels. Shared by every connection; used on
 * the simulator's stream thread only.
 */
public final class StreamedBook {

  private final LiveBook book;
  private final LongSupplier clock;
  private long time;
  private long steppedAtTick = -1;

  /**
   * @param instrument the instrument
   * @param depth      levels per side kept
   * @param seed       seeds the changes
   * @param clock      milliseconds now
   */
  public StreamedBook(SimInstrument instrument, int depth, long seed, LongSupplier clock) {
    this.book = new LiveBook(instrument, depth, seed);
    this.clock = clock;
    this.time = clock.getAsLong();
  }

  /** The book. */
  public LiveBook book() {
    return book;
  }

  /** The instrument. */
  public SimInstrument instrument() {
    return book.instrument();
  }

  /** When it last changed, in milliseconds. */
  public long time() {
    return time;
  }

  /** Steps the book and stamps it now, once per {@code tick} whatever the channels asking. */
  public void step(long tick) {
    if (steppedAtTick != tick) {
      steppedAtTick = tick;
      book.step();
      time = clock.getAsLong();
    }
  }

  /** A level's price as the venue writes it. */
  public String px(LiveBook.Level l) {
    return instrument().px(book.price(l.ticks()));
  }

  /** A level's size as the venue writes it. */
  public String qty(LiveBook.Level l) {
    return instrument().qty(l.size());
  }

  /** Levels as {@code [["price","size"], ...]} text, in the order given. */
  public ArrayNode levels(List<LiveBook.Level> side) {
    ArrayNode a = Json.array();
    for (LiveBook.Level l : side) {
      a.addArray().add(px(l)).add(qty(l));
    }
    return a;
  }

  /** The top {@code depth} levels as a client reads them, stamped with the last change. */
  public BookSnapshot streamed(BookSnapshot.Builder builder, int depth) {
    return book.streamed(builder, depth, this::px, this::qty, Instant.ofEpochMilli(time));
  }
}
