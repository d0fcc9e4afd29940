package dev.scanflux.exchanges.venue.bybit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bybit's v5 public WebSocket, natively, for the category of its {@link BybitSource}: spot
 * ({@value #SPOT_URL}) or linear perpetuals ({@value #LINEAR_URL}). Topics
 * {@code orderbook.<depth>.<symbol>} and {@code tickers.<symbol>}, subscribed with
 * {@code {"op":"subscribe","args":[...],"req_id":"1"}} frames of at most
 * {@value #ARGS_PER_REQUEST} topics (spot's limit per request, used for both); symbols and
 * ticker fields are read as the REST source reads them, so both sides agree
 * ({@code 1000PEPE/USDT:perp} is {@code 1000PEPEUSDT}).
 *
 * <ul>
 *   <li>Books: the smallest of Bybit's depths 1, 50, 200 and 1000 that covers the request's
 *       depth. Bybit sends a {@code snapshot} first, which resets the book (also when it sends
 *       one again mid-stream, as after a restart of its book service, {@code u} then 1), then
 *       {@code delta}s whose levels set a size, {@code "0"} deleting. Each delta's update id
 *       {@code u} must be the previous one plus 1: otherwise a
 *       {@link ResyncCause#SEQUENCE_GAP}; an unreadable message or a crossed book is a
 *       {@link ResyncCause#BAD_DATA}. Either way the topic is unsubscribed and subscribed again,
 *       which brings a new snapshot; deltas before it are ignored, for at most
 *       {@value #SNAPSHOT_WAIT_MS} ms after subscribing: deltas later than that mean the
 *       snapshot was lost, and the topic is subscribed again. Bybit sends no checksum.
 *   <li>Tickers: linear sends a full ticker then deltas of the fields that changed, merged into
 *       the last full one before each {@link dev.scanflux.core.model.TickerSnapshot}. Spot sends
 *       full tickers without the best bid and ask: those are taken from the instrument's synced
 *       book (for tickers alone, {@code orderbook.1} is subscribed for them), so a spot ticker is
 *       emitted only while that book is in sync.
 *   <li>A resync the scanner asks for resubscribes every topic of the instrument. An
 *       instrument of the other category, a message on a topic not subscribed, a ticker delta
 *       before its snapshot and a refused subscription ({@code "success":false}) are
 *       {@link StreamEvent.Rejected}.
 *   <li>Heartbeat {@code {"op":"ping"}} every 20 s, as Bybit asks; its pongs (either
 *       {@code "op":"pong"} or {@code "ret_msg":"pong"}) are swallowed.
 * </ul>
 *
 * <p>The stream runs its connections on a client of its own (one event-loop thread), released by
 * {@link #close()}. Each connection's state is its own; its frames and resync requests are
 * handled one at a time, never blocking.
 */
public final class BybitStream extends WsStream {

  /** Bybit's spot public stream. */
  public static final String SPOT_URL = "wss://stream.bybit.com/v5/public/spot";
  /** Bybit's linear (USDT and USDC contracts) public stream. */
  public static final String LINEAR_URL = "wss://stream.bybit.com/v5/public/linear";
  /** Topics per subscription request at most. */
  static final int ARGS_PER_REQUEST = 10;
  /** How long deltas without a snapshot are ignored after subscribing, before subscribing again. */
  static final long SNAPSHOT_WAIT_MS = 3000;
  private static final int[] DEPTHS = {1, 50, 200, 1000};
  private static final Duration PING_EVERY = Duration.ofSeconds(20);
  private static final String PING = "{\"op\":\"ping\"}";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(BybitStream.class);

  private final BybitSource rest;
  private final boolean spot;

  /**
   * A stream with Bybit's 20 s heartbeat.
   *
   * @param settings the venue's settings: its name, {@link SourceSettings#streamUrl()}, the HTTP
   *                 timeout as the connect timeout
   * @param rest     the venue's {@link BybitSource}, for its category, symbols and tickers
   * @throws IllegalArgumentException if {@code rest} is not a {@link BybitSource}
   */
  public BybitStream(SourceSettings settings, MarketSource rest) {
    this(settings, rest, PING_EVERY);
  }

  /**
   * A stream with another heartbeat period: a dead connection the client did not see closing is
   * found at the next ping, so tests use a short one.
   *
   * @param pingEvery how often {@code {"op":"ping"}} is sent
   */
  public BybitStream(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    this(Objects.requireNonNull(settings, "settings"), bybit(rest), pingEvery);
  }

  private BybitStream(SourceSettings settings, BybitSource rest, Duration pingEvery) {
    // No pong text to swallow: Bybit's pongs carry the connection's id, so they are read.
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
        .connectTimeout(settings.httpTimeout())
        .heartbeat(pingEvery, PING, ""), WsClient.ownThreads(settings.venue()));
    this.rest = rest;
    this.spot = rest.category() == BybitSource.Category.SPOT;
  }

  private static BybitSource bybit(MarketSource rest) {
    if (!(rest instanceof BybitSource bybit)) {
      throw new IllegalArgumentException("rest must be a BybitSource but was " + rest);
    }
    return bybit;
  }

  /** The smallest of Bybit's book depths that holds {@code depth} levels, at most 1000. */
  static int topicDepth(int depth) {
    return covering(DEPTHS, depth);
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return client.connect(spec, session -> c.run(session, context));
  }

  /** What one connection handles, one at a time. */
  private sealed interface Input {}

  /** A frame from the venue. */
  private record Frame(String text) implements Input {}

  /** The scanner asks for a rebuild. */
  private record Rebuild(Instrument instrument) implements Input {}

  /** One instrument's book topic on one connection. */
  private static final class Book {
    final Instrument instrument;
    final String topic;
    final int depth;
    final LocalBook levels = new LocalBook();
    boolean synced;
    /** When the topic was last subscribed, on the stream's clock, in ms. */
    long subscribedAt;
    Instant time = Instant.EPOCH;

    Book(Instrument instrument, String topic, int depth) {
      this.instrument = instrument;
      this.topic = topic;
      this.depth = depth;
    }
  }

  /** One instrument's ticker topic on one connection: the last full ticker. */
  private static final class Ticker {
    final Instrument instrument;
    final String topic;
    @Nullable ObjectNode last;
    /** When the topic was last subscribed, on the stream's clock, in ms. */
    long subscribedAt;

    Ticker(Instrument instrument, String topic) {
      this.instrument = instrument;
      this.topic = topic;
    }
  }

  private final class Connection {

    private final StreamRequest request;
    private final Map<String, Book> books = new HashMap<>();
    private final Map<String, Ticker> tickers = new HashMap<>();
    private final Map<Instrument, Book> bookOf = new HashMap<>();
    private final Map<Instrument, List<String>> topics = new LinkedHashMap<>();
    private final List<StreamEvent> unlisted = new ArrayList<>();
    /** Topics to unsubscribe and subscribe again once the current input is handled. */
    private final Set<String> resubscribe = new LinkedHashSet<>();
    private int requests;

    Connection(StreamRequest request) {
      this.request = request;
      int depth = request.books() ? topicDepth(request.depth()) : 1;
      for (Instrument i : request.instruments()) {
        if (i.isSpot() != spot) {
          unlisted.add(StreamEvent.rejected(i + " is not on this Bybit stream, which serves "
              + (spot ? "spot instruments" : "linear perpetuals") + " only"));
          continue;
        }
        if (topics.containsKey(i)) {
          continue;
        }
        String symbol = rest.venueSymbol(i);
        List<String> mine = new ArrayList<>(2);
        if (request.books() || spot) {
          Book b = new Book(i, "orderbook." + depth + '.' + symbol, depth);
          books.put(b.topic, b);
          bookOf.put(i, b);
          mine.add(b.topic);
        }
        if (request.tickers()) {
          String topic = "tickers." + symbol;
          tickers.put(topic, new Ticker(i, topic));
          mine.add(topic);
        }
        topics.put(i, mine);
      }
    }

    /** Subscribes, then emits the events of the frames; rebuilds what the scanner asks. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      List<String> all = new ArrayList<>();
      topics.values().forEach(all::addAll);
      long now = nowMillis();
      books.values().forEach(b -> b.subscribedAt = now);
      tickers.values().forEach(t -> t.subscribedAt = now);
      // resync requests first: frames already received may be handled while the merge
      // subscribes its sources, and a request made on their strength must find a subscriber
      Flux<Input> inputs = Flux.merge(context.resyncs().map(Rebuild::new),
          session.receive().map(Frame::new));
      return session.send(frames("subscribe", all)).thenMany(Flux.concat(
          Mono.just(StreamEvent.connected()), Flux.fromIterable(unlisted),
          inputs.concatMap(input -> handle(session, input))));
    }

    private Flux<StreamEvent> handle(WsSession session, Input input) {
      List<StreamEvent> events = input instanceof Frame f ? frame(f.text())
          : rebuild(((Rebuild) input).instrument());
      if (resubscribe.isEmpty()) {
        return Flux.fromIterable(events);
      }
      List<String> again = new ArrayList<>(resubscribe);
      resubscribe.clear();
      List<String> frames = new ArrayList<>(frames("unsubscribe", again));
      frames.addAll(frames("subscribe", again));
      return Flux.fromIterable(events).concatWith(session.send(frames).then(Mono.empty()));
    }

    /** The {@code op} frames for {@code topics}, {@value #ARGS_PER_REQUEST} topics each. */
    private List<String> frames(String op, List<String> topics) {
      List<String> out = new ArrayList<>();
      for (List<String> chunk : chunks(topics, ARGS_PER_REQUEST)) {
        ObjectNode frame = MAPPER.createObjectNode().put("op", op);
        ArrayNode args = frame.putArray("args");
        chunk.forEach(args::add);
        out.add(frame.put("req_id", Integer.toString(++requests)).toString());
      }
      return out;
    }

    private List<StreamEvent> rebuild(Instrument instrument) {
      List<String> mine = topics.get(instrument);
      if (mine == null) {
        LOG.debug("{}: no resync of {}, which this connection does not stream", venue(),
            instrument);
        return List.of();
      }
      LOG.debug("{}: resubscribing {} as the scanner asked", venue(), instrument);
      for (String topic : mine) {
        Book b = books.get(topic);
        if (b != null) {
          unsync(b);
        }
        Ticker t = tickers.get(topic);
        if (t != null) {
          t.last = null;
          t.subscribedAt = nowMillis();
        }
      }
      resubscribe.addAll(mine);
      return List.of();
    }

    private List<StreamEvent> frame(String text) {
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return List.of(StreamEvent.rejected("malformed JSON: " + abbreviate(text)));
      }
      String topic = m.path("topic").asText("");
      if (!topic.isEmpty()) {
        Book b = books.get(topic);
        if (b != null) {
          return book(b, m);
        }
        Ticker t = tickers.get(topic);
        if (t != null) {
          return ticker(t, m);
        }
        return List.of(StreamEvent.rejected("a message on " + abbreviate(topic)
            + ", which this connection did not subscribe"));
      }
      if (m.path("success").isBoolean() && !m.path("success").asBoolean()) {
        return List.of(StreamEvent.rejected("Bybit refused " + m.path("op").asText("a request")
            + ": " + abbreviate(m.path("ret_msg").asText(""))));
      }
      if (!m.has("success") && !m.path("op").asText("").equals("pong")) {
        LOG.debug("{}: ignored {}", venue(), abbreviate(text));
      }
      return List.of();
    }

    private List<StreamEvent> book(Book b, JsonNode m) {
      JsonNode data = m.path("data");
      JsonNode u = data.path("u");
      String type = m.path("type").asText("");
      boolean snapshot = type.equals("snapshot");
      if (!u.canConvertToLong() || !(snapshot || type.equals("delta"))) {
        return resync(b, ResyncCause.BAD_DATA, "an orderbook message of type '"
            + abbreviate(type) + "' with update id '" + abbreviate(u.asText()) + "'");
      }
      if (!snapshot && !b.synced) {
        // Deltas of the old subscription may come before the snapshot of the new one; past
        // the wait, the snapshot was lost (or never sent) and is asked for again.
        return nowMillis() - b.subscribedAt < SNAPSHOT_WAIT_MS ? List.of()
            : resync(b, ResyncCause.SEQUENCE_GAP, "deltas but no snapshot "
                + SNAPSHOT_WAIT_MS + " ms after subscribing");
      }
      long expected = b.levels.sequence() + 1;
      if (!snapshot && u.asLong() != expected) {
        return resync(b, ResyncCause.SEQUENCE_GAP, "expected u " + expected + ", got "
            + u.asLong());
      }
      try {
        if (snapshot) {
          b.levels.clear();
        }
        b.levels.set(data.path("b"), data.path("a"));
        b.levels.trim(b.depth);
      } catch (IllegalArgumentException e) {
        return resync(b, ResyncCause.BAD_DATA, "unreadable " + type + " " + u.asLong() + ": "
            + e.getMessage());
      }
      if (b.levels.crossed()) {
        return resync(b, ResyncCause.BAD_DATA, type + " " + u.asLong() + " crosses the book: bid "
            + b.levels.bidPriceText(0) + " >= ask " + b.levels.askPriceText(0));
      }
      b.levels.sequence(u.asLong());
      b.synced = true;
      Instant now = now(); // one reading: the receive time, and the exchange time if none came
      b.time = time(m, now);
      return request.books() ? List.of(StreamEvent.update(b.levels.snapshot(venue(),
          b.instrument, request.depth(), 1, b.time, now))) : List.of();
    }

    /** Reports a lost book (if books were asked for) and resubscribes its topic. */
    private List<StreamEvent> resync(Book b, ResyncCause cause, String detail) {
      LOG.debug("{}: resync {} ({}): {}", venue(), b.instrument, cause, detail);
      unsync(b);
      resubscribe.add(b.topic);
      return request.books() ? List.of(StreamEvent.resync(b.instrument, cause, detail))
          : List.of();
    }

    private void unsync(Book b) {
      b.synced = false;
      b.subscribedAt = nowMillis();
      b.levels.clear();
    }

    private List<StreamEvent> ticker(Ticker t, JsonNode m) {
      String type = m.path("type").asText("");
      if (!(m.path("data") instanceof ObjectNode data)) {
        return List.of(StreamEvent.rejected("a ticker of " + t.instrument + " without data"));
      }
      if (type.equals("snapshot")) {
        t.last = data.deepCopy();
      } else if (type.equals("delta") && t.last != null) {
        t.last.setAll(data);
      } else if (type.equals("delta") && nowMillis() - t.subscribedAt < SNAPSHOT_WAIT_MS) {
        return List.of(); // as for books: the snapshot may still come
      } else {
        t.subscribedAt = nowMillis();
        resubscribe.add(t.topic);
        return List.of(StreamEvent.rejected("a ticker " + abbreviate(type) + " of "
            + t.instrument + " without its snapshot; resubscribing"));
      }
      ObjectNode full = t.last;
      if (spot) {
        Book b = bookOf.get(t.instrument);
        if (b == null || !b.synced || b.levels.bidLevels() == 0 || b.levels.askLevels() == 0) {
          return List.of();
        }
        full = full.deepCopy().put("bid1Price", b.levels.bidPriceText(0))
            .put("bid1Size", b.levels.bidSizeText(0))
            .put("ask1Price", b.levels.askPriceText(0))
            .put("ask1Size", b.levels.askSizeText(0));
      }
      Instant now = now(); // one reading: the receive time, and the exchange time if none came
      try {
        return List.of(StreamEvent.update(rest.ticker("ticker " + t.instrument, t.instrument,
            full, time(m, now), now)));
      } catch (BadDataException | IllegalArgumentException e) { // invalid snapshots are IAEs
        return List.of(StreamEvent.rejected(e.getMessage()));
      }
    }
  }

  /** The message's {@code ts}, or {@code now} (the time it was received). */
  private static Instant time(JsonNode m, Instant now) {
    return NativeSource.millis(m, "ts", now);
  }

  /** Bybit's texts are shown to 100 characters. */
  @Override
  protected int shownChars() {
    return 100;
  }
}
