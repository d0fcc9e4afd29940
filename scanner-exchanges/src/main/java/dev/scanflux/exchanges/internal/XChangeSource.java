package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RateLimitSpec;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.knowm.xchange.Exchange;
import org.knowm.xchange.ExchangeFactory;
import org.knowm.xchange.ExchangeSpecification;
import org.knowm.xchange.currency.CurrencyPair;
import org.knowm.xchange.dto.marketdata.OrderBook;
import org.knowm.xchange.dto.marketdata.Ticker;
import org.knowm.xchange.exceptions.NotYetImplementedForExchangeException;
import org.knowm.xchange.service.marketdata.MarketDataService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link MarketSource} over any XChange {@code Exchange}.
 *
 * <p>XChange blocks, so every call runs on a bounded-elastic scheduler of this source's own,
 * with as many threads as its concurrency, and is classified by {@link Errors} on the way out.
 * The exchange is created, and its start-up metadata loaded, on the first request; discovery
 * reloads the metadata each time. XChange's own retry and rate limiter stay off.
 */
public final class XChangeSource implements MarketSource {

  private static final Logger LOG = LoggerFactory.getLogger(XChangeSource.class);

  private final SourceSettings settings;
  private final XChangeVenue venue;
  private final Scheduler scheduler;
  private final XChangeSnapshots snapshots;
  private final Object initLock = new Object();
  private volatile @Nullable Exchange exchange;
  private volatile boolean metadataLoaded;
  private volatile boolean currencyPairOnly;
  /** The XChange instrument each of ours was discovered as, so aliases map back exactly. */
  private final Map<Instrument, org.knowm.xchange.instrument.Instrument> discovered =
      new ConcurrentHashMap<>();

  /**
   * @param settings the user's settings
   * @param venue    how the venue is served
   */
  public XChangeSource(SourceSettings settings, XChangeVenue venue) {
    this.settings = settings;
    this.venue = venue;
    this.scheduler = Schedulers.newBoundedElastic(settings.concurrency(), 100_000,
        "scanflux-" + settings.venue(), 60, true);
    this.snapshots = new XChangeSnapshots(settings.venue(), settings.clock(),
        venue.bookTimestamps());
  }

  @Override
  public String venue() {
    return settings.venue();
  }

  @Override
  public RateLimitSpec rateLimit() {
    return settings.rateLimit();
  }

  @Override
  public int defaultConcurrency() {
    return settings.concurrency();
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return call("instruments", () -> {
      Exchange ex = exchange();
      synchronized (initLock) {
        ex.remoteInit();
        metadataLoaded = true;
      }
      Set<Instrument> found = new TreeSet<>();
      for (org.knowm.xchange.instrument.Instrument x
          : ex.getExchangeMetaData().getInstruments().keySet()) {
        Instrument i = XChangeVenue.fromXChange(x);
        if (i != null && i.kind() == venue.kind()) {
          found.add(i);
          discovered.put(i, x);
        }
      }
      return List.copyOf(found);
    });
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    if (depth < 1) {
      return Mono.error(new IllegalArgumentException("depth must be at least 1 but was " + depth));
    }
    return call("book " + instrument, () -> {
      MarketDataService md = ready().getMarketDataService();
      Object[] args = venue.bookArgs().apply(depth);
      OrderBook ob;
      if (useCurrencyPair(instrument)) {
        ob = pairBook(md, instrument, args);
      } else {
        try {
          ob = md.getOrderBook(toXChange(instrument), args);
        } catch (NotYetImplementedForExchangeException e) {
          ob = pairBook(fallBackToCurrencyPair(instrument, e), instrument, args);
        }
      }
      return snapshots.book(instrument, ob, depth);
    });
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return call("ticker " + instrument, () -> {
      MarketDataService md = ready().getMarketDataService();
      Ticker t;
      if (useCurrencyPair(instrument)) {
        t = pairTicker(md, instrument);
      } else {
        try {
          t = md.getTicker(toXChange(instrument));
        } catch (NotYetImplementedForExchangeException e) {
          t = pairTicker(fallBackToCurrencyPair(instrument, e), instrument);
        }
      }
      return snapshots.ticker(instrument, t);
    });
  }

  @Override
  public boolean hasBulkTickers() {
    return venue.bulkTickers() != null;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    if (venue.bulkTickers() == null) {
      return MarketSource.super.tickers();
    }
    return call("tickers", () -> {
      List<Ticker> all = ready().getMarketDataService().getTickers(venue.bulkTickers());
      List<TickerSnapshot> out = new ArrayList<>(all.size());
      int invalid = 0;
      @Nullable String firstDefect = null;
      for (Ticker t : all) {
        Instrument i = XChangeVenue.fromXChange(t.getInstrument());
        if (i == null || i.kind() != venue.kind()) {
          continue;
        }
        try {
          out.add(snapshots.ticker(i, t));
        } catch (InvalidSnapshotException | BadDataException e) {
          invalid++;
          firstDefect = firstDefect == null ? e.getMessage() : firstDefect;
        }
      }
      if (invalid > 0) {
        LOG.warn("{}: dropped {} invalid tickers of {} in a bulk answer, the first: {}", venue(),
            invalid, all.size(), firstDefect);
      }
      return List.copyOf(out);
    });
  }

