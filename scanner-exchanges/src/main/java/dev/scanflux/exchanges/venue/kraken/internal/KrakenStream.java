package dev.scanflux.exchanges.venue.kraken.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.Aliases;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.XChangeSnapshots;
import info.bitrich.xchangestream.core.ProductSubscription;
import info.bitrich.xchangestream.core.StreamingExchange;
import info.bitrich.xchangestream.core.StreamingMarketDataService;
import info.bitrich.xchangestream.kraken.KrakenStreamingExchange;
import info.bitrich.xchangestream.kraken.KrakenStreamingMarketDataService;
import info.bitrich.xchangestream.kraken.KrakenStreamingService;
import info.bitrich.xchangestream.service.netty.ConnectionStateModel.State;
import io.reactivex.rxjava3.core.BackpressureStrategy;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Observer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.knowm.xchange.ExchangeSpecification;
import org.knowm.xchange.currency.CurrencyPair;
import org.knowm.xchange.dto.marketdata.OrderBook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * Kraken spot's public WebSocket (API v1) through XChange's {@code xchange-stream-kraken}:
 * {@code book} and {@code ticker} channels, bridged from RxJava to Reactor.
 *
 * <p>Each {@link #connect} subscription builds a fresh XChange {@code StreamingExchange} (its
 * remote metadata off, its own reconnection off: the engine owns reconnection, and XChange
 * keeps its books across its own reconnects), opens it, and subscribes one {@code book} and one
 * {@code ticker} channel per instrument, as XChange does, spaced {@value #SUBSCRIBE_SPACING_MS}
 * ms apart: Kraken limits subscribe requests per connection without publishing the rate. Books are
 * subscribed at the smallest Kraken depth (10, 25, 100, 500, 1000) that covers the request.
 * Pairs are Kraken's WebSocket names, {@code XBT/USD} for {@code BTC/USD}, mapped through
 * {@link Aliases} as the REST side does. Cancelling the subscription disconnects the exchange.
 *
 * <h2>What XChange does, and what it hides</h2>
 *
 * XChange keeps each book from Kraken's snapshot ({@code as}/{@code bs}) and deltas
 * ({@code a}/{@code b}), truncates it to the subscribed depth, and checks the CRC32 checksum
 * ({@code c}) of each delta; on a mismatch (a lost or wrong delta: Kraken has no sequence
 * numbers) or a crossed book it drops the book, unsubscribes and resubscribes the channel
 * itself, and emits nothing until the new snapshot. So no book it knows is wrong reaches this
 * stream, but the stream cannot tell that it happened: <b>Kraken checksum mismatches and lost
 * deltas are not reported as {@link StreamEvent.Resync}</b> (the instrument merely pauses;
 * the engine's staleness watchdog covers a long pause). What this class does report:
 *
 * <ul>
 *   <li>a book that would still be invalid here (crossed, unsorted) as
 *       {@code Resync(BAD_DATA)}; the channel is then resubscribed for a new snapshot;
 *   <li>a frame that is not JSON as {@link StreamEvent.Rejected} (XChange would drop it
 *       silently), an unusable ticker likewise;
 *   <li>a closed connection as an error of the connect {@code Flux} (with its own reconnection
 *       off XChange would otherwise go silent), as is a failure to connect.
 * </ul>
 *
 * <p>Three defects of XChange 5.2.0 are repaired in its service (see {@code LocalService}): a
 * snapshot lost to a subscribe race, an unsubscribe request Kraken refuses, and non-JSON frames
 * dropped silently.
 *
 * <p>{@link StreamContext#resyncs()} resubscribes the instrument's book: its channel is
 * disposed (XChange unsubscribes) and subscribed again, which brings a new snapshot.
 *
 * <p>Threading: events come from XChange's netty event loop, one per connection, merged and
 * serialised; per channel only the latest book or ticker is kept under backpressure. Building
 * the exchange (it reads its metadata file) and connecting run on a bounded-elastic scheduler;
 * subscribing and disposing channels (XChange draws request ids from a {@code SecureRandom})
 * on the stream's one control thread, never on the caller's. Thread-safe; {@link #close()}
 * stops the control thread.
 */
public final class KrakenStream implements MarketStream {

  private static final Logger LOG = LoggerFactory.getLogger(KrakenStream.class);

  /** Kraken's book subscription depths. */
  static final int[] DEPTHS = {10, 25, 100, 500, 1000};
  /** Between two subscribe requests on a connection. */
  static final long SUBSCRIBE_SPACING_MS = 25;
  /** The longest text of a rejected frame quoted in its event. */
  private static final int QUOTE = 80;
  /** Rejected frames held for a slow subscriber; more are logged, not reported. */
  private static final int REJECTED = 256;

  private final SourceSettings settings;
  private final XChangeSnapshots snapshots;
  private final Scheduler blocking = Schedulers.boundedElastic();
  private final Scheduler control;

  /**
   * @param settings the venue's settings; {@link SourceSettings#streamUrl()} is the WebSocket,
   *                 {@code wss://ws.kraken.com} in production
   */
  public KrakenStream(SourceSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    // Kraken's books carry no timestamp of their own: the receive time is the exchange time.
    this.snapshots = new XChangeSnapshots(settings.venue(), settings.clock(), false);
    String name = "scanflux-" + settings.venue() + "-stream";
    // One thread that may block (Reactor's single scheduler may not), tasks run in order.
    this.control = Schedulers.fromExecutorService(Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }), name);
  }

  @Override
  public String venue() {
    return settings.venue();
  }

  @Override
  public Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(context, "context");
    return Flux.defer(() -> {
      Connection c = new Connection(request, context);
      return c.events();
    });
  }

  /** Stops the thread that subscribes channels; connections still open are left to cancel. */
  @Override
  public void close() {
    control.dispose();
  }

  @Override
  public String toString() {
    return "KrakenStream{" + venue() + ' ' + settings.streamUrl() + '}';
  }

  /** The smallest Kraken book depth covering {@code depth}, at most Kraken's deepest. */
  static int krakenDepth(int depth) {
    return Arrays.stream(DEPTHS).filter(d -> d >= depth).findFirst()
        .orElse(DEPTHS[DEPTHS.length - 1]);
  }

  /** Kraken's WebSocket pair of an instrument: {@code XBT/USD} for {@code BTC/USD}. */
  static CurrencyPair pair(Instrument instrument) {
    return new CurrencyPair(Aliases.krakenAltName(instrument.base()),
        Aliases.krakenAltName(instrument.quote()));
  }

  /** One connect() subscription: its exchange, channels and events. */
  private final class Connection {

    private final StreamRequest request;
    private final StreamContext context;
    private final int depth;
    private final Flux<StreamEvent> rejected;
    private final Consumer<String> reject;
    /** Completes when XChange's connect does, if it was started. */
    private final CompletableFuture<@Nullable Void> opened = new CompletableFuture<>();

    Connection(StreamRequest request, StreamContext context) {
      this.request = request;
      this.context = context;
      this.depth = krakenDepth(request.depth());
      Sinks.Many<StreamEvent> sink =
          Sinks.many().unicast().onBackpressureBuffer(Queues.<StreamEvent>get(REJECTED).get());
      // Frames arrive on the one netty thread of the connection: never emitted concurrently.
      this.reject = detail -> {
        if (sink.tryEmitNext(StreamEvent.rejected(detail)).isFailure()) {
          LOG.debug("{}: rejected frame not reported (backlog full): {}", venue(), detail);
        }
      };
      this.rejected = sink.asFlux();
    }

    Flux<StreamEvent> events() {
      return Mono.fromCallable(() -> new LocalKrakenExchange(settings.streamUrl(), reject))
          .subscribeOn(blocking)
          .flatMapMany(ex -> Flux.using(() -> ex, this::session, this::disconnect))
          .onErrorMap(e -> !(e instanceof SourceException),
              e -> new TransientSourceException(venue(), "the Kraken WebSocket "
                  + settings.streamUrl() + " failed: " + e, e));
    }

    /**
     * Opens the connection, then subscribes. XChange's connect cannot be cancelled, so the
     * attempt is kept in {@link #opened} for {@link #disconnect} to wait for.
     */
    private Flux<StreamEvent> session(LocalKrakenExchange ex) {
      Mono<Void> open = Mono.fromRunnable(() -> ex.connect()
              .subscribe(() -> opened.complete(null), opened::completeExceptionally))
          .subscribeOn(blocking)
          .then(Mono.fromFuture(opened, true))
          .onErrorMap(e -> new TransientSourceException(venue(), "cannot open the Kraken "
              + "WebSocket " + settings.streamUrl() + ": " + e, e));
      return open.thenMany(Flux.defer(() -> subscribed(ex)));
    }

    /** Every channel, the closed-connection watch and the rejected frames, merged. */
    private Flux<StreamEvent> subscribed(LocalKrakenExchange ex) {
      StreamingMarketDataService md = ex.getStreamingMarketDataService();
      Flux<Instrument> resyncs = context.resyncs().share();
      List<Flux<StreamEvent>> channels = new ArrayList<>();
      for (Instrument i : request.instruments()) {
        if (request.books()) {
          channels.add(book(md, i, resyncs.filter(i::equals)));
        }
        if (request.tickers()) {
          channels.add(ticker(md, i));
        }
      }
      // Queued on the control thread last, so emitted once every subscribe request was sent.
      channels.add(Mono.<StreamEvent>fromSupplier(StreamEvent::connected).subscribeOn(control).flux());
      Flux<StreamEvent> paced = Flux.fromIterable(channels)
          .delayElements(Duration.ofMillis(SUBSCRIBE_SPACING_MS), control)
          .flatMap(f -> f, channels.size());
      return Flux.merge(closed(ex), rejected, paced);
    }

    /**
     * One instrument's book: subscribed once, again after each resync request, and again when
     * a book it emits would be invalid here.
     */
    private Flux<StreamEvent> book(StreamingMarketDataService md, Instrument i,
        Flux<Instrument> resyncs) {
      CurrencyPair pair = pair(i);
      Flux<StreamEvent> channel = channel(() -> md.getOrderBook(pair, depth))
          .<StreamEvent>handle((ob, sink) -> book(i, ob, sink))
          .repeat();
      return resyncs.startWith(i).switchMap(x -> channel);
    }

    /** Emits the book, or a resync and completes (so the channel is subscribed again). */
    private void book(Instrument i, OrderBook ob, SynchronousSink<StreamEvent> sink) {
      try {
        sink.next(StreamEvent.update(snapshots.book(i, ob, request.depth())));
      } catch (InvalidSnapshotException | BadDataException e) {
        sink.next(StreamEvent.resync(i, ResyncCause.BAD_DATA, e.getMessage()));
        sink.complete();
      }
    }

    private Flux<StreamEvent> ticker(StreamingMarketDataService md, Instrument i) {
      return channel(() -> md.getTicker(pair(i)))
          .<StreamEvent>handle((t, sink) -> {
            try {
              sink.next(StreamEvent.update(snapshots.ticker(i, t)));
            } catch (InvalidSnapshotException | BadDataException e) {
              sink.next(StreamEvent.rejected("ticker " + i + ": " + e.getMessage()));
            }
          });
    }

    /**
     * Errors when the connection closes: with its own reconnection off, XChange only signals
     * it here and its channels go silent.
     */
    private Flux<StreamEvent> closed(LocalKrakenExchange ex) {
      Flux<StreamEvent> watch = rx(ex.disconnectObservable())
          .next()
          .flatMapMany(x -> Flux.error(new TransientSourceException(venue(),
              "the Kraken WebSocket " + settings.streamUrl() + " closed", null)));
      // A close before the watch was subscribed is seen by the socket's state instead.
      return watch.mergeWith(Mono.fromSupplier(ex::isAlive).filter(alive -> !alive)
          .flatMap(x -> Mono.error(new TransientSourceException(venue(),
              "the Kraken WebSocket " + settings.streamUrl() + " closed", null))));
    }

    /**
     * An XChange channel, subscribed and disposed on the control thread: both send a request
     * whose id comes from a {@code SecureRandom} (which may read {@code /dev/urandom}), and the
     * one thread keeps a disposal ahead of the subscription that follows it (XChange ignores a
     * subscription to a channel it still holds).
     */
    private <T> Flux<T> channel(Supplier<Observable<T>> channel) {
      return Flux.defer(() -> rx(channel.get())).subscribeOn(control).cancelOn(control);
    }

    /**
     * Once the connection attempt, if one started, has ended, and after the channels'
     * disposals: a close frame, and the event loop ends in the background. Never blocks.
     */
    private void disconnect(LocalKrakenExchange ex) {
      Runnable disconnect = () -> ex.disconnect().subscribe(
          () -> LOG.debug("{}: WebSocket disconnected", venue()),
          e -> LOG.debug("{}: WebSocket disconnect failed", venue(), e));
      opened.whenComplete((ok, failed) -> {
        try {
          control.schedule(disconnect);
        } catch (RejectedExecutionException closed) {
          disconnect.run();
        }
      });
    }
  }

  /** An RxJava stream as a Reactor one, keeping only the latest item under backpressure. */
  private static <T> Flux<T> rx(Observable<T> observable) {
    return Flux.from(observable.toFlowable(BackpressureStrategy.LATEST));
  }

  /**
   * XChange's Kraken exchange on the stream URL of the settings: 5.2.0 hard-codes
   * {@code wss://ws.kraken.com}, so this builds its own public service on the URL and routes
   * every public-stream method to it. Auto-reconnect is off, remote metadata is not loaded.
   */
  private static final class LocalKrakenExchange extends KrakenStreamingExchange {

    private final String url;
    private final Consumer<String> reject;
    private LocalService service;
    private KrakenStreamingMarketDataService marketData;

    LocalKrakenExchange(String url, Consumer<String> reject) {
      this.url = url;
      this.reject = reject;
      ExchangeSpecification spec = getDefaultExchangeSpecification();
      spec.setShouldLoadRemoteMetaData(false);
      spec.setOverrideWebsocketApiUri(url);
      spec.setExchangeSpecificParametersItem(StreamingExchange.AUTO_RECONNECT, false);
      applySpecification(spec);
    }

    @Override
    protected void initServices() {
      super.initServices(); // builds, never connects, the service on the production URL
      service = new LocalService(this, url, reject);
      applyStreamingSpecification(exchangeSpecification, service);
      marketData = new KrakenStreamingMarketDataService(service, false);
    }

    @Override
    public Completable connect(ProductSubscription... args) {
      return service.connect();
    }

    @Override
    public Completable disconnect() {
      return service.disconnect();
    }

    @Override
    public boolean isAlive() {
      return service.isSocketOpen();
    }

    @Override
    public Observable<Object> connectionSuccess() {
      return service.subscribeConnectionSuccess();
    }

    @Override
    public Observable<Object> disconnectObservable() {
      return service.subscribeDisconnect();
    }

    @Override
    public Observable<Throwable> reconnectFailure() {
      return service.subscribeReconnectFailure();
    }

    @Override
    public Observable<State> connectionStateObservable() {
      return service.subscribeConnectionState();
    }

    @Override
    public StreamingMarketDataService getStreamingMarketDataService() {
      return marketData;
    }

    @Override
    public void resubscribeChannels() {
      service.resubscribeChannels();
    }

    @Override
    public void useCompressedMessages(boolean compressed) {
      service.useCompressedMessages(compressed);
    }

    @Override
    public String toString() {
      return "LocalKrakenExchange{" + url + '}';
    }
  }

  /**
   * XChange's public Kraken service with three repairs of 5.2.0:
   *
   * <ul>
   *   <li>it sends a channel's subscribe request before it registers the channel, so an answer
   *       as fast as a nearby server's (the book snapshot) arrived for no channel, was dropped,
   *       and the book waited for a snapshot for ever; here the request is held until the
   *       channel is registered;
   *   <li>the unsubscribe request it sends when a channel is disposed names its subscription
   *       key ({@code XBT/USD_10}), which Kraken refuses, leaving the old subscription running;
   *       here it names the pair;
   *   <li>a frame that is not JSON is reported (it logs and drops it).
   * </ul>
   */
  private static final class LocalService extends KrakenStreamingService {

    private final Consumer<String> reject;
    /** Requests sent while a channel is being subscribed on this thread, to send after. */
    private final ThreadLocal<@Nullable List<String>> held = new ThreadLocal<>();

    LocalService(KrakenStreamingExchange exchange, String url, Consumer<String> reject) {
      super(exchange, false, url, () -> null);
      this.reject = reject;
    }

    @Override
    public void messageHandler(String message) {
      JsonNode json;
      try {
        json = objectMapper.readTree(message);
      } catch (IOException e) {
        reject.accept("not JSON: " + (message.length() > QUOTE
            ? message.substring(0, QUOTE) + "..." : message));
        return;
      }
      handleMessage(json);
    }

    @Override
    public Observable<JsonNode> subscribeChannel(String channelName, Object... args) {
      Observable<JsonNode> channel = super.subscribeChannel(channelName, args);
      return new Observable<>() {
        @Override
        protected void subscribeActual(Observer<? super JsonNode> observer) {
          List<String> requests = new ArrayList<>(1);
          held.set(requests);
          try {
            channel.subscribe(observer); // registers the channel, "sends" its request
          } finally {
            held.remove();
          }
          requests.forEach(LocalService.this::sendNow);
        }
      };
    }

    @Override
    public void sendMessage(String message) {
      List<String> requests = held.get();
      if (requests != null) {
        requests.add(message);
      } else {
        super.sendMessage(message);
      }
    }

    private void sendNow(String message) {
      super.sendMessage(message);
    }

    @Override
    public String getUnsubscribeMessage(String channelName, Object... args) throws IOException {
      int key = channelName.indexOf('_');
      return super.getUnsubscribeMessage(key < 0 ? channelName : channelName.substring(0, key),
          args);
    }
  }
}
