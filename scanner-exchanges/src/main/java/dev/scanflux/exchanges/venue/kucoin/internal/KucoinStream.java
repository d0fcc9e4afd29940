package dev.scanflux.exchanges.venue.kucoin.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.alert.AlertText;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.NativeHttp;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.LocalBook;
import dev.scanflux.exchanges.internal.stream.ResyncBackoff;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSession;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.internal.stream.WsStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * KuCoin's public push stream, spot ({@value #SPOT_URL}) or futures ({@value #FUTURES_URL}),
 * natively, after KuCoin's WebSocket documentation.
 *
 * <h2>Connection</h2>
 *
 * Every connection first asks for a token: {@code POST /api/v1/bullet-public} on the venue's
 * REST base URL, run through {@link StreamContext#request} (charged at KuCoin's weight 10, see
 * {@link #tokenAdmission}, so it counts against the venue's budget), answers
 * {@code instanceServers[].endpoint}, {@code pingInterval} and a {@code token}. A new token is fetched for every connection, so a
 * reconnection never reuses an expired one. The client connects to
 * {@code <endpoint>?token=...&connectId=...} (the endpoint the bullet names while the stream URL
 * is KuCoin's production one; a stream URL set by the user, a proxy or a simulator, replaces
 * it, with the bullet's token), waits for {@code {"type":"welcome"}} (at most the connect
 * timeout; any other first message is {@link StreamEvent.Rejected} and ends the connection),
 * then subscribes {@code {"id":..,"type":"subscribe","topic":..,"response":true}}. Every request
 * frame of a connection, its first subscriptions and every later (un)subscription, goes through
 * one queue that sends at most {@value #FRAMES_PER_WINDOW} in any {@value #FRAME_WINDOW_MS} ms
 * (KuCoin accepts 100 client messages per 10 s; the rest is left to the pings, one per
 * {@code pingInterval}), at once while the window has room; the messages of the topics already
 * subscribed are handled meanwhile, and {@link StreamEvent.Connected} follows the last frame.
 * Books go first, then the channels that complete a ticker, all in the request's priority
 * order. It pings {@code {"type":"ping"}} every {@code pingInterval} (18 s today).
 * Every request carries an {@code id} and {@code response:true}: KuCoin's {@code ack} answers it;
 * an {@code error} answer, or no answer, is a {@link StreamEvent.Rejected} naming the request and
 * its topic. No answer is told exactly, without clocks: once the connect timeout passed since a
 * request was sent with no answer handled, a ping with a fresh id goes through the same queue;
 * KuCoin answers one connection's messages in order, so its pong handled with the request still
 * unanswered means no answer (a reader lagging behind never takes an answer it received but has
 * not handled yet for none; a connection that answers nothing is ended by the heartbeat). An
 * unanswered {@code subscribe}, or one refused with a 5xx or a rate limit (429, "exceed"), is
 * sent again (at once, then after {@link ResyncBackoff}'s doubling waits while it keeps
 * failing), so such a topic is neither lost nor retried in a storm; one refused otherwise (a
 * 4xx) is not sent again: a topic of several symbols is split once into one frame a symbol (so
 * the symbols KuCoin takes still stream), a topic of one symbol stays refused (one
 * {@link StreamEvent.Rejected} naming the symbol; that topic stays unsubscribed).
 * Other pongs are swallowed. At most {@value #MAX_TOPICS} instrument topics go on one
 * connection (KuCoin's limit), in the request's priority order: instruments beyond stay polled.
 * The token is a credential of the connection: it never appears in an error, a report or this
 * stream's logs ({@code WsClient} names a connection without its query; anything else naming the
 * token shows {@code <token>}).
 *
 * <h2>Books: 50-level snapshots, no sync</h2>
 *
 * Books are KuCoin's full 50-level snapshots, pushed every 100 ms:
 * {@code /spotMarket/level2Depth50:<symbols>} (up to {@value #SYMBOLS_PER_TOPIC} symbols a
 * topic) on spot, {@code /contractMarket/level2Depth50:<symbol>} on futures (sizes in contracts
 * of the contract's multiplier, as the REST source declares). KuCoin documents symbol lists
 * ({@code {symbol},{symbol}}, up to 100) for spot's {@code level2Depth50} and {@code ticker}
 * topics only; its {@code /market/snapshot} and every futures topic take one symbol, so those
 * are subscribed one symbol a frame (docs/exchanges.md names the sources). Each message replaces
 * the book, so nothing needs a REST snapshot, a sequence chain or a resync protocol: spot's
 * only public incremental feed ({@code /market/level2}) would have to be synced on
 * {@code level2_20}/{@code level2_100} snapshots (the full one needs an API key), one more REST
 * call per book and per gap, for books a scanner wants 20 levels deep. A message that cannot be
 * read, or leaves the book crossed, is a {@link ResyncCause#BAD_DATA} resync of that instrument;
 * the next valid one brings it back. On futures a message whose {@code sequence} is below the
 * last applied one is stale and {@link StreamEvent.Rejected}. Books deeper than
 * {@value #MAX_DEPTH} levels are not streamed (they stay polled). A rebuild the scanner asks for
 * unsubscribes and subscribes the instrument's topics again, at once the first time, then after
 * {@link ResyncBackoff}'s doubling waits while no message of it arrives in between.
 *
 * <h2>Tickers</h2>
 *
 * Read into the REST source's fields so that both sides agree. Spot: {@code /market/ticker}
 * (best bid, best ask and last price, real time) merged with {@code /market/snapshot} (the 24 h
 * volumes and change, every 2 s, the fields of the REST {@code market/stats}); a ticker is
 * emitted once both have come. Futures: {@code /contractMarket/tickerV2} (best bid and ask on
 * every change) merged with {@code /contractMarket/ticker} (the last trade price, on each
 * trade), the newer best prices by {@code sequence} winning; 24 h figures are NaN, as on REST. A
 * ticker that cannot be read or is invalid (crossed) is {@link StreamEvent.Rejected}.
 *
 * <p>Each connection's state is its own; its frames and resync requests are handled one at a
 * time, never blocking.
 */
public final class KucoinStream extends WsStream {

  /** KuCoin spot's public stream endpoint, as the bullet names it today. */
  public static final String SPOT_URL = "wss://ws-api-spot.kucoin.com/";
  /** KuCoin futures' public stream endpoint, as the bullet names it today. */
  public static final String FUTURES_URL = "wss://ws-api-futures.kucoin.com/";
  /** The token endpoint, on the REST base URL. */
  static final String BULLET = "/api/v1/bullet-public";
  /** The token request's weight in KuCoin's public pool (spot and futures). */
  static final int BULLET_WEIGHT = 10;
  /** The deepest book streamed: KuCoin's 50-level snapshots. */
  static final int MAX_DEPTH = 50;
  /** Symbols per topic subscription at most (spot). */
  static final int SYMBOLS_PER_TOPIC = 100;
  /** Instrument topics per connection at most. */
  static final int MAX_TOPICS = 400;
  /**
   * Request frames sent in any {@value #FRAME_WINDOW_MS} ms at most: under KuCoin's 100 client
   * messages per 10 s, with room for the pings (one per {@code pingInterval}, 18 s today) and
   * for frames of two windows arriving closer together than they were sent.
   */
  static final int FRAMES_PER_WINDOW = 90;
  /** The window {@value #FRAMES_PER_WINDOW} frames are counted over: KuCoin's 10 s. */
  static final long FRAME_WINDOW_MS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(KucoinStream.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String PING = "{\"id\":\"ping\",\"type\":\"ping\"}";

  private final NativeHttp http;
  private final boolean futures;
  private final String productionUrl;
  private final @Nullable KucoinSource spot;
  private final @Nullable KucoinFuturesSource perpetuals;
  private final @Nullable Duration pingEvery;
  /** Numbers this stream's connections for their {@code connectId}. */
  private final AtomicLong connections = new AtomicLong();

  private KucoinStream(SourceSettings settings, NativeHttp http, MarketSource rest,
      @Nullable Duration pingEvery) {
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
        .connectTimeout(settings.httpTimeout()), new WsClient(http.transport()));
    this.http = http;
    this.pingEvery = pingEvery;
    if (rest instanceof KucoinSource s) {
      this.spot = s;
      this.perpetuals = null;
      this.futures = false;
      this.productionUrl = SPOT_URL;
    } else if (rest instanceof KucoinFuturesSource f) {
      this.spot = null;
      this.perpetuals = f;
      this.futures = true;
      this.productionUrl = FUTURES_URL;
    } else {
      http.close();
      throw new IllegalArgumentException(
          "rest must be a KucoinSource or a KucoinFuturesSource but was " + rest);
    }
  }

  /**
   * The stream of a KuCoin spot or futures preset, pinging as the bullet asks.
   *
   * @param settings the venue's settings: {@link SourceSettings#baseUrl()} for the token,
   *                 {@link SourceSettings#streamUrl()}, the HTTP timeout as connect timeout
   * @param rest     the venue's {@link KucoinSource} or {@link KucoinFuturesSource}
   * @throws IllegalArgumentException if {@code rest} is neither
   */
  public static KucoinStream of(SourceSettings settings, MarketSource rest) {
    return of(settings, rest, null);
  }

  /**
   * The same with another heartbeat period than the bullet's {@code pingInterval}, for tests.
   *
   * @param pingEvery how often to ping, or null for the bullet's interval
   */
  public static KucoinStream of(SourceSettings settings, MarketSource rest,
      @Nullable Duration pingEvery) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(rest, "rest");
    return new KucoinStream(settings, new NativeHttp(settings), rest, pingEvery);
  }

  /** Releases the HTTP client's transport, which the WebSocket connections share. */
  @Override
  public void close() {
    http.close();
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    return discovered(request, context)
        .then(Mono.defer(() -> {
          Admission a = tokenAdmission(settings.rateLimit());
          return context.request(a.kind(), a.depth(), () -> Bullet.fetch(http, venue()));
        }))
        .flatMapMany(bullet -> {
          Connection c = new Connection(request, context);
          return client.connect(spec(bullet), c::run)
              .onErrorMap(SourceException.class, e -> redacted(e, bullet.token()))
              .doFinally(s -> c.dispose());
        });
  }

  /**
   * How a token request is charged to the venue's limiter: as the request kind whose weight
   * is the smallest at least KuCoin's {@value #BULLET_WEIGHT} for the bullet (else the heaviest),
   * since the limiter knows no token kind; under-charging it would let the stream push the venue
   * over its limit when polling runs at the budget.
   */
  static Admission tokenAdmission(RateLimitSpec limit) {
    List<Admission> kinds = List.of(new Admission(RequestKind.INSTRUMENTS, 1),
        new Admission(RequestKind.TICKER, 1), new Admission(RequestKind.TICKERS, 1),
        new Admission(RequestKind.BOOK, 1), new Admission(RequestKind.BOOK, 20),
        new Admission(RequestKind.BOOK, 100), new Admission(RequestKind.BOOK, 1000));
    @Nullable Admission best = null;
    Admission heaviest = kinds.get(0);
    for (Admission a : kinds) {
      int w = limit.weight(a.kind(), a.depth());
      if (w >= BULLET_WEIGHT && (best == null || w < limit.weight(best.kind(), best.depth()))) {
        best = a;
      }
      if (w > limit.weight(heaviest.kind(), heaviest.depth())) {
        heaviest = a;
      }
    }
    return best != null ? best : heaviest;
  }

  /** A request kind and depth, as the limiter weighs them. */
  record Admission(RequestKind kind, int depth) {}

  /**
   * Futures books need the contracts' multipliers: with a fixed instrument list the stream may
   * connect before any discovery, so it runs one (through the venue's limiter). A failure leaves
   * the contracts it would have listed unstreamed, not the connection down.
   */
  private Mono<Void> discovered(StreamRequest request, StreamContext context) {
    KucoinFuturesSource f = perpetuals;
    if (f == null || !request.books() || !f.undiscovered()) {
      return Mono.empty();
    }
    return context.request(RequestKind.INSTRUMENTS, 1, f::instruments)
        .doOnError(e -> LOG.warn("{}: no contract multipliers for the stream's books: {}",
            venue(), e.getMessage()))
        .onErrorResume(e -> Mono.empty())
        .then();
  }

  /**
   * {@code e} without the token: the connection's errors name its address, which carries it.
   * Its message, and every cause and suppressed exception under it (at any depth), are looked
   * at; where any shows the token (plain or URL-encoded), {@code e} is rebuilt with the token
   * replaced by {@code <token>}, and the causes and suppressed exceptions that show it are
   * replaced by copies whose text shows {@code <token>} instead (class, message and stack
   * trace kept).
   */
  static SourceException redacted(SourceException e, String token) {
    String encoded = URLEncoder.encode(token, StandardCharsets.UTF_8);
    if (!shows(e, token, encoded, new HashSet<>())) {
      return e;
    }
    String message = String.valueOf(e.getMessage());
    String prefix = e.venue() + ": ";
    String text = hidden(message.startsWith(prefix) ? message.substring(prefix.length())
        : message, token, encoded);
    Throwable cause = e.getCause();
    Throwable kept = cause == null || !shows(cause, token, encoded, new HashSet<>()) ? cause
        : copy(cause, token, encoded, new HashSet<>(List.of(e)));
    SourceException clean;
    if (e instanceof ThrottledException t) {
      clean = new ThrottledException(e.venue(), text, t.retryAfter().orElse(null));
    } else if (e instanceof BadDataException) {
      clean = new BadDataException(e.venue(), text, kept);
    } else if (e instanceof PermanentSourceException) {
      clean = new PermanentSourceException(e.venue(), text, kept);
    } else {
      clean = new TransientSourceException(e.venue(), text, kept);
    }
    clean.setStackTrace(e.getStackTrace());
    for (Throwable s : e.getSuppressed()) {
      clean.addSuppressed(shows(s, token, encoded, new HashSet<>())
          ? copy(s, token, encoded, new HashSet<>(List.of(e))) : s);
    }
    return clean;
  }

  /** True if {@code t}, its causes or its suppressed exceptions name the token. */
  private static boolean shows(Throwable t, String token, String encoded, Set<Throwable> seen) {
    if (!seen.add(t)) {
      return false;
    }
    String text = t + " " + t.getMessage();
    if (text.contains(token) || text.contains(encoded)) {
      return true;
    }
    if (t.getCause() != null && shows(t.getCause(), token, encoded, seen)) {
      return true;
    }
    for (Throwable s : t.getSuppressed()) {
      if (shows(s, token, encoded, seen)) {
        return true;
      }
    }
    return false;
  }

  /** {@code t} and everything under it, as {@link Redacted} copies without the token. */
  private static Throwable copy(Throwable t, String token, String encoded, Set<Throwable> seen) {
    seen.add(t);
    Redacted r = new Redacted(hidden(t.toString(), token, encoded));
    r.setStackTrace(t.getStackTrace());
    Throwable cause = t.getCause();
    if (cause != null && !seen.contains(cause)) {
      r.initCause(copy(cause, token, encoded, seen));
    }
    for (Throwable s : t.getSuppressed()) {
      if (!seen.contains(s)) {
        r.addSuppressed(copy(s, token, encoded, seen));
      }
    }
    return r;
  }

  private static String hidden(String text, String token, String encoded) {
    return text.replace(encoded, "<token>").replace(token, "<token>");
  }

  /**
   * A cause or suppressed exception that named the token, redacted: its text is the original's
   * {@code toString()} (class and message) with {@code <token>} in the token's place.
   */
  static final class Redacted extends Exception {
    private static final long serialVersionUID = 1L;

    Redacted(String text) {
      super(text);
    }

    @Override
    public String toString() {
      return String.valueOf(getMessage());
    }
  }

  /** The connection's address and heartbeat: the bullet's, or the user's address. */
  private WsSpec spec(Bullet bullet) {
    String base = settings.streamUrl().equals(productionUrl) ? bullet.endpoint()
        : settings.streamUrl();
    URI.create(base); // an unusable endpoint fails here, before the token is in the address
    String uri = base + (base.contains("?") ? '&' : '?') + "token="
        + URLEncoder.encode(bullet.token(), StandardCharsets.UTF_8) + "&connectId=scanflux-"
        + connections.incrementAndGet();
    Duration every = pingEvery != null ? pingEvery : bullet.pingInterval();
    return new WsSpec(venue(), URI.create(uri), spec.connectTimeout(), spec.maxMessageChars(),
        every, PING, "");
  }

  /**
   * What the bullet answered. Its {@link #toString()} leaves the token out.
   *
   * @param endpoint     the WebSocket server to connect to
   * @param token        the connection's credential
   * @param pingInterval how often KuCoin wants a ping
   */
  record Bullet(String endpoint, String token, Duration pingInterval) {

    static Mono<Bullet> fetch(NativeHttp http, String venue) {
      String what = "stream token";
      return KucoinEnvelope.post(http, venue, what, BULLET).map(data -> read(http, what, data));
    }

    /** @throws BadDataException if a part is missing */
    static Bullet read(NativeHttp http, String what, JsonNode data) {
      String token = data.path("token").asText("");
      if (token.isEmpty()) {
        throw http.badData(what, "no token in the bullet");
      }
      for (JsonNode server : data.path("instanceServers")) {
        String endpoint = server.path("endpoint").asText("");
        long interval = server.path("pingInterval").asLong(0);
        if ((endpoint.startsWith("wss://") || endpoint.startsWith("ws://")) && interval > 0
            && server.path("protocol").asText("websocket").equals("websocket")) {
          return new Bullet(endpoint, token, Duration.ofMillis(interval));
        }
      }
      throw http.badData(what, "no WebSocket server with a ping interval in the bullet");
    }

    @Override
    public String toString() {
      return "Bullet[" + endpoint + ", ping every " + pingInterval + "]";
    }
  }

  /** What one connection handles, one at a time. */
  private sealed interface Input {}

  /** A frame from the venue. */
  private record Frame(String text) implements Input {}

  /** The scanner asks for a rebuild. */
  private record Rebuild(Instrument instrument) implements Input {}

  /** A rebuild whose backoff wait has passed. */
  private record Due(Runnable action) implements Input {}

  /** The time KuCoin had to answer request {@code id} has passed. */
  private record AnswerDue(String id) implements Input {}

  /** A request frame sent and not answered yet: its type and topic. */
  private record Pending(String op, String topic) {}

  /**
   * A ping sent behind requests whose time to answer passed: the ids of those requests, and
   * whether the ping was handed to the connection (then later requests may be sent before it).
   */
  private static final class Barrier {
    final String id;
    final List<String> requests = new ArrayList<>();
    volatile boolean sent;

    Barrier(String id) {
      this.id = id;
    }
  }

  /** One instrument on one connection: its book and its merged ticker fields. */
  private static final class Stream {
    final Instrument instrument;
    final String symbol;
    final double contractSize;
    final LocalBook levels = new LocalBook();
    final ObjectNode ticker = JsonNodeFactory.instance.objectNode();
    long sequence = -1;
    long tickerSequence = -1;
    boolean stats;
    /** Rebuilds asked in a row with no message of the instrument in between. */
    int rebuilds;

    Stream(Instrument instrument, String symbol, double contractSize) {
      this.instrument = instrument;
      this.symbol = symbol;
      this.contractSize = contractSize;
    }
  }

  private final class Connection {

    private final StreamRequest request;
    private final StreamContext context;
    private final Map<String, Stream> bySymbol = new LinkedHashMap<>();
    private final Map<Instrument, Stream> byInstrument = new HashMap<>();
    private final List<StreamEvent> unlisted = new ArrayList<>();
    private final ResyncBackoff backoff = new ResyncBackoff(settings.clock());
    private final FramePacer pacer = new FramePacer(FRAMES_PER_WINDOW,
        Duration.ofMillis(FRAME_WINDOW_MS), settings.clock());
    /** Requests sent and not answered, by id. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Subscriptions refused or unanswered in a row, by topic. */
    private final Map<String, Integer> failures = new HashMap<>();
    private final Sinks.Many<Input> answersDue = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable.Composite timers = Disposables.composite();
    /** Barrier pings sent and not answered, by id. */
    private final Map<String, Barrier> barriers = new HashMap<>();
    /** The last barrier ping queued. */
    private @Nullable Barrier barrier;
    private final boolean books;
    private int requests;

    Connection(StreamRequest request, StreamContext context) {
      this.request = request;
      this.context = context;
      this.books = request.books() && request.depth() <= MAX_DEPTH;
      if (request.books() && !books) {
        LOG.warn("{}: books of {} levels are deeper than KuCoin's {}-level stream; they stay"
            + " polled", venue(), request.depth(), MAX_DEPTH);
      }
      int perInstrument = (books ? 1 : 0) + (request.tickers() ? 2 : 0);
      for (Instrument i : request.instruments()) {
        if (byInstrument.containsKey(i) || perInstrument == 0) {
          continue;
        }
        if (i.isSpot() == futures) {
          unlisted.add(StreamEvent.rejected(i + " is not on this KuCoin stream, which serves "
              + (futures ? "perpetual futures" : "spot instruments") + " only"));
          continue;
        }
        if ((byInstrument.size() + 1) * perInstrument > MAX_TOPICS) {
          LOG.warn("{}: {} instruments exceed {} topics on one connection; the rest are polled",
              venue(), request.instruments().size(), MAX_TOPICS);
          break;
        }
        double contractSize = 1;
        if (perpetuals != null && books) {
          Double multiplier = perpetuals.multiplier(i);
          if (multiplier == null) {
            LOG.warn("{}: {} is not a listed contract; not streamed", venue(), i);
            continue;
          }
          contractSize = multiplier;
        }
        String symbol = spot != null ? spot.venueSymbol(i) : perpetuals().venueSymbol(i);
        Stream s = new Stream(i, symbol, contractSize);
        bySymbol.put(symbol, s);
        byInstrument.put(i, s);
      }
    }

    /** Waits for the welcome, subscribes, then emits the events of the frames. */
    Flux<StreamEvent> run(WsSession session) {
      Duration welcomeWithin = spec.connectTimeout();
      return session.receive()
          .timeout(Mono.delay(welcomeWithin), first -> Mono.never())
          .onErrorMap(java.util.concurrent.TimeoutException.class,
              e -> new TransientSourceException(venue(), "no welcome from KuCoin within "
                  + AlertText.duration(welcomeWithin), null))
          .switchOnFirst((first, frames) -> {
            String text = first.get();
            if (text == null) { // ended before any message: its end is the connection's
              return frames.ignoreElements().flatMapMany(none -> Flux.<StreamEvent>empty());
            }
            if (!welcome(text)) { // counted as unusable, then the connection ends
              return Flux.concat(Mono.just(StreamEvent.rejected("a first message that is not"
                  + " KuCoin's welcome: " + abbreviate(text))), frames.<StreamEvent>map(f -> {
                    throw new TransientSourceException(venue(),
                        "KuCoin's first message was not a welcome: " + abbreviate(text), null);
                  }));
            }
            Flux<Input> inputs = Flux.merge(context.resyncs().map(Rebuild::new),
                backoff.due().map(Due::new), answersDue.asFlux(),
                frames.skip(1).map(Frame::new));
            // Messages are handled while the paced subscriptions go out: the first topics'
            // books must not wait for the last topic's frame (nor look like a dead connection).
            return Flux.merge(pacer.run(session::send).thenMany(Flux.<StreamEvent>empty()),
                subscribe("subscribe", topics(List.copyOf(bySymbol.values())))
                    .thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
                        Flux.fromIterable(unlisted))),
                inputs.concatMap(input -> handle(input)));
          });
    }

    private boolean welcome(String text) {
      try {
        return MAPPER.readTree(text).path("type").asText("").equals("welcome");
      } catch (JsonProcessingException e) {
        return false;
      }
    }

    /**
     * Queues the frames of {@code op} for {@code topics} on the connection's pacer, each awaiting
     * KuCoin's answer from when it is sent.
     *
     * @return completes once the last frame went out
     */
    private Mono<Void> subscribe(String op, List<String> topics) {
      List<String> frames = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (String topic : topics) {
        String id = Integer.toString(++requests);
        ids.add(id);
        pending.put(id, new Pending(op, topic));
        frames.add(JsonNodeFactory.instance.objectNode()
            .put("id", id).put("type", op).put("topic", topic)
            .put("privateChannel", false).put("response", true).toString());
      }
      return pacer.send(frames, k -> answerDue(ids.get(k)));
    }

    /** Puts {@link AnswerDue} of {@code id} on the inputs once KuCoin's time to answer passed. */
    private void answerDue(String id) {
      Disposable.Swap timer = Disposables.swap();
      timers.add(timer);
      timer.update(Mono.delay(spec.connectTimeout(), settings.clock()).subscribe(t -> {
        timers.remove(timer);
        synchronized (answersDue) { // timers fire on several threads
          answersDue.tryEmitNext(new AnswerDue(id));
        }
      }));
    }

    /**
     * The topics of {@code streams}, books first, then the channels that complete a ticker
     * (futures' {@code ticker} carries the best prices and the last trade, {@code tickerV2}
     * only the best prices); spot's books and tickers grouped by up to
     * {@value #SYMBOLS_PER_TOPIC} symbols, spot's snapshots and every futures topic one symbol
     * each, as KuCoin documents them.
     */
    private List<String> topics(List<Stream> streams) {
      List<String> prefixes = new ArrayList<>();
      if (books) {
        prefixes.add(futures ? "/contractMarket/level2Depth50:" : "/spotMarket/level2Depth50:");
      }
      if (request.tickers()) {
        prefixes.addAll(futures ? List.of("/contractMarket/ticker:", "/contractMarket/tickerV2:")
            : List.of("/market/ticker:", "/market/snapshot:"));
      }
      List<String> out = new ArrayList<>();
      for (String prefix : prefixes) {
        int perTopic = futures || prefix.equals("/market/snapshot:") ? 1 : SYMBOLS_PER_TOPIC;
        for (int from = 0; from < streams.size(); from += perTopic) {
          StringBuilder topic = new StringBuilder(prefix);
          for (Stream s : streams.subList(from, Math.min(streams.size(), from + perTopic))) {
            topic.append(topic.length() == prefix.length() ? "" : ",").append(s.symbol);
          }
          out.add(topic.toString());
        }
      }
      return out;
    }

    private Flux<StreamEvent> handle(Input input) {
      if (input instanceof Frame f) {
        return Flux.fromIterable(frame(f.text()));
      }
      if (input instanceof Due d) {
        d.action().run();
        return Flux.empty();
      }
      if (input instanceof AnswerDue a) {
        if (pending.containsKey(a.id())) {
          barrier(a.id());
        }
        return Flux.empty();
      }
      Stream s = byInstrument.get(((Rebuild) input).instrument());
      if (s == null) {
        LOG.debug("{}: no rebuild of {}, which this connection does not stream", venue(),
            ((Rebuild) input).instrument());
        return Flux.empty();
      }
      LOG.debug("{}: resubscribing {} as the scanner asked", venue(), s.instrument);
      s.sequence = -1;
      Runnable again = () -> {
        List<String> topics = topics(List.of(s));
        sent(subscribe("unsubscribe", topics));
        sent(subscribe("subscribe", topics));
      };
      backoff.resubscribe(s.rebuilds++, again);
      return Flux.empty();
    }

    /**
     * Asks KuCoin to answer a ping behind request {@code id}, whose time to answer passed: KuCoin
     * answers one connection's messages in order, so once the pong is handled with the request
     * still unanswered, it was not answered (see {@link #passed}). The deadline alone cannot tell:
     * the answer may wait, received, behind other frames of a lagging reader. Requests due while
     * a barrier ping is still queued (not sent yet, so behind them) share it.
     */
    private void barrier(String id) {
      Barrier b = barrier;
      if (b == null || b.sent) {
        Barrier next = new Barrier("barrier-" + ++requests);
        barrier = next;
        barriers.put(next.id, next);
        sent(pacer.send(List.of(JsonNodeFactory.instance.objectNode().put("id", next.id)
            .put("type", "ping").toString()), k -> next.sent = true));
        b = next;
      }
      b.requests.add(id);
    }

    /**
     * The pong of a barrier ping was handled: the requests it stood behind and that are still
     * unanswered were not answered.
     */
    private List<StreamEvent> passed(Barrier b) {
      List<StreamEvent> out = new ArrayList<>();
      for (String id : b.requests) {
        Pending p = pending.remove(id);
        if (p != null) {
          out.addAll(failed(p, "KuCoin did not answer " + described(id, p) + " within "
              + AlertText.duration(spec.connectTimeout()) + " (nor before the pong of a later"
              + " ping)", true));
        }
      }
      return out;
    }

    /** The frames are queued; a failure to send them ends the connection anyway. */
    private void sent(Mono<Void> frames) {
      frames.subscribe(null, e -> LOG.debug("{}: a request was not sent: {}", venue(),
          e.toString()));
    }

    /**
     * A request KuCoin refused or did not answer: rejected. A subscription that may pass later
     * ({@code again}: unanswered, a 5xx or a rate limit) is sent again, at once the first time,
     * then after {@link ResyncBackoff}'s doubling waits while it keeps failing (an {@code ack} of
     * the topic ends the run). One refused otherwise (a 4xx) is not sent again: a topic of several
     * symbols is split once into one frame a symbol, so that the symbols KuCoin takes still
     * stream; a topic of one symbol stays refused.
     */
    private List<StreamEvent> failed(Pending p, String detail, boolean again) {
      if (!p.op().equals("subscribe")) {
        return List.of(StreamEvent.rejected(detail));
      }
      if (again) {
        int before = failures.merge(p.topic(), 1, Integer::sum) - 1;
        LOG.debug("{}: subscribing again: {}", venue(), detail);
        backoff.resubscribe(before, () -> sent(subscribe("subscribe", List.of(p.topic()))));
        return List.of(StreamEvent.rejected(detail));
      }
      failures.remove(p.topic());
      int colon = p.topic().indexOf(':');
      String channel = p.topic().substring(0, colon + 1);
      List<String> symbols = List.of(p.topic().substring(colon + 1).split(","));
      if (symbols.size() > 1) {
        sent(subscribe("subscribe", symbols.stream().map(symbol -> channel + symbol).toList()));
        return List.of(StreamEvent.rejected(detail + "; its " + symbols.size()
            + " symbols are subscribed one a frame"));
      }
      return List.of(StreamEvent.rejected(detail + "; " + symbols.get(0) + " is not streamed on "
          + channel.substring(0, channel.length() - 1) + " (not asked again)"));
    }

    /**
     * True if an {@code error} answer may pass when asked again: a 5xx, or a rate limit (429,
     * or a text saying a limit was exceeded); KuCoin's six-digit codes are read by their first
     * three digits ({@code 429000} is a 429). Other codes (4xx, or none) are refusals.
     */
    private static boolean passesLater(JsonNode answer) {
      int code = answer.path("code").asInt(0);
      while (code >= 1000) {
        code /= 10;
      }
      return code >= 500 && code < 600 || code == 429
          || answer.path("data").asText("").toLowerCase(Locale.ROOT).contains("exceed");
    }

    private String described(String id, Pending p) {
      return "request " + id + " (" + p.op() + " " + abbreviate(p.topic()) + ")";
    }

    void dispose() {
      backoff.dispose();
      timers.dispose();
    }

    private List<StreamEvent> frame(String text) {
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return List.of(StreamEvent.rejected("malformed JSON: " + abbreviate(text)));
      }
      String type = m.path("type").asText("");
      switch (type) {
        case "message":
          return message(m);
        case "error": {
          String id = m.path("id").asText("");
          String answer = ": code " + m.path("code").asText("") + " "
              + abbreviate(m.path("data").asText(""));
          Pending p = pending.remove(id);
          return p == null ? List.of(StreamEvent.rejected("KuCoin refused request " + id + answer))
              : failed(p, "KuCoin refused " + described(id, p) + answer, passesLater(m));
        }
        case "ack": {
          Pending p = pending.remove(m.path("id").asText(""));
          if (p != null && p.op().equals("subscribe")) {
            failures.remove(p.topic());
          }
          return List.of();
        }
        case "pong": {
          Barrier b = barriers.remove(m.path("id").asText(""));
          return b == null ? List.of() : passed(b);
        }
        default:
          LOG.debug("{}: ignored {}", venue(), abbreviate(text));
          return List.of();
      }
    }

    private List<StreamEvent> message(JsonNode m) {
      String topic = m.path("topic").asText("");
      int colon = topic.indexOf(':');
      Stream s = colon < 0 ? null : bySymbol.get(topic.substring(colon + 1));
      if (s == null) {
        return List.of(StreamEvent.rejected("a message on " + abbreviate(topic)
            + ", which this connection did not subscribe"));
      }
      s.rebuilds = 0;
      String channel = topic.substring(0, colon + 1);
      JsonNode data = m.path("data");
      switch (channel) {
        case "/spotMarket/level2Depth50:":
        case "/contractMarket/level2Depth50:":
          return books ? book(s, data) : unexpected(topic);
        case "/market/ticker:":
          return request.tickers() ? spotTicker(s, data) : unexpected(topic);
        case "/market/snapshot:":
          return request.tickers() ? spotStats(s, data.path("data")) : unexpected(topic);
        case "/contractMarket/tickerV2:":
        case "/contractMarket/ticker:":
          return request.tickers() ? futuresTicker(s, data, channel.endsWith("ticker:"))
              : unexpected(topic);
        default:
          return unexpected(topic);
      }
    }

    private List<StreamEvent> unexpected(String topic) {
      return List.of(StreamEvent.rejected("a message on " + abbreviate(topic)
          + ", which this connection did not subscribe"));
    }

    private List<StreamEvent> book(Stream s, JsonNode data) {
      long sequence = futures ? data.path("sequence").asLong(-1) : -1;
      if (futures && sequence >= 0 && sequence < s.sequence) {
        return List.of(StreamEvent.rejected("a stale book of " + s.instrument + ": sequence "
            + sequence + " after " + s.sequence));
      }
      Instant now = now(); // one reading: the receive time, and the exchange time if none came
      Instant time = NativeSource.millis(data, "timestamp", NativeSource.millis(data, "ts", now));
      try {
        s.levels.clear();
        s.levels.set(data.path("bids"), data.path("asks"));
      } catch (IllegalArgumentException e) {
        return resync(s, "an unreadable book: " + e.getMessage());
      }
      if (s.levels.bidLevels() == 0 || s.levels.askLevels() == 0) {
        return resync(s, "a book with an empty side");
      }
      if (s.levels.crossed()) {
        return resync(s, "a book that crosses: bid " + s.levels.bidPriceText(0) + " >= ask "
            + s.levels.askPriceText(0));
      }
      s.sequence = Math.max(s.sequence, sequence);
      try {
        return List.of(StreamEvent.update(s.levels.snapshot(venue(), s.instrument,
            request.depth(), s.contractSize, time, now)));
      } catch (IllegalArgumentException e) { // an InvalidSnapshotException
        return resync(s, "an invalid book: " + e.getMessage());
      }
    }

    private List<StreamEvent> resync(Stream s, String detail) {
      LOG.debug("{}: resync {}: {}", venue(), s.instrument, detail);
      s.levels.clear();
      return List.of(StreamEvent.resync(s.instrument, ResyncCause.BAD_DATA, detail));
    }

    /** Spot's real-time best prices and last price: {@code bestBid}, {@code bestAsk}. */
    private List<StreamEvent> spotTicker(Stream s, JsonNode data) {
      s.ticker.set("buy", data.path("bestBid"));
      s.ticker.set("sell", data.path("bestAsk"));
      s.ticker.set("last", data.path("price"));
      Instant now = now();
      return ticker(s, s.stats, NativeSource.millis(data, "Time", now), now);
    }

    /** Spot's 24 h statistics, every 2 s; their prices until a real-time ticker comes. */
    private List<StreamEvent> spotStats(Stream s, JsonNode stats) {
      if (!stats.isObject()) {
        return List.of(StreamEvent.rejected("a market snapshot of " + s.instrument
            + " without data"));
      }
      for (String field : List.of("vol", "volValue", "changeRate")) {
        s.ticker.set(field, stats.path(field));
      }
      if (!s.ticker.has("last")) {
        s.ticker.set("buy", stats.path("buy"));
        s.ticker.set("sell", stats.path("sell"));
        s.ticker.set("last", stats.path("lastTradedPrice"));
      }
      s.stats = true;
      Instant now = now();
      return ticker(s, true, NativeSource.millis(stats, "datetime", now), now);
    }

    /**
     * Futures' best prices ({@code tickerV2}, and {@code ticker} which adds the last trade's
     * {@code price}); the best prices of the higher {@code sequence} win.
     */
    private List<StreamEvent> futuresTicker(Stream s, JsonNode data, boolean trade) {
      long sequence = data.path("sequence").asLong(-1);
      if (sequence >= s.tickerSequence) {
        s.tickerSequence = sequence;
        s.ticker.set("bestBidPrice", data.path("bestBidPrice"));
        s.ticker.set("bestAskPrice", data.path("bestAskPrice"));
      }
      if (trade) {
        s.ticker.set("price", data.path("price"));
      }
      Instant now = now();
      Instant time = data.path("ts").canConvertToLong() ? KucoinFuturesSource.nanos(data, now)
          : now;
      return ticker(s, s.ticker.has("price"), time, now);
    }

    /**
     * The ticker of {@code s} if {@code complete}, at the exchange's {@code time} (or the time of
     * receipt if the venue gave none), received at {@code now}: one clock reading a message.
     */
    private List<StreamEvent> ticker(Stream s, boolean complete, Instant time, Instant now) {
      if (!complete) {
        return List.of();
      }
      try {
        return List.of(StreamEvent.update(spot != null
            ? spot.ticker(s.instrument, s.ticker, time, now)
            : perpetuals().ticker(s.instrument, s.ticker, time, now)));
      } catch (BadDataException | IllegalArgumentException e) { // invalid snapshots are IAEs
        return List.of(StreamEvent.rejected(e.getMessage()));
      }
    }
  }

  private KucoinFuturesSource perpetuals() {
    return Objects.requireNonNull(perpetuals, "perpetuals");
  }
}
