package dev.scanflux.exchanges.venue.binance.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.NativeHttp;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.LocalBook;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSession;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.internal.stream.WsStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Binance's push stream, spot or USD-M futures ({@link Api}): the diff depth stream
 * ({@code <symbol>@depth@100ms}) and tickers on the raw endpoint {@code /ws}, subscribed with
 * {@code SUBSCRIBE} frames; books kept as Binance's "how to manage a local order book
 * correctly" says for each market. AsterDEX serves the USD-M futures API at its own address.
 *
 * <h2>Book sync</h2>
 *
 * Diff events ({@code U} first and {@code u} final update id; on futures also {@code pu}, the
 * previous event's {@code u}) are buffered from the moment the connection subscribes; a REST
 * depth snapshot ({@code /api/v3/depth} on spot, {@code /fapi/v1/depth} on futures, run through
 * {@link StreamContext#request} so that it counts against the venue's limit) gives
 * {@code lastUpdateId}. How events chain is the market's ({@link Api#link}):
 * <ul>
 *   <li>spot: buffered events with {@code u <= lastUpdateId} are dropped; the first one applied
 *       must have {@code U <= lastUpdateId + 1 <= u}, each later one {@code U} = previous
 *       {@code u + 1};
 *   <li>futures: buffered events with {@code u < lastUpdateId} are dropped; the first one
 *       applied must have {@code U <= lastUpdateId <= u} (or {@code pu = lastUpdateId}: the
 *       snapshot fell between two events), each later one {@code pu} = previous {@code u}
 *       (futures ids are not contiguous, so {@code U} says nothing of a gap).
 * </ul>
 * If the oldest event kept does not reach back to the snapshot, the snapshot is older than the
 * stream and is fetched again; a later break in the chain is a {@link ResyncCause#SEQUENCE_GAP},
 * an unreadable update or a crossed book a {@link ResyncCause#BAD_DATA}, and the instrument
 * buffers again and takes a new snapshot. A book is emitted once synced and after every event
 * applied, never while buffering. The snapshot's {@code limit} is the smallest of the market's
 * weight brackets holding five times the depth wanted (spot: 100, 500, 1,000, 5,000 levels,
 * weight 5, 25, 50, 250; futures: 50, 100, 500, 1,000 levels, weight 2, 5, 10, 20): the levels
 * the diffs never touch stay right, and 200 books sync on 1,000 weight instead of 10,000 (at
 * limit 1,000 spot's 6,000-per-minute budget synced 120 books a minute, so the first pass took
 * over a minute). Binance sends no checksum. A failed snapshot, or one older than the stream, is
 * fetched again after {@value #RETRY_MS} ms, doubling per failure in a row up to
 * {@value #MAX_RETRY_MS} ms (a delisted symbol, or a REST side lagging the stream, must not eat
 * the limit); the instrument is polled meanwhile, as it is not live. While it waits, its events
 * are buffered, at most {@value #MAX_BUFFERED} and 60 s of them.
 *
 * <h2>Tickers</h2>
 *
 * Each stream's tickers are what the venue's REST source builds its own from, so that a
 * streamed and a polled ticker agree. Spot: the 24 h rolling ticker ({@code <symbol>@ticker},
 * which carries the best bid and ask), one ticker per event. Futures: the futures 24 h ticker
 * has no bid or ask, so, as the REST source joins {@code ticker/bookTicker} with
 * {@code ticker/24hr}, the stream joins {@code <symbol>@bookTicker} (bid, ask and the time, the
 * book ticker's transaction time {@code T}) with {@code <symbol>@ticker} (last, volumes,
 * change): a ticker is emitted on each of either once both have arrived.
 *
 * <h2>Connection</h2>
 *
 * One connection carries at most the venue's number of streams (Binance's 1,024; AsterDEX's
 * 200), taken in the request's priority order: instruments beyond stay polled. Binance routes
 * its USD-M endpoints since 2026-04-23 (the unrouted {@code /ws} sends nothing): depth and book
 * tickers on {@code /public/ws}, the 24 h tickers on {@code /market/ws}; with a stream URL
 * ending in {@code /public/ws} one connection is two sockets ({@link #marketUri}), their frames
 * handled as one and either ending ending both. Subscriptions go
 * out in frames of {@value #STREAMS_PER_FRAME} streams, one every {@value #FRAME_PACE_MS} ms,
 * under Binance's 5 incoming messages per second (10 on futures); {@link StreamEvent.Connected}
 * follows the last. Binance pings (every 20 s on spot, 3 to 5 minutes on futures) and the
 * client answers with a pong by itself; a {@code GET_PROPERTY} request every
 * {@value #HEARTBEAT_S} s lets a dead connection show. Instruments are matched to symbols as the
 * REST sources do ({@code BTC/USDT} and {@code BTC/USDT:perp} are {@code BTCUSDT}); an event for
 * another symbol, a message that is not JSON and an error answer are
 * {@link StreamEvent.Rejected}.
 *
 * <p>Each connection's state is its own; its events are handled one at a time (frames, snapshot
 * answers and resync requests merged), never blocking.
 */
public final class BinanceStream extends WsStream {

  /** Binance spot's raw stream endpoint. */
  public static final String URL = "wss://stream.binance.com:9443/ws";
  /**
   * Binance USD-M futures' raw stream endpoint for depth and book tickers, since 2026-04-23
   * (the unrouted {@code /ws} was retired); the 24 h tickers are on {@code /market/ws}.
   */
  public static final String FUTURES_URL = "wss://fstream.binance.com/public/ws";
  private static final String PUBLIC_PATH = "/public/ws";
  private static final String MARKET_PATH = "/market/ws";
  /** AsterDEX futures' raw stream endpoint (Binance's USD-M protocol). */
  public static final String ASTERDEX_URL = "wss://fstream.asterdex.com/ws";
  /** Streams per connection on Binance, spot and USD-M futures. */
  static final int MAX_STREAMS = 1024;
  /** Streams per connection on AsterDEX. */
  static final int ASTERDEX_MAX_STREAMS = 200;
  static final int STREAMS_PER_FRAME = 100;
  static final long FRAME_PACE_MS = 250;
  static final long HEARTBEAT_S = 30;
  static final long RETRY_MS = 1000;
  static final long MAX_RETRY_MS = 60_000;
  /**
   * Diff events buffered per instrument at most while its snapshot loads; the oldest go. With
   * {@link #BUFFER_SPAN}: at Binance's 10 events a second, a book waiting for its snapshot (the
   * venue throttled, a retry backing off) holds at most 60 s of events, not 5,000 of them.
   */
  static final int MAX_BUFFERED = 5000;
  /**
   * How far back, by the venue's event time, buffered events are kept: a snapshot answered later
   * than this after an event is newer than it, so the event would be dropped as stale anyway.
   */
  static final Duration BUFFER_SPAN = Duration.ofSeconds(60);
  private static final String PING = "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],"
      + "\"id\":0}";
  private static final String PONG = "{\"result\":false,\"id\":0}";

  private static final Logger LOG = LoggerFactory.getLogger(BinanceStream.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Where an event stands against a book at some update id. */
  enum Link {
    /** Already in the book: skipped. */
    STALE,
    /** The next one: applied. */
    NEXT,
    /** Past a gap: events in between were lost. */
    GAP
  }

  /** What differs between Binance's markets: the snapshot, its brackets and how events chain. */
  public enum Api {
    /** Spot ({@code /api/v3}): ids contiguous, each event starts at the previous {@code u + 1}. */
    SPOT("/api/v3/depth", new int[] {100, 500, 1000, 5000}),
    /**
     * USD-M futures ({@code /fapi/v1}), and AsterDEX: each event names the previous one's
     * {@code u} as {@code pu}.
     */
    USD_M("/fapi/v1/depth", new int[] {50, 100, 500, 1000});

    private final String depthPath;
    /** The depth limits at which the weight steps up, each accepted by the venue. */
    private final int[] snapshotLimits;

    Api(String depthPath, int[] snapshotLimits) {
      this.depthPath = depthPath;
      this.snapshotLimits = snapshotLimits;
    }

    /** The snapshot limit for books of {@code depth} levels: the cheapest bracket of 5 x depth. */
    int snapshotLimit(int depth) {
      return covering(snapshotLimits, (int) Math.min(Integer.MAX_VALUE, 5L * depth));
    }

    /**
     * Where event {@code first..last} (previous final id {@code prev}, futures only) stands
     * against a book at update id {@code at}. On futures, an event straight after a snapshot
     * also links when its {@code pu} is the snapshot's {@code lastUpdateId} (the snapshot was
     * taken between two events): Binance's rule ({@code U <= lastUpdateId <= u}) would fetch
     * that snapshot again for nothing.
     *
     * @param fromSnapshot true if {@code at} is a snapshot's {@code lastUpdateId} and no event
     *                     was applied since, false if it is the last applied event's {@code u}
     */
    Link link(long first, long last, long prev, long at, boolean fromSnapshot) {
      if (this == SPOT) {
        return last <= at ? Link.STALE : first > at + 1 ? Link.GAP : Link.NEXT;
      }
      if (fromSnapshot) {
        return last < at ? Link.STALE : first <= at || prev == at ? Link.NEXT : Link.GAP;
      }
      return last <= at ? Link.STALE : prev != at ? Link.GAP : Link.NEXT;
    }

    /** What a gap at {@code at} is, for the resync's detail. */
    String gap(long first, long last, long prev, long at, boolean fromSnapshot) {
      if (this == SPOT) {
        return "expected an update from " + (at + 1) + ", got " + first + ".." + last;
      }
      return fromSnapshot
          ? "expected an update spanning " + at + ", got " + first + ".." + last
          : "expected an update after " + at + ", got pu " + prev + " (" + first + ".." + last
              + ")";
    }
  }

  private final NativeHttp http;
  private final Api api;
  private final int maxStreams;
  /** The second socket's, for the 24 h tickers on Binance's routed endpoints; else null. */
  private final @Nullable WsSpec marketSpec;

  /**
   * Binance spot's stream.
   *
   * @param settings the venue's settings: {@link SourceSettings#streamUrl()} to connect to,
   *                 {@link SourceSettings#baseUrl()} for snapshots
   */
  public BinanceStream(SourceSettings settings) {
    this(settings, Api.SPOT, MAX_STREAMS);
  }

  /**
   * A stream of Binance's {@code api} on the venue of {@code settings}.
   *
   * @param settings   the venue's settings: {@link SourceSettings#streamUrl()} to connect to,
   *                   {@link SourceSettings#baseUrl()} for snapshots
   * @param api        the market's protocol
   * @param maxStreams streams one connection may carry, at least 1
   */
  public BinanceStream(SourceSettings settings, Api api, int maxStreams) {
    this(settings, api, maxStreams,
        new NativeHttp(Objects.requireNonNull(settings, "settings")));
  }

  private BinanceStream(SourceSettings settings, Api api, int maxStreams, NativeHttp http) {
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
        .heartbeat(Duration.ofSeconds(HEARTBEAT_S), PING, PONG), new WsClient(http.transport()));
    if (maxStreams < 1) {
      http.close();
      throw new IllegalArgumentException("maxStreams must be at least 1 but was " + maxStreams);
    }
    this.http = http;
    this.api = Objects.requireNonNull(api, "api");
    this.maxStreams = maxStreams;
    URI market = api == Api.USD_M ? marketUri(spec.uri()) : null;
    this.marketSpec = market == null ? null : WsSpec.of(settings.venue(), market)
        .heartbeat(Duration.ofSeconds(HEARTBEAT_S), PING, PONG);
  }

  /** The venue's symbol of an instrument, as the REST source writes it: {@code BTCUSDT}. */
  static String symbol(Instrument instrument) {
    return instrument.base() + instrument.quote();
  }

  /**
   * Where the 24 h tickers go on Binance's routed USD-M endpoints: a stream URL ending in
   * {@code /public/ws} (depth and book tickers) has them at {@code /market/ws}; null for any
   * other URL (AsterDEX, spot, a proxy or a simulator serving every stream on one path).
   */
  static @Nullable URI marketUri(URI streamUri) {
    String url = streamUri.toString();
    return url.endsWith(PUBLIC_PATH)
        ? URI.create(url.substring(0, url.length() - PUBLIC_PATH.length()) + MARKET_PATH) : null;
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request, context);
    if (marketSpec == null || c.marketStreams.isEmpty()) {
      return client.connect(spec, session -> c.run(session, null));
    }
    // one logical connection on two sockets: either ending ends both
    return client.connect(spec, session -> client.connect(marketSpec,
        market -> c.run(session, market)));
  }

  /**
   * Releases the HTTP client's transport, which the WebSocket connections share, without
   * blocking; connections still open or opening fail.
   */
  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "BinanceStream[" + settings.venue() + " " + api + " "
        + WsSpec.shown(URI.create(settings.streamUrl())) + "]";
  }

  /** What one connection handles, one at a time. */
  private sealed interface Input {}

  /** A frame from the venue. */
  private record Frame(String text) implements Input {}

  /** A snapshot answer for the book's load number {@code epoch}. */
  private record Snapshot(Book book, long epoch, JsonNode json) implements Input {}

  /** A snapshot that could not be had. */
  private record SnapshotFailed(Book book, long epoch, Throwable error) implements Input {}

  /** The scanner asks for a rebuild. */
  private record Rebuild(Instrument instrument) implements Input {}

  /** A snapshot to load after {@code delayMs}. */
  private record Load(Book book, long epoch, long delayMs) {}

  /** One diff event; {@code prev} is futures' {@code pu}, -1 on spot. */
  private record Delta(long first, long last, long prev, Instant time, JsonNode bids,
      JsonNode asks) {

    /** @throws IllegalArgumentException if a part is missing */
    static Delta of(JsonNode m, Api api) {
      JsonNode first = m.path("U");
      JsonNode last = m.path("u");
      if (!first.canConvertToLong() || !last.canConvertToLong() || !m.path("b").isArray()
          || !m.path("a").isArray() || first.asLong() > last.asLong()) {
        throw new IllegalArgumentException("no update ids or levels");
      }
      JsonNode prev = m.path("pu");
      if (api == Api.USD_M && !prev.canConvertToLong()) {
        throw new IllegalArgumentException("no pu");
      }
      return new Delta(first.asLong(), last.asLong(), api == Api.USD_M ? prev.asLong() : -1,
          Instant.ofEpochMilli(m.path("E").asLong()), m.path("b"), m.path("a"));
    }
  }

  /** One instrument's book on one connection. */
  private static final class Book {
    final Instrument instrument;
    final LocalBook levels = new LocalBook();
    final ArrayDeque<Delta> buffer = new ArrayDeque<>();
    boolean synced;
    /** True once an event was applied on the snapshot: the book's sequence is an event's u. */
    boolean chained;
    long epoch;
    int failures;
    Instant time = Instant.EPOCH;

    Book(Instrument instrument) {
      this.instrument = instrument;
    }
  }

  /**
   * One instrument's ticker on one connection; on futures, the halves it is joined from: the
   * book ticker's bid, ask and time, the 24 h ticker's last, volumes and change (NaN until had).
   */
  private static final class Ticker {
    final Instrument instrument;
    double bid = Double.NaN;
    double ask = Double.NaN;
    Instant time = Instant.EPOCH;
    double last = Double.NaN;
    double volume;
    double quoteVolume;
    double change;

    Ticker(Instrument instrument) {
      this.instrument = instrument;
    }
  }

  private final class Connection {

    private final StreamRequest request;
    private final StreamContext context;
    private final Map<String, Book> books = new LinkedHashMap<>();
    private final Map<Instrument, Book> byInstrument = new HashMap<>();
    private final Map<String, Ticker> tickers = new HashMap<>();
    /** The streams of the main socket. */
    private final List<String> streams = new ArrayList<>();
    /** The streams of the market socket (the 24 h tickers on Binance's routed endpoints). */
    final List<String> marketStreams = new ArrayList<>();
    private final Sinks.Many<Load> loads = Sinks.many().unicast().onBackpressureBuffer();

    Connection(StreamRequest request, StreamContext context) {
      this.request = request;
      this.context = context;
      boolean split = marketSpec != null;
      int perInstrument = (request.books() ? 1 : 0)
          + (request.tickers() ? (api == Api.USD_M && !split ? 2 : 1) : 0);
      int perInstrumentMarket = split && request.tickers() ? 1 : 0;
      for (Instrument i : request.instruments()) {
        if (streams.size() + perInstrument > maxStreams
            || marketStreams.size() + perInstrumentMarket > maxStreams) {
          LOG.warn("{}: {} instruments exceed {} streams on one connection; the rest are polled",
              venue(), request.instruments().size(), maxStreams);
          break;
        }
        String symbol = symbol(i);
        String name = symbol.toLowerCase(Locale.ROOT);
        if (request.books()) {
          Book b = new Book(i);
          books.put(symbol, b);
          byInstrument.put(i, b);
          streams.add(name + "@depth@100ms");
        }
        if (request.tickers()) {
          tickers.put(symbol, new Ticker(i));
          if (api == Api.USD_M) {
            streams.add(name + "@bookTicker");
          }
          (split ? marketStreams : streams).add(name + "@ticker");
        }
      }
    }

    /**
     * Runs the connection on {@code session} and, on Binance's routed endpoints, on
     * {@code market} for the 24 h tickers: both subscribed, then their frames handled as one.
     */
    Flux<StreamEvent> run(WsSession session, @Nullable WsSession market) {
      // resync requests and snapshot loads first: frames already received may be handled while
      // the merge subscribes its sources, and what they ask for must find a subscriber
      Flux<Input> inputs = Flux.merge(
          context.resyncs().map(Rebuild::new),
          loads.asFlux().flatMap(this::snapshot, Math.max(1, settings.concurrency())),
          session.receive().map(Frame::new),
          market == null ? Flux.<Input>empty() : market.receive().map(Frame::new));
      Mono<Void> subscribed = market == null ? subscribe(session, streams)
          : Mono.when(subscribe(session, streams), subscribe(market, marketStreams));
      return subscribed.thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
          Flux.defer(() -> {
            books.values().forEach(b -> load(b, 0));
            return inputs.concatMapIterable(this::handle);
          })));
    }

    /** The SUBSCRIBE frames of {@code streams}, paced. */
    private Mono<Void> subscribe(WsSession session, List<String> streams) {
      List<String> frames = new ArrayList<>();
      for (List<String> chunk : chunks(streams, STREAMS_PER_FRAME)) {
        ObjectNode frame = JsonNodeFactory.instance.objectNode().put("method", "SUBSCRIBE");
        ArrayNode params = frame.putArray("params");
        chunk.forEach(params::add);
        frames.add(frame.put("id", frames.size() + 1).toString());
      }
      return Flux.fromIterable(frames).index()
          .concatMap(f -> Mono.delay(Duration.ofMillis(f.getT1() == 0 ? 0 : FRAME_PACE_MS))
              .then(session.send(f.getT2())))
          .then();
    }

    private void load(Book b, long delayMs) {
      b.synced = false;
      b.epoch++;
      // Only ever called one input at a time, so the emission cannot race.
      loads.emitNext(new Load(b, b.epoch, delayMs), Sinks.EmitFailureHandler.FAIL_FAST);
    }

    private Mono<Input> snapshot(Load load) {
      Book b = load.book();
      String what = "depth snapshot " + b.instrument;
      int limit = api.snapshotLimit(request.depth());
      Mono<Input> call = context.request(RequestKind.BOOK, limit,
              () -> http.get(what, api.depthPath + "?symbol=" + symbol(b.instrument) + "&limit="
                  + limit))
          .<Input>map(json -> new Snapshot(b, load.epoch(), json))
          .onErrorResume(e -> Mono.just(new SnapshotFailed(b, load.epoch(), e)));
      return load.delayMs() == 0 ? call : Mono.delay(Duration.ofMillis(load.delayMs())).then(call);
    }

    private List<StreamEvent> handle(Input input) {
      if (input instanceof Frame f) {
        return frame(f.text());
      }
      if (input instanceof Snapshot s) {
        return s.epoch() == s.book().epoch && !s.book().synced ? synced(s.book(), s.json())
            : List.of();
      }
      if (input instanceof SnapshotFailed s) {
        Book b = s.book();
        if (s.epoch() == b.epoch) {
          long delayMs = retryDelay(b);
          LOG.warn("{}: {}; retrying in {} ms", venue(), s.error().getMessage(), delayMs);
          load(b, delayMs);
        }
        return List.of();
      }
      Book b = byInstrument.get(((Rebuild) input).instrument());
      if (b != null && b.synced) {
        LOG.debug("{}: rebuilding {} as the scanner asked", venue(), b.instrument);
        rebuild(b, null, 0);
      }
      return List.of();
    }

    private List<StreamEvent> frame(String text) {
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return List.of(StreamEvent.rejected("not JSON: " + abbreviate(text)));
      }
      String type = m.path("e").asText("");
      if (type.equals("depthUpdate")) {
        return depthUpdate(m);
      }
      if (type.equals("24hrTicker")) {
        return api == Api.USD_M ? dayTicker(m) : ticker(m);
      }
      if (type.equals("bookTicker")) {
        return bookTicker(m);
      }
      if (m.has("error") || m.has("code")) {
        return List.of(StreamEvent.rejected("error answer: " + abbreviate(text)));
      }
      if (!m.has("result")) {
        LOG.debug("{}: ignored {}", venue(), abbreviate(text));
      }
      return List.of();
    }

    private List<StreamEvent> depthUpdate(JsonNode m) {
      String symbol = m.path("s").asText("");
      Book b = books.get(symbol);
      if (b == null) {
        return List.of(StreamEvent.rejected("depth update for unknown symbol " + symbol));
      }
      Delta d;
      try {
        d = Delta.of(m, api);
      } catch (IllegalArgumentException e) {
        return List.of(resync(b, ResyncCause.BAD_DATA,
            "unreadable depth update: " + e.getMessage(), null));
      }
      if (!b.synced) {
        Instant oldestKept = d.time().minus(BUFFER_SPAN);
        while (b.buffer.size() >= MAX_BUFFERED
            || !b.buffer.isEmpty() && b.buffer.peekFirst().time().isBefore(oldestKept)) {
          b.buffer.pollFirst();
        }
        b.buffer.addLast(d);
        return List.of();
      }
      if (link(b, d) == Link.STALE) {
        return List.of(); // already in the book: nothing changed
      }
      StreamEvent broken = apply(b, d);
      return List.of(broken != null ? broken : update(b, now()));
    }

    /** A snapshot arrived: the buffered events after it are applied and the book emitted. */
    private List<StreamEvent> synced(Book b, JsonNode json) {
      JsonNode id = json.path("lastUpdateId");
      try {
        if (!id.canConvertToLong()) {
          throw new IllegalArgumentException("no lastUpdateId");
        }
        b.levels.clear();
        b.levels.set(json.path("bids"), json.path("asks"));
      } catch (IllegalArgumentException e) {
        return List.of(resync(b, ResyncCause.BAD_DATA,
            "unreadable depth snapshot: " + e.getMessage(), null));
      }
      long lastUpdateId = id.asLong();
      b.levels.sequence(lastUpdateId);
      b.chained = false;
      while (!b.buffer.isEmpty() && link(b, b.buffer.peekFirst()) == Link.STALE) {
        b.buffer.pollFirst();
      }
      Delta oldest = b.buffer.peekFirst();
      if (oldest != null && link(b, oldest) == Link.GAP) {
        LOG.debug("{}: the snapshot of {} at {} is older than the stream's {}; fetching again",
            venue(), b.instrument, lastUpdateId, oldest.first());
        b.levels.clear();
        load(b, retryDelay(b)); // a REST side lagging the stream must not eat the limit either
        return List.of();
      }
      Instant now = now(); // one reading: the REST snapshot has no time, so its receive time
      b.time = now;
      @Nullable StreamEvent broken = crossing(b, "snapshot " + lastUpdateId);
      while (broken == null && !b.buffer.isEmpty()) {
        broken = apply(b, b.buffer.pollFirst());
      }
      if (broken != null) {
        return List.of(broken);
      }
      b.synced = true;
      b.failures = 0;
      return List.of(update(b, now));
    }

    /**
     * Applies one event to a synced book (or one being synced): ignored if already covered,
     * else it must continue the chain and leave the book uncrossed.
     *
     * @return null if applied, else the resync it caused
     */
    private @Nullable StreamEvent apply(Book b, Delta d) {
      Link link = link(b, d);
      if (link == Link.STALE) {
        return null;
      }
      if (link == Link.GAP) {
        return resync(b, ResyncCause.SEQUENCE_GAP, api.gap(d.first(), d.last(), d.prev(),
            b.levels.sequence(), !b.chained), d);
      }
      try {
        b.levels.set(d.bids(), d.asks());
      } catch (IllegalArgumentException e) {
        return resync(b, ResyncCause.BAD_DATA, "unreadable depth update " + d.last() + ": "
            + e.getMessage(), null);
      }
      b.levels.sequence(d.last());
      b.chained = true;
      b.time = d.time();
      return crossing(b, "update " + d.last());
    }

    /** The wait before the book's next snapshot: doubling per failure in a row, capped. */
    private long retryDelay(Book b) {
      return Math.min(MAX_RETRY_MS, RETRY_MS << Math.min(16, b.failures++));
    }

    /** Where {@code d} stands against the book's sequence. */
    private Link link(Book b, Delta d) {
      return api.link(d.first(), d.last(), d.prev(), b.levels.sequence(), !b.chained);
    }

    /** A {@link ResyncCause#BAD_DATA} resync if {@code what} left the book crossed, else null. */
    private @Nullable StreamEvent crossing(Book b, String what) {
      return b.levels.crossed() ? resync(b, ResyncCause.BAD_DATA, what + " crosses the book: bid "
          + b.levels.bidPriceText(0) + " >= ask " + b.levels.askPriceText(0), null) : null;
    }

    /** Reports a lost sync and rebuilds the book. */
    private StreamEvent resync(Book b, ResyncCause cause, String detail, @Nullable Delta keep) {
      LOG.debug("{}: resync {} ({}): {}", venue(), b.instrument, cause, detail);
      rebuild(b, keep, 0);
      return StreamEvent.resync(b.instrument, cause, detail);
    }

    /**
     * Forgets the book and buffers again for a new snapshot: from {@code keep}, if given, and
     * the events buffered after it (a gap found while applying the buffer keeps the rest of
     * it), else from nothing.
     */
    private void rebuild(Book b, @Nullable Delta keep, long delayMs) {
      b.levels.clear();
      if (keep != null) {
        b.buffer.addFirst(keep);
      } else {
        b.buffer.clear();
      }
      load(b, delayMs);
    }

    /** The book at its last time, received at {@code now}. */
    private StreamEvent update(Book b, Instant now) {
      return StreamEvent.update(b.levels.snapshot(venue(), b.instrument, request.depth(), 1,
          b.time, now));
    }

    /** Spot's 24 h ticker, bid and ask included: one ticker. */
    private List<StreamEvent> ticker(JsonNode m) {
      String symbol = m.path("s").asText("");
      Ticker t = tickers.get(symbol);
      if (t == null) {
        return List.of(StreamEvent.rejected("ticker for unknown symbol " + symbol));
      }
      try {
        Instant time = Instant.ofEpochMilli(m.path("E").asLong());
        return List.of(StreamEvent.update(new TickerSnapshot(venue(), t.instrument,
            number(m, "b"), number(m, "a"), number(m, "c"), number(m, "v"), number(m, "q"),
            number(m, "P") / 100, time, http.now())));
      } catch (IllegalArgumentException e) { // an InvalidSnapshotException (crossed) is one
        return List.of(StreamEvent.rejected("ticker of " + symbol + ": " + e.getMessage()));
      }
    }

    /** Futures' 24 h ticker (no bid or ask): its half of the joined ticker. */
    private List<StreamEvent> dayTicker(JsonNode m) {
      String symbol = m.path("s").asText("");
      Ticker t = tickers.get(symbol);
      if (t == null) {
        return List.of(StreamEvent.rejected("ticker for unknown symbol " + symbol));
      }
      try {
        t.last = number(m, "c");
      } catch (IllegalArgumentException e) {
        return List.of(StreamEvent.rejected("ticker of " + symbol + ": " + e.getMessage()));
      }
      // optional, as the REST source reads them: NaN when absent
      t.volume = NativeSource.optional(m, "v");
      t.quoteVolume = NativeSource.optional(m, "q");
      t.change = NativeSource.optional(m, "P") / 100;
      return joined(t, symbol);
    }

    /** Futures' book ticker: the bid, ask and time of the joined ticker. */
    private List<StreamEvent> bookTicker(JsonNode m) {
      String symbol = m.path("s").asText("");
      Ticker t = tickers.get(symbol);
      if (api != Api.USD_M) {
        return List.of(StreamEvent.rejected("book ticker not subscribed: " + symbol));
      }
      if (t == null) {
        return List.of(StreamEvent.rejected("book ticker for unknown symbol " + symbol));
      }
      double bid;
      double ask;
      try {
        bid = number(m, "b");
        ask = number(m, "a");
      } catch (IllegalArgumentException e) {
        return List.of(StreamEvent.rejected("book ticker of " + symbol + ": " + e.getMessage()));
      }
      t.bid = bid;
      t.ask = ask;
      t.time = Instant.ofEpochMilli(m.path(m.has("T") ? "T" : "E").asLong());
      return joined(t, symbol);
    }

    /** The joined ticker once both halves arrived, else nothing. */
    private List<StreamEvent> joined(Ticker t, String symbol) {
      if (Double.isNaN(t.bid) || Double.isNaN(t.last)) {
        return List.of();
      }
      try {
        return List.of(StreamEvent.update(new TickerSnapshot(venue(), t.instrument, t.bid, t.ask,
            t.last, t.volume, t.quoteVolume, t.change, t.time, http.now())));
      } catch (IllegalArgumentException e) { // an InvalidSnapshotException (crossed) is one
        return List.of(StreamEvent.rejected("ticker of " + symbol + ": " + e.getMessage()));
      }
    }
  }

  /** @throws IllegalArgumentException if the field is not a number */
  private static double number(JsonNode m, String field) {
    return Double.parseDouble(m.path(field).asText(""));
  }
}
