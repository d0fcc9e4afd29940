package dev.scanflux.exchanges.venue.kraken.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.ThrottledException;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Kraken spot's public WebSocket, API v2 ({@value #URL}), as a {@link MarketStream}, on the
 * project's own {@link WsClient}.
 *
 * <p>One connection subscribes channel {@code book} at the smallest Kraken depth (10, 25, 100,
 * 500, 1000) covering the request, and channel {@code ticker}, for every instrument of the
 * request, {@value #SYMBOLS_PER_FRAME} symbols per frame; symbols are v2's {@code BTC/USD}
 * (v1's {@code XBT/USD} is gone: v2 writes the common codes). It sends {@code {"method":"ping"}}
 * every 20 s (Kraken also sends a {@code heartbeat} message every second once subscribed).
 *
 * <p>A book starts from the {@code snapshot} that follows a subscription; each {@code update}
 * sets levels (a {@code qty} of 0 removes one), and after each whole message the book is cut to
 * the subscribed depth, as Kraken sends no removal for a level pushed out of it. Kraken has no
 * sequence numbers: every snapshot and update carries {@code checksum}, the CRC32 of the top 10
 * levels (asks best first, then bids, each price then quantity as sent with the point and
 * leading zeros removed), and that is how a lost or wrong update shows. Prices and quantities
 * are JSON numbers whose text carries the instrument's precision, so they are read as text,
 * never through a {@code double}. A checksum that disagrees, an unreadable level or a book
 * crossed after a message is reported as a {@link StreamEvent.Resync} (cause
 * {@link ResyncCause#CHECKSUM_MISMATCH} or {@link ResyncCause#BAD_DATA}), which the scanner
 * counts, and the instrument's book is unsubscribed and subscribed again for a new snapshot: at
 * once the first time, then after a backoff doubling from 1 s to 30 s while resyncs follow each
 * other without an update applied in between ({@link ResyncBackoff}, on the settings' clock).
 * Kraken answers each (un)subscription once per symbol ({@code {"method":"subscribe","result":
 * {"channel":"book","symbol":"BTC/USD",...},"success":true}}), then sends the snapshot, on the
 * same connection and in that order ({@link SnapshotWait}): updates of the old subscription still
 * in flight before Kraken's answer to the resubscription, however many a lagging reader finds
 * queued, or arriving while a resubscription waits for its backoff, are dropped; an update after
 * that answer, or on the connection's first subscription any update before the snapshot, means
 * the snapshot was lost ({@link ResyncCause#SEQUENCE_GAP}), as do
 * {@value SnapshotWait#MAX_UNANSWERED} updates when both answers were lost too. A snapshot is
 * taken whenever it comes, also while a resubscription waits for its backoff, which is then not
 * sent. A resync the scanner asks for resubscribes the instrument's book (unless it waits for its
 * backoff) and ticker. After every applied book message the top {@link StreamRequest#depth()}
 * levels are emitted.
 *
 * <p>Data for a symbol the connection did not subscribe, a message that is not JSON, an unusable
 * ticker and a refused subscription ({@code "success":false}, e.g. an unknown pair) are
 * {@link StreamEvent.Rejected}; an error about the message rate ends the connection as
 * throttled. Messages are handled on the stream's own client threads, one at a time, together
 * with the scanner's resync requests. Thread-safe; {@link #close()} stops the client's threads.
 */
public final class KrakenStream extends WsStream {

  /** Kraken's production endpoint for public channels, API v2. */
  public static final String URL = "wss://ws.kraken.com/v2";

  private static final Logger LOG = LoggerFactory.getLogger(KrakenStream.class);
  /**
   * Numbers as decimals, trailing zeros kept: Kraken's checksum is over the text it sent
   * ({@code 0.10000000}), which a {@code double} would turn into {@code 0.1}.
   */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .build();
  /** Kraken's book subscription depths. */
  static final int[] DEPTHS = {10, 25, 100, 500, 1000};
  private static final int CHECKSUM_LEVELS = 10;
  private static final int SYMBOLS_PER_FRAME = 100;
  private static final Duration PING_EVERY = Duration.ofSeconds(20);
  private static final String BOOK = "book";
  private static final String TICKER = "ticker";

  /**
   * @param settings the venue's settings; {@link SourceSettings#streamUrl()} is the WebSocket,
   *                 {@value #URL} in production
   */
  public KrakenStream(SourceSettings settings) {
    this(settings, PING_EVERY);
  }

  /**
   * With another heartbeat, for tests: the JDK client may miss an abrupt close until it next
   * writes, and the heartbeat bounds that time.
   */
  public KrakenStream(SourceSettings settings, Duration pingEvery) {
    super(settings, WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
            .connectTimeout(settings.httpTimeout())
            // Kraken's pong carries its times, so it never equals a fixed text: run() drops it.
            .heartbeat(pingEvery, "{\"method\":\"ping\"}", "{\"method\":\"pong\"}"),
        WsClient.ownThreads(settings.venue()));
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return client.connect(spec, session -> c.run(session, context));
  }

  /** The smallest Kraken book depth covering {@code depth}, at most Kraken's deepest. */
  static int krakenDepth(int depth) {
    return covering(DEPTHS, depth);
  }

  /** Kraken's v2 symbol of an instrument: {@code BTC/USD}. */
  static String symbol(Instrument instrument) {
    return instrument.base() + '/' + instrument.quote();
  }

  /**
   * Kraken's checksum of a book: the CRC32, unsigned, of its top 10 asks, best first, then its
   * top 10 bids, each level's price then quantity as the venue wrote them, without the decimal
   * point and the leading zeros.
   */
  static long checksum(LocalBook book) {
    StringBuilder s = new StringBuilder(400);
    for (int i = 0, n = Math.min(CHECKSUM_LEVELS, book.askLevels()); i < n; i++) {
      digits(s, book.askPriceText(i));
      digits(s, book.askSizeText(i));
    }
    for (int i = 0, n = Math.min(CHECKSUM_LEVELS, book.bidLevels()); i < n; i++) {
      digits(s, book.bidPriceText(i));
      digits(s, book.bidSizeText(i));
    }
    CRC32 crc = new CRC32();
    crc.update(s.toString().getBytes(StandardCharsets.US_ASCII));
    return crc.getValue();
  }

  /** Appends {@code decimal} without its point and leading zeros. */
  private static void digits(StringBuilder s, String decimal) {
    boolean leading = true;
    for (int k = 0; k < decimal.length(); k++) {
      char c = decimal.charAt(k);
      if (c == '.' || leading && c == '0') {
        continue;
      }
      leading = false;
      s.append(c);
    }
  }

  /**
   * A price or quantity as Kraken wrote it: a JSON number's text with its precision (a decimal
   * read with its trailing zeros), or a string.
   *
   * @throws IllegalArgumentException if it is neither
   */
  static String decimalText(JsonNode v, String what) {
    if (v.isBigDecimal()) {
      return v.decimalValue().toPlainString();
    }
    if (v.isIntegralNumber() || v.isTextual()) {
      return v.asText();
    }
    throw new IllegalArgumentException(what + " is not a number: " + v);
  }

  private static Instant timestamp(JsonNode data, Instant fallback) {
    JsonNode t = data.path("timestamp");
    if (!t.isTextual()) {
      return fallback;
    }
    try {
      return Instant.parse(t.asText());
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }

  /** One subscribed instrument of a connection. */
  private static final class Tracked {
    final Instrument instrument;
    final String symbol;
    final LocalBook book = new LocalBook();
    /** The book was initialised by a snapshot and every message since applied. */
    boolean synced;
    /** Resyncs since the last update applied. */
    int failures;
    /** The wait for the book's snapshot after a (re)subscription. */
    final SnapshotWait wait = new SnapshotWait("Kraken");

    Tracked(Instrument instrument) {
      this.instrument = instrument;
      this.symbol = symbol(instrument);
    }
  }

  /**
   * One connection: its instruments and books. Its inputs, messages and resync requests, are
   * handled one at a time, so its state needs no lock.
   */
  private final class Connection {
    private final StreamRequest request;
    private final int depth;
    private final Map<String, Tracked> bySymbol = new HashMap<>();
    /** In the request's order, priority bases first. */
    private final Map<Instrument, Tracked> byInstrument = new LinkedHashMap<>();
    /** What the input being handled produced: events, and frames to send before them. */
    private final Outbox out = new Outbox();
    /** Resubscriptions of failing books, after their backoff. */
    private final ResyncBackoff backoff = new ResyncBackoff(settings.clock());
    private int requestIds;

    Connection(StreamRequest request) {
      this.request = request;
      this.depth = krakenDepth(request.depth());
      for (Instrument i : request.instruments()) {
        Tracked t = new Tracked(i);
        bySymbol.put(t.symbol, t);
        byInstrument.put(i, t);
      }
    }

    /** Subscribes every channel, then handles messages and resync requests in turn. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      List<String> symbols = byInstrument.values().stream().map(t -> t.symbol).toList();
      for (List<String> chunk : chunks(symbols, SYMBOLS_PER_FRAME)) {
        if (request.books()) {
          request("subscribe", BOOK, chunk);
        }
        if (request.tickers()) {
          request("subscribe", TICKER, chunk);
        }
      }
      List<String> first = out.takeFrames();
      // The scanner's resync requests are subscribed before the frames: frames already
      // received may be handled synchronously while the merge subscribes its sources, and a
      // request made on the strength of their books must find a subscriber.
      Flux<Runnable> inputs = Flux.merge(
          context.resyncs().<Runnable>map(i -> () -> onResyncRequest(i)), backoff.due(),
          session.receive().<Runnable>map(text -> () -> onMessage(text)));
      return session.send(first)
          .thenMany(Flux.concat(Flux.just(StreamEvent.connected()),
              inputs.concatMap(input -> out.sendThenEmit(session, input))))
          .doFinally(signal -> backoff.dispose());
    }

    private void onMessage(String text) {
      JsonNode m;
      try {
        m = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        reject("not JSON: " + abbreviate(text));
        return;
      }
      if (m.has("method")) {
        onAnswer(m);
        return;
      }
      String channel = m.path("channel").asText("");
      switch (channel) {
        case BOOK, TICKER -> {
          for (JsonNode d : m.path("data")) {
            String symbol = d.path("symbol").asText("");
            Tracked t = bySymbol.get(symbol);
            if (t == null) {
              reject("a " + channel + " message for '" + symbol + "', not subscribed here");
            } else if (channel.equals(BOOK)) {
              onBook(t, m.path("type").asText(""), d);
            } else {
              onTicker(t, d);
            }
          }
        }
        case "heartbeat" -> { }
        case "status" -> LOG.debug("{}: Kraken says {}", venue(), abbreviate(text));
        default -> reject("a message on unexpected channel '" + channel + "': "
            + abbreviate(text));
      }
    }

    /** An answer to a request: pong, or the result of a (un)subscription of one symbol. */
    private void onAnswer(JsonNode m) {
      String method = m.path("method").asText("");
      if (method.equals("pong")) {
        return;
      }
      if (m.path("success").asBoolean(false)) {
        onSubscription(m.path("result"));
        return;
      }
      String error = m.path("error").asText("no error given");
      String detail = "Kraken refused " + method + " of " + m.path("symbol").asText(
          m.path("result").path("symbol").asText("?")) + ": " + error;
      if (error.toLowerCase(Locale.ROOT).contains("rate")) {
        throw new ThrottledException(venue(), detail, null);
      }
      reject(detail);
    }

    /** Kraken (un)subscribed a symbol: a book awaiting its snapshot gets it next. */
    private void onSubscription(JsonNode result) {
      Tracked t = bySymbol.get(result.path("symbol").asText(""));
      if (t != null && result.path("channel").asText("").equals(BOOK) && !t.synced) {
        t.wait.answered();
      }
    }

    private void onBook(Tracked t, String type, JsonNode d) {
      if (type.equals("snapshot")) {
        // Taken whenever it comes: a resubscription waiting for its backoff is then not sent.
        t.wait.snapshot();
        t.book.clear();
        t.synced = true;
      } else if (t.wait.waiting()) {
        return;
      } else if (!type.equals("update")) {
        resync(t, ResyncCause.BAD_DATA, "book type '" + type + "'");
        return;
      } else if (!t.synced) {
        String lost = t.wait.update();
        if (lost != null) {
          resync(t, ResyncCause.SEQUENCE_GAP, lost);
        }
        return;
      }
      JsonNode checksum = d.path("checksum");
      if (!checksum.canConvertToLong()) {
        resync(t, ResyncCause.BAD_DATA, "a book " + type + " without a checksum");
        return;
      }
      try {
        apply(t.book, d.path("bids"), true);
        apply(t.book, d.path("asks"), false);
      } catch (IllegalArgumentException e) {
        resync(t, ResyncCause.BAD_DATA, "unreadable level: " + e.getMessage());
        return;
      }
      t.book.trim(depth);
      long ours = checksum(t.book);
      if (checksum.asLong() != ours) {
        resync(t, ResyncCause.CHECKSUM_MISMATCH, "Kraken's checksum " + checksum.asLong()
            + ", the book's " + ours + " after a " + type);
      } else if (t.book.crossed()) {
        resync(t, ResyncCause.BAD_DATA, "crossed after a " + type + ": " + t.book);
      } else {
        if (type.equals("update")) {
          t.failures = 0;
        }
        out.emit(StreamEvent.update(t.book.snapshot(venue(), t.instrument, request.depth(), 1,
            timestamp(d, now()))));
      }
    }

    /** Sets the levels of one side, {@code [{"price":p,"qty":q}, ...]}. */
    private void apply(LocalBook book, JsonNode levels, boolean bids) {
      if (!levels.isArray()) {
        throw new IllegalArgumentException("no " + (bids ? "bids" : "asks") + " array");
      }
      for (JsonNode l : levels) {
        String price = decimalText(l.path("price"), "price");
        String qty = decimalText(l.path("qty"), "qty");
        if (bids) {
          book.bid(price, qty);
        } else {
          book.ask(price, qty);
        }
      }
    }

    private void onTicker(Tracked t, JsonNode d) {
      try {
        out.emit(StreamEvent.update(ticker(t.instrument, d)));
      } catch (IllegalArgumentException e) {
        // InvalidSnapshotException is an IllegalArgumentException.
        reject("ticker " + t.symbol + ": " + e.getMessage());
      }
    }

    /** v2's ticker: volume in base units over 24 h, its VWAP, change_pct in percent. */
    private TickerSnapshot ticker(Instrument instrument, JsonNode d) {
      Instant now = now();
      double volume = NativeSource.optional(d, "volume");
      double vwap = NativeSource.optional(d, "vwap");
      return new TickerSnapshot(venue(), instrument, required(d, "bid"), required(d, "ask"),
          required(d, "last"), volume, volume * vwap, NativeSource.optional(d, "change_pct") / 100,
          timestamp(d, now), now);
    }

    /** The scanner wants the instrument rebuilt: resubscribe its channels. */
    private void onResyncRequest(Instrument instrument) {
      Tracked t = byInstrument.get(instrument);
      if (t == null) {
        return;
      }
      t.synced = false;
      t.book.clear();
      if (request.books() && !t.wait.waiting()) {
        resubscribe(t, BOOK);
      }
      if (request.tickers()) {
        resubscribe(t, TICKER);
      }
    }

    private void resync(Tracked t, ResyncCause cause, String detail) {
      t.synced = false;
      t.book.clear();
      out.emit(StreamEvent.resync(t.instrument, cause, detail));
      backoff.resubscribe(t.failures++, t.wait.resync(() -> resubscribe(t, BOOK)));
    }

    private void reject(String detail) {
      out.emit(StreamEvent.rejected(detail));
    }

    private void resubscribe(Tracked t, String channel) {
      request("unsubscribe", channel, List.of(t.symbol));
      request("subscribe", channel, List.of(t.symbol));
      if (channel.equals(BOOK)) {
        t.wait.resubscribing();
      }
    }

    /** Queues a (un)subscription frame of {@code channel} for {@code symbols}. */
    private void request(String method, String channel, List<String> symbols) {
      ObjectNode frame = JsonNodeFactory.instance.objectNode().put("method", method);
      ObjectNode params = frame.putObject("params").put("channel", channel);
      ArrayNode s = params.putArray("symbol");
      symbols.forEach(s::add);
      if (channel.equals(BOOK)) {
        params.put("depth", depth);
      }
      frame.put("req_id", ++requestIds);
      out.send(frame.toString());
    }
  }

  private static double required(JsonNode node, String field) {
    double v = NativeSource.optional(node, field);
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v;
  }
}
