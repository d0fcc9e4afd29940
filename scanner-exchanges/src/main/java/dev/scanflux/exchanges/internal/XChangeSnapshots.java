package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.knowm.xchange.dto.marketdata.OrderBook;
import org.knowm.xchange.dto.marketdata.Ticker;
import org.knowm.xchange.dto.trade.LimitOrder;
import reactor.core.scheduler.Scheduler;

/**
 * XChange's order books and tickers as Scanflux snapshots: the one conversion of the XChange
 * REST source ({@link XChangeSource}), so XChange types stop here. Stateless apart from its
 * settings; thread-safe.
 */
public final class XChangeSnapshots {

  private final String venue;
  private final Scheduler clock;
  private final boolean bookTimestamps;

  /**
   * @param venue          the venue's name in the snapshots
   * @param clock          the clock of receive times
   * @param bookTimestamps whether the venue's books carry its own timestamp, used as the
   *                       exchange time; otherwise the receive time is
   */
  public XChangeSnapshots(String venue, Scheduler clock, boolean bookTimestamps) {
    this.venue = venue;
    this.clock = clock;
    this.bookTimestamps = bookTimestamps;
  }

  /**
   * The top {@code depth} levels per side of an XChange book, which XChange keeps sorted.
   *
   * @throws BadDataException         if a level has no price or size
   * @throws InvalidSnapshotException if the levels are invalid (crossed, unsorted, negative)
   */
  public BookSnapshot book(Instrument instrument, OrderBook ob, int depth) {
    Instant now = now();
    BookSnapshot.Builder b = BookSnapshot.builder(venue, instrument).receivedAt(now);
    b.exchangeTime(bookTimestamps && ob.getTimeStamp() != null
        ? ob.getTimeStamp().toInstant() : now);
    // XChange's OrderBook keeps its sides sorted itself, so the venue's order does not reach
    // here; its streaming books may hold levels beyond the subscribed depth that the venue
    // told it to drop, so only the top depth levels are read, as the book's owner keeps them.
    int n = 0;
    for (LimitOrder o : ob.getBids()) {
      if (n++ == depth) {
        break;
      }
      b.bid(number(instrument, "bid price", o.getLimitPrice()),
          number(instrument, "bid size", o.getOriginalAmount()));
    }
    n = 0;
    for (LimitOrder o : ob.getAsks()) {
      if (n++ == depth) {
        break;
      }
      b.ask(number(instrument, "ask price", o.getLimitPrice()),
          number(instrument, "ask size", o.getOriginalAmount()));
    }
    return b.build();
  }

  /**
   * An XChange ticker; the 24 h change is computed from the open when the venue gives none.
   *
   * @throws BadDataException         if bid, ask or last is missing
   * @throws InvalidSnapshotException if the values are invalid (crossed, negative)
   */
  public TickerSnapshot ticker(Instrument instrument, Ticker t) {
    Instant now = now();
    BigDecimal change = t.getPercentageChange();
    if (change == null && t.getOpen() != null && t.getLast() != null
        && t.getOpen().signum() > 0) {
      change = t.getLast().subtract(t.getOpen()).multiply(BigDecimal.valueOf(100))
          .divide(t.getOpen(), MathContext.DECIMAL64);
    }
    return new TickerSnapshot(venue, instrument, number(instrument, "bid", t.getBid()),
        number(instrument, "ask", t.getAsk()), number(instrument, "last", t.getLast()),
        optional(t.getVolume()), optional(t.getQuoteVolume()),
        change == null ? Double.NaN : change.doubleValue() / 100,
        t.getTimestamp() == null ? now : t.getTimestamp().toInstant(), now);
  }

  /** Now on the clock, in milliseconds. */
  Instant now() {
    return Instant.ofEpochMilli(clock.now(TimeUnit.MILLISECONDS));
  }

  private double number(Instrument instrument, String field, @Nullable BigDecimal value) {
    if (value == null) {
      throw new BadDataException(venue, instrument + ": the venue sent no " + field, null);
    }
    return value.doubleValue();
  }

  private static double optional(@Nullable BigDecimal value) {
    return value == null ? Double.NaN : value.doubleValue();
  }
}
