package dev.scanflux.exchanges.venue.gate.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.LocalBook;
import dev.scanflux.exchanges.internal.stream.Outbox;
import dev.scanflux.exchanges.internal.stream.ResyncBackoff;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSession;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.internal.stream.WsStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Gate's public WebSocket v4 as a {@link dev.scanflux.core.spi.MarketStream}: spot on
 * {@value #SPOT_URL}, USDT-settled perpetuals on {@value #FUTURES_URL}. Requests are
 * {@code {"time":s,"channel":...,"event":"subscribe","payload":[...]}}; Gate answers each with
 * {@code "event":"subscribe"} and a {@code result}, or an {@code error}
 * ({@code {"code","message"}}), which is {@link StreamEvent.Rejected}.
 *
 * <ul>
 *   <li>Spot books: {@code spot.order_book} {@code [pair, level, "100ms"]}, Gate's limited-level
 *       full snapshots, at the smallest of levels 5, 10, 20, 50 and 100 that covers the
 *       request's depth. Each message replaces the book, so nothing can be lost between two and
 *       no REST snapshot is needed: an unreadable or crossed one is a
 *       {@link ResyncCause#BAD_DATA} resync that the next snapshot heals; one whose
 *       {@code lastUpdateId} is older than the last applied is stale and dropped.
 *   <li>Futures books: {@code futures.order_book_update} {@code [contract, "100ms", level]}
 *       (level 20 or 50, the REST source's deepest book being 50 levels), deltas of
 *       {@code {"p","s"}} levels with absolute sizes in contracts, a size of 0 deleting,
 *       chained by {@code U}/{@code u}, on a base book from
 *       REST {@code order_book?with_id=true} fetched through the scanner's rate limiter, as
 *       Gate's documentation describes: deltas are held until the base book comes, those with
 *       {@code u <= id} dropped; the next must have {@code U <= id + 1 <= u}, and every later
 *       one {@code U <= u' + 1} of the last applied {@code u'}. A base book older than the
 *       first held delta, or a delta past the next id, is a {@link ResyncCause#SEQUENCE_GAP};
 *       an unreadable or crossed book a {@link ResyncCause#BAD_DATA}. Either way the base book
 *       is fetched again, at once the first time, then after a backoff doubling from 1 s to
 *       30 s ({@link ResyncBackoff}) while resyncs follow each other without a delta applied;
 *       a base-book request a newer one supersedes is cancelled. Books are emitted in
 *       contracts of the REST source's {@code quanto_multiplier}.
 *   <li>Tickers: spot {@code spot.tickers}, whose entries are the REST {@code tickers} entries,
 *       read by {@link GateSource}; futures {@code futures.tickers} (last price, change,
 *       volumes) with the best bid and ask of {@code futures.book_ticker}, read by
 *       {@link GateFuturesSource} as its REST {@code tickers} entry, once both were received.
 *   <li>A resync the scanner asks for resubscribes the instrument's channels (and fetches a
 *       futures base book again). Data of a symbol not subscribed here, or of an instrument of
 *       the other market, is rejected.
 *   <li>Heartbeat {@code {"channel":"spot.ping"}} ({@code futures.ping}) every 15 s; its
 *       {@code *.pong} answers are swallowed.
 * </ul>
 *
 * <p>The stream runs its connections on a client of its own, released by {@link #close()}.
 * Each connection's frames, base books and resync requests are handled one at a time: a base
 * book's answer joins the connection's inputs like a frame, and the connection's end cancels
 * every base-book request in flight (none is sent after it).
 */
public final class GateStream extends WsStream {

  /** Gate's spot public WebSocket v4. */
  public static final String SPOT_URL = "wss://api.gateio.ws/ws/v4/";
  /** Gate's USDT-settled perpetual futures WebSocket v4. */
  public static final String FUTURES_URL = "wss://fx-ws.gateio.ws/v4/ws/usdt";
  /** Symbols per ticker subscription frame at most. */
  static final int SYMBOLS_PER_FRAME = 50;
  /** Deltas held while a futures base book is awaited; beyond, the oldest are dropped. */
  static final int MAX_HELD = 500;
  private static final int[] SPOT_LEVELS = {5, 10, 20, 50, 100};
  /** Futures levels: those of the REST base book too (at most 50 levels). */
  private static final int[] FUTURES_LEVELS = {20, 50};
  private static final Duration PING_EVERY = Duration.ofSeconds(15);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(GateStream.class);

  /** Reads a REST-shaped {@code tickers} entry into a ticker. */
  @FunctionalInterface
  private interface TickerReader {
    TickerSnapshot read(Instrument instrument, JsonNode entry, Instant time, Instant now);
  }

  /**
   * What differs between Gate's spot and futures streams, taken from the REST source.
   *
   * @param prefix       {@code spot} or {@code futures}: the channels' prefix
   * @param symbol       Gate's symbol of an instrument, as the REST source names it
   * @param contractSize base units per book size unit
   * @param baseBook     the REST base book with its {@code id} at a limit (futures only)
   * @param ticker       reads a REST-shaped {@code tickers} entry
   */
  private record Market(String prefix, Function<Instrument, String> symbol,
      BiFunction<Instrument, StreamContext, Mono<Double>> contractSize,
      BiFunction<Instrument, Integer, Mono<JsonNode>> baseBook, TickerReader ticker) {

    boolean spot() {
      return prefix.equals("spot");
    }

    /** Whether the instrument is of this market. */
    boolean serves(Instrument instrument) {
      return instrument.isSpot() == spot();
    }
  }

  private final Market market;
  private final boolean spot;

  private GateStream(SourceSettings settings, Duration pingEvery, Market market) {
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
        .connectTimeout(settings.httpTimeout())
        .heartbeat(pingEvery, "{\"channel\":\"" + market.prefix() + ".ping\"}", ""),
        WsClient.ownThreads(settings.venue()));
    this.market = market;
    this.spot = market.spot();
  }

  /** The stream of {@code Venues.gate()}: pairs and tickers read by its {@link GateSource}. */
  public static GateStream spot(SourceSettings settings, MarketSource rest) {
    return spot(settings, rest, PING_EVERY);
  }

  /** {@link #spot(SourceSettings, MarketSource)} with another heartbeat, for tests. */
  static GateStream spot(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    GateSource source = rest(rest, GateSource.class);
    return new GateStream(settings, pingEvery, new Market("spot", source::symbol,
        (i, context) -> Mono.just(1.0),
        (i, limit) -> Mono.error(new UnsupportedOperationException("spot books are snapshots")),
        (i, entry, time, now) -> source.ticker("ticker " + i, i, entry, time, now)));
  }

  /**
   * The stream of {@code Venues.gateFutures()}: contracts, contract sizes, base books and
   * tickers from its {@link GateFuturesSource}.
   */
  public static GateStream futures(SourceSettings settings, MarketSource rest) {
    return futures(settings, rest, PING_EVERY);
  }

  /** {@link #futures(SourceSettings, MarketSource)} with another heartbeat, for tests. */
  static GateStream futures(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    GateFuturesSource source = rest(rest, GateFuturesSource.class);
    return new GateStream(settings, pingEvery, new Market("futures", source::symbol,
        source::contractSize, source::bookWithId,
        (i, entry, time, now) -> source.ticker("ticker " + i, i, entry, time, now)));
  }

  private static <T extends MarketSource> T rest(MarketSource rest, Class<T> type) {
    if (!type.isInstance(rest)) {
      throw new IllegalArgumentException("the Gate stream needs a " + type.getSimpleName()
          + " but got " + rest);
    }
    return type.cast(rest);
  }

  /** The book level subscribed for a request's depth: spot 5 to 100, futures 20 or 50. */
  int level(int depth) {
    return covering(spot ? SPOT_LEVELS : FUTURES_LEVELS, depth);
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request, context);
    return c.resolve().thenMany(client.connect(spec, session -> c.run(session)));
  }

  /** One subscribed instrument of a connection. */
  private static final class Tracked {
    final Instrument instrument;
    final String symbol;
    final double contractSize;
    final LocalBook book = new LocalBook();
    /** Futures: deltas held while the base book is awaited. */
    final Deque<JsonNode> held = new ArrayDeque<>();
    boolean synced;
    /** Resyncs since the last delta applied. */
    int failures;
    /** Which base-book fetch is current; an answer of an older one is dropped. */
    int fetch;
    /** Cancels the base-book request in flight, superseded by a newer one. */
    Disposable fetching = Disposables.disposed();
    /** Futures: the last {@code futures.tickers} entry, and the best bid and ask. */
    @Nullable ObjectNode ticker;
    @Nullable String bid;
    @Nullable String ask;

    Tracked(Instrument instrument, String symbol, double contractSize) {
      this.instrument = instrument;
      this.symbol = symbol;
      this.contractSize = contractSize;
    }
  }

  /** One connection; its inputs are handled one at a time, so its state needs no lock. */
  private final class Connection {
    private final StreamRequest request;
    private final StreamContext context;
    private final int level;
    private final Map<String, Tracked> bySymbol = new HashMap<>();
    private final Map<Instrument, Tracked> byInstrument = new LinkedHashMap<>();
    private final List<StreamEvent> notes = new ArrayList<>();
    private final Outbox out = new Outbox();
    private final ResyncBackoff backoff = new ResyncBackoff(settings.clock());
    /**
     * Base-book requests, each answering with its handler: queued by the handlers (one at a
     * time) and subscribed inside the connection's inputs, so their answers join the inputs
     * through the merge (no emission from the HTTP client's threads) and the connection's end
     * cancels every one in flight, and any queued after it is never sent.
     */
    private final Sinks.Many<Mono<Runnable>> fetches = Sinks.many().unicast()
        .onBackpressureBuffer();

    Connection(StreamRequest request, StreamContext context) {
      this.request = request;
      this.context = context;
      this.level = level(request.depth());
    }

    /** Learns each instrument's symbol and contract size; one Gate does not list is left out. */
    Mono<Void> resolve() {
      return Flux.fromIterable(request.instruments())
          .concatMap(i -> {
            if (!market.serves(i)) {
              notes.add(StreamEvent.rejected(i + " is not on this Gate " + market.prefix()
                  + " stream"));
              return Mono.empty();
            }
            return market.contractSize().apply(i, context)
                .doOnNext(size -> track(i, size))
                .onErrorResume(PermanentSourceException.class, e -> {
                  notes.add(StreamEvent.rejected("not streaming " + i + ": " + e.getMessage()));
                  return Mono.empty();
                });
          })
          .then();
    }

    private void track(Instrument instrument, double contractSize) {
      if (byInstrument.containsKey(instrument)) {
        return;
      }
      Tracked t = new Tracked(instrument, market.symbol().apply(instrument), contractSize);
      bySymbol.put(t.symbol, t);
      byInstrument.put(instrument, t);
    }

    Flux<StreamEvent> run(WsSession session) {
      subscribe("subscribe", byInstrument.values());
      List<String> first = out.takeFrames();
      // Resync requests first: frames already received may be handled while the merge
      // subscribes its sources, and a request made on their strength must find a subscriber.
      Flux<Runnable> inputs = Flux.merge(
          context.resyncs().<Runnable>map(i -> () -> onResyncRequest(i)), backoff.due(),
          fetches.asFlux().flatMap(f -> f, Integer.MAX_VALUE),
          session.receive().<Runnable>map(text -> () -> onMessage(text)));
      return session.send(first)
          .thenMany(Flux.concat(Flux.just(StreamEvent.connected()), Flux.fromIterable(notes),
              Flux.defer(() -> {
                if (!spot && request.books()) {
                  byInstrument.values().forEach(this::fetch);
                }
                return inputs.concatMap(input -> out.sendThenEmit(session, input));
              })))
          .doFinally(signal -> backoff.dispose());
    }

    /** The frames that (un)subscribe every channel of {@code tracked}. */
    private void subscribe(String event, Iterable<Tracked> tracked) {
      List<String> symbols = new ArrayList<>();
      for (Tracked t : tracked) {
        symbols.add(t.symbol);
        if (request.books()) {
          out.send(frame(market.prefix() + (spot ? ".order_book" : ".order_book_update"),
              event, spot ? List.of(t.symbol, Integer.toString(level), "100ms")
                  : List.of(t.symbol, "100ms", Integer.toString(level))));
        }
      }
      if (request.tickers()) {
        for (List<String> part : chunks(symbols, SYMBOLS_PER_FRAME)) {
          out.send(frame(market.prefix() + ".tickers", event, part));
          if (!spot) {
            out.send(frame("futures.book_ticker", event, part));
          }
        }
      }
    }

    private String frame(String channel, String event, List<String> payload) {
      ObjectNode f = MAPPER.createObjectNode().put("time", nowMillis() / 1000)
          .put("channel", channel).put("event", event);
      ArrayNode p = f.putArray("payload");
      payload.forEach(p::add);
      return f.toString();
    }

    private void onMessage(String text) {
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        reject("unreadable message: " + abbreviate(text));
        return;
      }
      String channel = m.path("channel").asText("");
      String event = m.path("event").asText("");
      JsonNode error = m.path("error");
      if (!error.isMissingNode() && !error.isNull()) {
        reject("Gate refused " + (event.isEmpty() ? "a request" : event) + " on "
            + abbreviate(channel) + ": " + error.path("code").asText("?") + " "
            + abbreviate(error.path("message").asText("")));
        return;
      }
      if (channel.endsWith(".pong") || event.equals("subscribe")
          || event.equals("unsubscribe")) {
        return;
      }
      if (!event.equals("update")) {
        LOG.debug("{}: ignored {}", venue(), abbreviate(text));
        return;
      }
      JsonNode result = m.path("result");
      Instant now = now(); // one reading: the receive time, and the exchange time if none came
      Instant time = NativeSource.millis(m, "time_ms", now);
      String prefix = market.prefix() + '.';
      switch (channel.startsWith(prefix) ? channel.substring(prefix.length()) : channel) {
        case "order_book" -> {
          Tracked t = tracked(channel, result.path("s"));
          if (t != null && spot) {
            onSnapshot(t, result, time, now);
          }
        }
        case "order_book_update" -> {
          Tracked t = tracked(channel, result.path("s"));
          if (t != null && !spot) {
            onDelta(t, result);
          }
        }
        case "tickers" -> {
          for (JsonNode entry : result.isArray() ? result : List.of(result)) {
            Tracked t = tracked(channel, entry.path(spot ? "currency_pair" : "contract"));
            if (t != null) {
              onTicker(t, entry, time, now);
            }
          }
        }
        case "book_ticker" -> {
          Tracked t = tracked(channel, result.path("s"));
          if (t != null) {
            onBookTicker(t, result, time, now);
          }
        }
        default -> reject("a message on unexpected channel '" + abbreviate(channel) + "'");
      }
    }

    private @Nullable Tracked tracked(String channel, JsonNode symbol) {
      Tracked t = bySymbol.get(symbol.asText(""));
      if (t == null) {
        reject("a " + channel + " message for '" + abbreviate(symbol.asText("")) + "', not "
            + "subscribed here");
      }
      return t;
    }

    /** Spot: a full limited-level snapshot replaces the book. */
    private void onSnapshot(Tracked t, JsonNode r, Instant time, Instant now) {
      JsonNode id = r.path("lastUpdateId");
      if (id.canConvertToLong() && t.book.sequence() >= 0 && id.asLong() < t.book.sequence()) {
        LOG.debug("{}: dropped a stale snapshot of {} ({} < {})", venue(), t.instrument,
            id.asLong(), t.book.sequence());
        return;
      }
      t.book.clear();
      try {
        levels(t.book, r.path("bids"), r.path("asks"));
      } catch (IllegalArgumentException e) {
        resync(t, ResyncCause.BAD_DATA, "unreadable snapshot: " + e.getMessage());
        return;
      }
      t.book.trim(level);
      if (t.book.crossed()) {
        resync(t, ResyncCause.BAD_DATA, "crossed snapshot: " + t.book);
        return;
      }
      t.book.sequence(id.asLong(-1));
      t.synced = true;
      emit(t, NativeSource.millis(r, "t", time), now);
    }

    /** Futures: a delta, held until the base book, then chained on it. */
    private void onDelta(Tracked t, JsonNode r) {
      if (!r.path("U").canConvertToLong() || !r.path("u").canConvertToLong()) {
        if (t.synced) {
          resync(t, ResyncCause.BAD_DATA, "a delta without U and u");
        } else {
          reject("a futures.order_book_update of " + t.symbol + " without U and u");
        }
        return;
      }
      if (!t.synced) {
        if (t.held.size() == MAX_HELD) {
          t.held.removeFirst();
        }
        t.held.addLast(r);
        return;
      }
      apply(t, r);
    }

    /** Applies a delta to a synced book: drops an old one, resyncs on a gap. */
    private boolean apply(Tracked t, JsonNode r) {
      long first = r.path("U").asLong();
      long last = r.path("u").asLong();
      long next = t.book.sequence() + 1;
      if (last < next) {
        return true; // already in the base book
      }
      if (first > next) {
        resync(t, ResyncCause.SEQUENCE_GAP, "expected an update from id " + next + ", got U "
            + first);
        return false;
      }
      try {
        levels(t.book, r.path("b"), r.path("a"));
      } catch (IllegalArgumentException e) {
        resync(t, ResyncCause.BAD_DATA, "unreadable delta " + first + ".." + last + ": "
            + e.getMessage());
        return false;
      }
      t.book.trim(level);
      if (t.book.crossed()) {
        resync(t, ResyncCause.BAD_DATA, "crossed at u " + last + ": " + t.book);
        return false;
      }
      t.book.sequence(last);
      t.failures = 0;
      Instant now = now();
      emit(t, NativeSource.millis(r, "t", now), now);
      return true;
    }

    /**
     * Futures: fetches the base book through the scanner's limiter, its answer handled as an
     * input; deltas are held meanwhile. Cancels the fetch it supersedes.
     */
    private void fetch(Tracked t) {
      int fetch = ++t.fetch;
      t.fetching.dispose();
      Sinks.One<Boolean> superseded = Sinks.one();
      t.fetching = () -> superseded.tryEmitValue(true);
      Mono<Runnable> answer = context.request(RequestKind.BOOK, level,
              () -> market.baseBook().apply(t.instrument, level))
          .<Runnable>map(book -> () -> onBaseBook(t, fetch, book))
          .onErrorResume(error -> Mono.<Runnable>just(() -> onBaseBookError(t, fetch, error)))
          .takeUntilOther(superseded.asMono());
      fetches.tryEmitNext(answer); // fails only once the connection ended: nothing to fetch
    }

    /** The base book, then the deltas held; stamped with its last change, {@code update}. */
    private void onBaseBook(Tracked t, int fetch, JsonNode b) {
      if (fetch != t.fetch || t.synced) {
        return;
      }
      JsonNode id = b.path("id");
      if (!id.canConvertToLong()) {
        resync(t, ResyncCause.BAD_DATA, "a base book without id");
        return;
      }
      long base = id.asLong();
      while (!t.held.isEmpty() && t.held.peekFirst().path("u").asLong() <= base) {
        t.held.removeFirst();
      }
      JsonNode oldest = t.held.peekFirst();
      if (oldest != null && oldest.path("U").asLong() > base + 1) {
        resync(t, ResyncCause.SEQUENCE_GAP, "base book id " + base + " is older than the "
            + "first update held, U " + oldest.path("U").asLong());
        return;
      }
      t.book.clear();
      try {
        levels(t.book, b.path("bids"), b.path("asks"));
      } catch (IllegalArgumentException e) {
        resync(t, ResyncCause.BAD_DATA, "unreadable base book: " + e.getMessage());
        return;
      }
      t.book.trim(level);
      if (t.book.crossed()) {
        resync(t, ResyncCause.BAD_DATA, "crossed base book: " + t.book);
        return;
      }
      t.book.sequence(base);
      t.synced = true;
      List<JsonNode> held = List.copyOf(t.held);
      t.held.clear();
      if (held.isEmpty()) {
        Instant now = now();
        emit(t, seconds(b, "update", seconds(b, "current", now)), now);
        return;
      }
      for (JsonNode r : held) {
        if (!apply(t, r)) {
          return;
        }
      }
    }

    private void onBaseBookError(Tracked t, int fetch, Throwable error) {
      if (fetch != t.fetch || t.synced) {
        return;
      }
      if (error instanceof PermanentSourceException) {
        reject("not streaming the book of " + t.instrument + ": " + error.getMessage());
        return;
      }
      LOG.debug("{}: base book of {} failed: {}", venue(), t.instrument, error.toString());
      t.held.clear();
      scheduleFetch(t);
    }

    private void onTicker(Tracked t, JsonNode entry, Instant time, Instant now) {
      if (spot) {
        ticker(t, entry, time, now);
        return;
      }
      if (!(entry instanceof ObjectNode o)) {
        reject("a futures.tickers entry of " + t.symbol + " that is not an object");
        return;
      }
      t.ticker = o.deepCopy();
      futuresTicker(t, time, now);
    }

    private void onBookTicker(Tracked t, JsonNode r, Instant time, Instant now) {
      t.bid = r.path("b").asText("");
      t.ask = r.path("a").asText("");
      futuresTicker(t, NativeSource.millis(r, "t", time), now);
    }

    /** Futures: the last tickers entry with the last best bid and ask, once both came. */
    private void futuresTicker(Tracked t, Instant time, Instant now) {
      if (t.ticker == null || t.bid == null || t.ask == null) {
        return;
      }
      ObjectNode entry = t.ticker.deepCopy().put("highest_bid", t.bid).put("lowest_ask", t.ask);
      ticker(t, entry, time, now);
    }

    /** A ticker at the venue's {@code time} (or {@code now} if it gave none), received now. */
    private void ticker(Tracked t, JsonNode entry, Instant time, Instant now) {
      try {
        out.emit(StreamEvent.update(market.ticker().read(t.instrument, entry, time, now)));
      } catch (IllegalArgumentException | SourceException e) {
        // InvalidSnapshotException is an IllegalArgumentException.
        reject("ticker " + t.symbol + ": " + e.getMessage());
      }
    }

    /** The book at the venue's {@code time} (or {@code now} if it gave none), received now. */
    private void emit(Tracked t, Instant time, Instant now) {
      if (request.books()) {
        out.emit(StreamEvent.update(t.book.snapshot(venue(), t.instrument, request.depth(),
            t.contractSize, time, now)));
      }
    }

    /** The scanner wants the instrument rebuilt: resubscribe its channels. */
    private void onResyncRequest(Instrument instrument) {
      Tracked t = byInstrument.get(instrument);
      if (t == null) {
        return;
      }
      unsync(t);
      t.ticker = null;
      t.bid = null;
      t.ask = null;
      subscribe("unsubscribe", List.of(t));
      subscribe("subscribe", List.of(t));
      if (!spot && request.books()) {
        fetch(t);
      }
    }

    /**
     * Reports a lost book. Spot's next snapshot heals it; a futures base book is fetched
     * again after the backoff.
     */
    private void resync(Tracked t, ResyncCause cause, String detail) {
      LOG.debug("{}: resync {} ({}): {}", venue(), t.instrument, cause, detail);
      unsync(t);
      out.emit(StreamEvent.resync(t.instrument, cause, detail));
      if (!spot) {
        scheduleFetch(t);
      }
    }

    private void scheduleFetch(Tracked t) {
      int fetch = ++t.fetch; // a request in flight is of no use any more
      t.fetching.dispose();
      backoff.resubscribe(t.failures++, () -> {
        if (fetch == t.fetch && !t.synced) {
          fetch(t);
        }
      });
    }

    private void unsync(Tracked t) {
      t.synced = false;
      t.book.clear();
      t.held.clear();
    }

    private void reject(String detail) {
      out.emit(StreamEvent.rejected(detail));
    }
  }

  /**
   * Sets the levels of a Gate book side pair: spot's {@code [price, size]} arrays or futures'
   * {@code {"p","s"}} objects, a zero size removing a level.
   *
   * @throws IllegalArgumentException if a side is not an array or a level is unreadable
   */
  static void levels(LocalBook book, JsonNode bids, JsonNode asks) {
    if (!bids.isArray() || !asks.isArray()) {
      throw new IllegalArgumentException("no bid or ask array");
    }
    for (JsonNode l : bids) {
      book.bid(price(l), size(l));
    }
    for (JsonNode l : asks) {
      book.ask(price(l), size(l));
    }
  }

  /** A time in seconds with a fraction ({@code 1684930166.609}, Gate futures' REST), or else. */
  private static Instant seconds(JsonNode node, String field, Instant orElse) {
    JsonNode v = node.path(field);
    return v.isNumber() ? Instant.ofEpochMilli(Math.round(v.asDouble() * 1000)) : orElse;
  }

  private static String price(JsonNode level) {
    return (level.isArray() ? level.path(0) : level.path("p")).asText("");
  }

  private static String size(JsonNode level) {
    return (level.isArray() ? level.path(1) : level.path("s")).asText("");
  }
}
