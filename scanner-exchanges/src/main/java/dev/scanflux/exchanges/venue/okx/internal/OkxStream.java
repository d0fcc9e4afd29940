package dev.scanflux.exchanges.venue.okx.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.LocalBook;
import dev.scanflux.exchanges.internal.stream.Outbox;
import dev.scanflux.exchanges.internal.stream.ResyncBackoff;
import dev.scanflux.exchanges.internal.stream.SnapshotWait;
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
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * OKX's public WebSocket ({@value #URL}, API v5) as a {@link MarketStream}, for spot and for
 * linear swaps, beside the venue's REST source.
 *
 * <p>One connection subscribes channel {@code books} (400 levels) and {@code tickers} for each
 * instrument of the request, {@value #ARGS_PER_FRAME} arguments per frame, and sends the text
 * {@code ping} every 20 s (OKX closes a connection idle for 30 s). A book starts from the
 * {@code snapshot} that follows a subscription; when the snapshot carries a {@code seqId}, each
 * {@code update} must name the last message's {@code seqId} as its {@code prevSeqId}; a snapshot
 * without one (OKX sent none before 2023, as the recorded sessions show) is followed by the
 * checksums alone. Each message's {@code checksum} (the CRC32 of the top 25 levels; 0, OKX's
 * value once it retires the checksum, is not checked) must match the local book's. A gap, a
 * wrong checksum, an unreadable level or a book crossed after an update is reported as a
 * {@link StreamEvent.Resync}, and the instrument's {@code books} channel is unsubscribed and
 * subscribed again, which makes OKX send a new snapshot: at once the first time, then after a
 * backoff that doubles from 1 s up to 30 s ({@link ResyncBackoff}) while resyncs
 * follow each other without an update applied in between (timed on the settings' clock), so a
 * venue whose books keep failing is not resubscribed in a storm. OKX answers a {@code books}
 * subscription with its acknowledgement, then the {@code snapshot}, on the same connection and in
 * that order ({@link SnapshotWait}): updates of the old subscription still in flight before OKX's
 * answer to the resubscription (its {@code unsubscribe} or {@code subscribe} event), however many
 * a lagging reader finds queued, or arriving while a resubscription waits, are dropped; an update
 * after that answer, or on the connection's first subscription any update before the snapshot,
 * means the snapshot was lost (a gap), as do {@value SnapshotWait#MAX_UNANSWERED} updates when
 * both answers were lost too.
 * A snapshot is taken whenever it comes, also while a resubscription waits for its backoff, which
 * is then not sent. A resync the scanner asks for resubscribes both channels of the
 * instrument. After every applied message the top {@link StreamRequest#depth()} levels are
 * emitted, in the REST source's unit (swap books in contracts of {@code ctVal}).
 *
 * <p>Instruments are named as the REST source names them, and the ids of incoming messages are
 * mapped back through the request's instruments: data for an id the connection did not
 * subscribe is {@link StreamEvent.Rejected}, as are OKX's request errors (code 60018 for an
 * unknown instrument, 60012 and 60013 for a bad request). Code 60014 (requests too frequent)
 * ends the connection as throttled, an internal error (63999) or a connection error (640xx) as
 * transient. Messages are handled on the stream's own client threads, one at a time,
 * together with the scanner's resync requests.
 */
public final class OkxStream extends WsStream {

  /** OKX's production endpoint for public channels. */
  public static final String URL = "wss://ws.okx.com:8443/ws/v5/public";

  private static final Logger LOG = LoggerFactory.getLogger(OkxStream.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ARGS_PER_FRAME = 50;
  /**
   * Levels per side of OKX's {@code books} channel; the local book is trimmed to them after each
   * whole message (trimming while applying one would drop a level its later deletions keep).
   */
  private static final int BOOK_LEVELS = 400;
  private static final Duration PING_EVERY = Duration.ofSeconds(20);
  private static final String BOOKS = "books";
  private static final String TICKERS = "tickers";

  /** What differs between OKX's spot and swap streams, taken from the REST source. */
  interface Market {
    /** OKX's {@code instId} of an instrument, as the REST source names it. */
    String instId(Instrument instrument);

    /** Base units per book size unit: 1 for spot, a swap's {@code ctVal}. */
    Mono<Double> contractSize(Instrument instrument, StreamContext context);

    /**
     * A ticker from one {@code tickers} data object.
     *
     * @throws IllegalArgumentException if a value is missing or invalid
     */
    TickerSnapshot ticker(Instrument instrument, JsonNode data, Instant now);
  }

  private final Market market;

  private OkxStream(SourceSettings settings, Duration pingEvery, Market market) {
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
        .connectTimeout(settings.httpTimeout())
        .heartbeat(pingEvery, "ping", "pong"), WsClient.ownThreads(settings.venue()));
    this.market = market;
  }

  /** The stream of {@code Venues.okx()}: spot, ids from the native spot source's symbols. */
  public static OkxStream spot(SourceSettings settings, MarketSource rest) {
    return spot(settings, rest, PING_EVERY);
  }

  /** {@link #spot(SourceSettings, MarketSource)} with another heartbeat, for tests. */
  static OkxStream spot(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    OkxSpotSource source = restSource(rest, OkxSpotSource.class);
    return new OkxStream(settings, pingEvery, new Market() {
      @Override
      public String instId(Instrument instrument) {
        return source.symbol(instrument);
      }

      @Override
      public Mono<Double> contractSize(Instrument instrument, StreamContext context) {
        return Mono.just(1.0);
      }

      @Override
      public TickerSnapshot ticker(Instrument instrument, JsonNode t, Instant now) {
        // Spot: vol24h is base units, volCcy24h quote units.
        double last = required(t, "last");
        double open = NativeSource.optional(t, "open24h");
        return new TickerSnapshot(settings.venue(), instrument, required(t, "bidPx"),
            required(t, "askPx"), last, NativeSource.optional(t, "vol24h"),
            NativeSource.optional(t, "volCcy24h"), open > 0 ? (last - open) / open : Double.NaN,
            NativeSource.millis(t, "ts", now), now);
      }
    });
  }

  /**
   * The stream of {@code Venues.okxSwap()}: linear swaps, ids and contract values from the
   * native source, books in contracts of {@code ctVal} like the REST books.
   */
  public static OkxStream swap(SourceSettings settings, MarketSource rest) {
    return swap(settings, rest, PING_EVERY);
  }

  /** {@link #swap(SourceSettings, MarketSource)} with another heartbeat, for tests. */
  static OkxStream swap(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    OkxSwapSource source = restSource(rest, OkxSwapSource.class);
    return new OkxStream(settings, pingEvery, new Market() {
      @Override
      public String instId(Instrument instrument) {
        return source.symbol(instrument);
      }

      @Override
      public Mono<Double> contractSize(Instrument instrument, StreamContext context) {
        return source.contractValue(instrument, context);
      }

      @Override
      public TickerSnapshot ticker(Instrument instrument, JsonNode t, Instant now) {
        return source.ticker("ticker " + instrument, instrument, t, now);
      }
    });
  }

  private static <T extends MarketSource> T restSource(MarketSource rest, Class<T> type) {
    if (!type.isInstance(rest)) {
      throw new IllegalArgumentException("the OKX stream needs a " + type.getSimpleName()
          + " but got " + rest);
    }
    return type.cast(rest);
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return c.resolve(context)
        .thenMany(client.connect(spec, session -> c.run(session, context)));
  }

  private static double required(JsonNode node, String field) {
    JsonNode v = node.path(field);
    if (!v.isTextual() && !v.isNumber()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return Double.parseDouble(v.asText());
  }

  /** One subscribed instrument of a connection. */
  private static final class Tracked {
    final Instrument instrument;
    final String instId;
    final double contractSize;
    final LocalBook book = new LocalBook();
    /** The book was initialised by a snapshot and every message since applied. */
    boolean synced;
    /** The wait for the book's snapshot after a (re)subscription. */
    final SnapshotWait wait = new SnapshotWait("OKX");
    /** The snapshot had a seqId: updates chain by prevSeqId; otherwise by checksum alone. */
    boolean sequenced;
    /** Resyncs since the last update applied. */
    int failures;

    Tracked(Instrument instrument, String instId, double contractSize) {
      this.instrument = instrument;
      this.instId = instId;
      this.contractSize = contractSize;
    }
  }

  /**
   * One connection: its instruments and books. Its inputs, messages and resync requests, are
   * handled one at a time, so its state needs no lock.
   */
  private final class Connection {
    private final StreamRequest request;
    private final Map<String, Tracked> byInstId = new HashMap<>();
    /** In the request's order, priority bases first. */
    private final Map<Instrument, Tracked> byInstrument = new LinkedHashMap<>();
    /** Events to emit after Connected: instruments that cannot be streamed. */
    private final List<StreamEvent> notes = new ArrayList<>();
    /** What the input being handled produced: events, and frames to send before them. */
    private final Outbox out = new Outbox();
    private final List<ObjectNode> unsubscribe = new ArrayList<>();
    private final List<ObjectNode> subscribe = new ArrayList<>();
    /** Resubscriptions of failing books, after their backoff. */
    private final ResyncBackoff backoff = new ResyncBackoff(settings.clock());

    Connection(StreamRequest request) {
      this.request = request;
    }

    /** Learns each instrument's id and contract size; one OKX does not list is left out. */
    Mono<Void> resolve(StreamContext context) {
      return Flux.fromIterable(request.instruments())
          .concatMap(i -> market.contractSize(i, context)
              .doOnNext(size -> track(i, size))
              .onErrorResume(PermanentSourceException.class, e -> {
                notes.add(StreamEvent.rejected("not streaming " + i + ": " + e.getMessage()));
                return Mono.empty();
              }))
          .then();
    }

    private void track(Instrument instrument, double contractSize) {
      Tracked t = new Tracked(instrument, market.instId(instrument), contractSize);
      byInstId.put(t.instId, t);
      byInstrument.put(instrument, t);
    }

    /** Subscribes every channel, then handles messages and resync requests in turn. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      for (Tracked t : byInstrument.values()) {
        subscribe(t);
      }
      queueFrames();
      List<String> frames = out.takeFrames();
      // The scanner's resync requests are subscribed before the frames: frames already
      // received may be handled synchronously while the merge subscribes its sources, and a
      // request made on the strength of their books must find a subscriber.
      Flux<Runnable> inputs = Flux.merge(
          context.resyncs().<Runnable>map(i -> () -> onResyncRequest(i)), backoff.due(),
          session.receive().<Runnable>map(text -> () -> onMessage(text)));
      return session.send(frames)
          .thenMany(Flux.concat(Flux.just(StreamEvent.connected()), Flux.fromIterable(notes),
              inputs.concatMap(input -> out.sendThenEmit(session, () -> {
                input.run();
                queueFrames();
              }))))
          .doFinally(signal -> backoff.dispose());
    }

    private void onMessage(String text) {
      JsonNode m;
      try {
        m = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        reject("unreadable message: " + abbreviate(text));
        return;
      }
      String event = m.path("event").asText("");
      if (!event.isEmpty()) {
        onEvent(event, m);
        return;
      }
      String channel = m.path("arg").path("channel").asText("");
      String instId = m.path("arg").path("instId").asText("");
      Tracked t = byInstId.get(instId);
      if (t == null) {
        reject("a " + channel + " message for '" + instId + "', not subscribed here");
      } else if (channel.equals(BOOKS)) {
        onBook(t, m.path("action").asText(""), m.path("data").path(0));
      } else if (channel.equals(TICKERS)) {
        for (JsonNode d : m.path("data")) {
          onTicker(t, d);
        }
      } else {
        reject("a message on unexpected channel '" + channel + "' for " + instId);
      }
    }

    private void onEvent(String event, JsonNode m) {
      switch (event) {
        case "error" -> onError(m.path("code").asText(""), m.path("msg").asText(""));
        case "subscribe", "unsubscribe" -> onAnswer(m.path("arg"));
        default -> LOG.info("{}: OKX says {}", venue(), abbreviate(m.toString()));
      }
    }

    private void onError(String code, String msg) {
      String detail = "OKX error " + code + ": " + msg;
      if (code.equals("60014")) {
        throw new ThrottledException(venue(), detail, null);
      }
      if (code.equals("63999") || code.startsWith("640")) {
        throw new TransientSourceException(venue(), detail, null);
      }
      reject(detail);
    }

    /** OKX answered a (un)subscription: for a book awaiting its snapshot, it comes next. */
    private void onAnswer(JsonNode arg) {
      Tracked t = byInstId.get(arg.path("instId").asText(""));
      if (t != null && arg.path("channel").asText("").equals(BOOKS) && !t.synced) {
        t.wait.answered();
      }
    }

    private void onBook(Tracked t, String action, JsonNode d) {
      if (action.equals("snapshot")) {
        // Taken whenever it comes: a resubscription waiting for its backoff is then not sent.
        t.wait.snapshot();
        t.book.clear();
        t.synced = true;
        t.sequenced = d.path("seqId").canConvertToLong();
      } else if (t.wait.waiting()) {
        return;
      } else if (!action.equals("update")) {
        resync(t, ResyncCause.BAD_DATA, "books action '" + action + "'");
        return;
      } else if (!t.synced) {
        String lost = t.wait.update();
        if (lost != null) {
          resync(t, ResyncCause.SEQUENCE_GAP, lost);
        }
        return;
      } else if (t.sequenced
          && d.path("prevSeqId").asLong(Long.MIN_VALUE) != t.book.sequence()) {
        resync(t, ResyncCause.SEQUENCE_GAP, "expected prevSeqId " + t.book.sequence()
            + ", got " + d.path("prevSeqId").asText("none"));
        return;
      }
      if (t.sequenced && !d.path("seqId").canConvertToLong()) {
        resync(t, ResyncCause.BAD_DATA, "no seqId after a snapshot with one");
        return;
      }
      try {
        t.book.set(d.path("bids"), d.path("asks"));
      } catch (IllegalArgumentException e) {
        resync(t, ResyncCause.BAD_DATA, "unreadable level: " + e.getMessage());
        return;
      }
      t.book.trim(BOOK_LEVELS);
      t.book.sequence(d.path("seqId").asLong(-1));
      int checksum = d.path("checksum").asInt(0);
      if (checksum != 0 && checksum != t.book.okxChecksum()) {
        resync(t, ResyncCause.CHECKSUM_MISMATCH, "OKX's checksum " + checksum + ", the book's "
            + t.book.okxChecksum() + " at seqId " + t.book.sequence());
      } else if (t.book.crossed()) {
        resync(t, ResyncCause.BAD_DATA, "crossed at seqId " + t.book.sequence() + ": "
            + t.book);
      } else {
        if (action.equals("update")) {
          t.failures = 0;
        }
        out.emit(StreamEvent.update(t.book.snapshot(venue(), t.instrument, request.depth(),
            t.contractSize, NativeSource.millis(d, "ts", now()))));
      }
    }

    private void onTicker(Tracked t, JsonNode d) {
      try {
        out.emit(StreamEvent.update(market.ticker(t.instrument, d, now())));
      } catch (IllegalArgumentException | SourceException e) {
        // InvalidSnapshotException is an IllegalArgumentException.
        reject("ticker " + t.instId + ": " + e.getMessage());
      }
    }

    /** The scanner wants the instrument rebuilt: resubscribe its channels. */
    private void onResyncRequest(Instrument instrument) {
      Tracked t = byInstrument.get(instrument);
      if (t == null) {
        return;
      }
      t.synced = false;
      t.book.clear();
      if (request.books()) {
        resubscribe(t, BOOKS);
      }
      if (request.tickers()) {
        resubscribe(t, TICKERS);
      }
    }

    private void resync(Tracked t, ResyncCause cause, String detail) {
      t.synced = false;
      t.book.clear();
      out.emit(StreamEvent.resync(t.instrument, cause, detail));
      backoff.resubscribe(t.failures++, t.wait.resync(() -> resubscribe(t, BOOKS)));
    }

    private void reject(String detail) {
      out.emit(StreamEvent.rejected(detail));
    }

    private void subscribe(Tracked t) {
      if (request.books()) {
        subscribe.add(arg(BOOKS, t.instId));
      }
      if (request.tickers()) {
        subscribe.add(arg(TICKERS, t.instId));
      }
    }

    private void resubscribe(Tracked t, String channel) {
      unsubscribe.add(arg(channel, t.instId));
      subscribe.add(arg(channel, t.instId));
      if (channel.equals(BOOKS)) {
        t.wait.resubscribing(); // a resubscription waiting for its backoff is dropped
      }
    }

    /** Queues the pending unsubscriptions, then subscriptions, as frames; empties both lists. */
    private void queueFrames() {
      queueFrames("unsubscribe", unsubscribe);
      queueFrames("subscribe", subscribe);
    }

    private void queueFrames(String op, List<ObjectNode> args) {
      for (List<ObjectNode> chunk : chunks(args, ARGS_PER_FRAME)) {
        ObjectNode frame = JsonNodeFactory.instance.objectNode().put("op", op);
        frame.putArray("args").addAll(chunk);
        out.send(frame.toString());
      }
      args.clear();
    }

    private ObjectNode arg(String channel, String instId) {
      return JsonNodeFactory.instance.objectNode().put("channel", channel).put("instId", instId);
    }
  }
}