  /** Disposes the source's threads; a blocked call ends with its HTTP timeout. */
  @Override
  public void close() {
    scheduler.dispose();
  }

  @Override
  public String toString() {
    return "XChangeSource{" + venue() + ' ' + venue.exchangeClass().getSimpleName() + ' '
        + settings.baseUrl() + '}';
  }

  /**
   * The blocking call on this source's scheduler. A call that fails after its subscriber
   * cancelled it (a timeout) is logged at debug level instead of reaching Reactor's dropped-error
   * hook: nobody is waiting for it any more.
   */
  private <T> Mono<T> call(String what, Callable<T> body) {
    return Mono.defer(() -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      return Mono.fromCallable(() -> {
        try {
          return body.call();
        } catch (Exception e) {
          if (cancelled.get()) {
            LOG.debug("{}: {} failed after it was cancelled", venue(), what, e);
            return null;
          }
          throw e;
        }
      })
          .subscribeOn(scheduler)
          .doOnCancel(() -> cancelled.set(true))
          .onErrorMap(e -> Errors.classify(venue(), what, e, now()));
    });
  }

  /**
   * The {@code CurrencyPair} overload, deprecated in XChange but the only one some venues
   * (Kraken) implement.
   */
  @SuppressWarnings("deprecation")
  private OrderBook pairBook(MarketDataService md, Instrument instrument, Object[] args)
      throws java.io.IOException {
    return md.getOrderBook((CurrencyPair) toXChange(instrument), args);
  }

  /** See {@link #pairBook}. */
  @SuppressWarnings("deprecation")
  private Ticker pairTicker(MarketDataService md, Instrument instrument)
      throws java.io.IOException {
    return md.getTicker((CurrencyPair) toXChange(instrument));
  }

  /**
   * The venue's symbol of an instrument, its base and quote codes as discovery saw them (else
   * as the venue's aliases name them) joined by {@code separator}: {@code BTC-USDT} on OKX.
   * For the venue's stream, which names instruments the way the REST API does.
   */
  public String venueSymbol(Instrument instrument, String separator) {
    org.knowm.xchange.instrument.Instrument x = toXChange(instrument);
    return x.getBase().getCurrencyCode() + separator + x.getCounter().getCurrencyCode();
  }

  /** The XChange instrument discovery saw for ours, else the one built from our codes. */
  private org.knowm.xchange.instrument.Instrument toXChange(Instrument instrument) {
    org.knowm.xchange.instrument.Instrument x = discovered.get(instrument);
    return x != null ? x : venue.toXChange(instrument);
  }

  private boolean useCurrencyPair(Instrument instrument) {
    return instrument.isSpot() && (venue.overload() == XChangeVenue.Overload.CURRENCY_PAIR
        || (venue.overload() == XChangeVenue.Overload.AUTO && currencyPairOnly));
  }

  private MarketDataService fallBackToCurrencyPair(Instrument instrument,
      NotYetImplementedForExchangeException e) {
    if (venue.overload() != XChangeVenue.Overload.AUTO || !instrument.isSpot()) {
      throw new PermanentSourceException(venue(),
          "XChange " + venue.exchangeClass().getSimpleName() + " does not serve " + instrument, e);
    }
    currencyPairOnly = true;
    return exchange().getMarketDataService();
  }

  private Exchange ready() throws java.io.IOException {
    Exchange ex = exchange();
    if (!metadataLoaded) {
      synchronized (initLock) {
        if (!metadataLoaded) {
          ex.remoteInit();
          metadataLoaded = true;
        }
      }
    }
    return ex;
  }

  private Exchange exchange() {
    Exchange ex = exchange;
    if (ex == null) {
      synchronized (initLock) {
        ex = exchange;
        if (ex == null) {
          ex = ExchangeFactory.INSTANCE.createExchange(specification());
          exchange = ex;
        }
      }
    }
    return ex;
  }

  private ExchangeSpecification specification() {
    ExchangeSpecification spec = new ExchangeSpecification(venue.exchangeClass());
    URI uri = URI.create(settings.baseUrl());
    spec.setSslUri(settings.baseUrl());
    spec.setPlainTextUri(settings.baseUrl());
    spec.setHost(uri.getHost());
    if (uri.getPort() > 0) {
      spec.setPort(uri.getPort());
    }
    spec.setShouldLoadRemoteMetaData(false);
    int timeout = (int) Math.min(Integer.MAX_VALUE, settings.httpTimeout().toMillis());
    spec.setHttpConnTimeout(timeout);
    spec.setHttpReadTimeout(timeout);
    spec.getResilience().setRetryEnabled(false);
    spec.getResilience().setRateLimiterEnabled(false);
    venue.configure().accept(spec);
    return spec;
  }

  private Instant now() {
    return snapshots.now();
  }
}
