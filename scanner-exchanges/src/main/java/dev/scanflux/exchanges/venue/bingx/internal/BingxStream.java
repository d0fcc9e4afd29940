package dev.scanflux.exchanges.venue.bingx.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.NativeSource;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.BinaryText;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSession;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.internal.stream.WsStream;
import java.io.EOFException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * BingX's spot market WebSocket ({@value #URL}) as a push stream beside {@link BingxSource}:
 * data types {@code <symbol>@depth<levels>} and {@code <symbol>@ticker}, one
 * {@code {"id":"1","reqType":"sub","dataType":"BTC-USDT@depth20"}} request each, symbols
 * {@code BTC-USDT} as the REST source names them.
 *
 * <ul>
 *   <li>Every message BingX sends is a GZIP-compressed binary frame: the connection inflates it
 *       ({@link BinaryText#GZIP}, never beyond the message cap) before it is read. A message
 *       that is not valid GZIP (damaged, cut short, another format) is {@link
 *       StreamEvent.Rejected} like a malformed text message, and the connection goes on; one
 *       that inflates beyond the cap (1 MiB) ends the connection as bad data, as an oversized
 *       frame does.
 *   <li>BingX sends {@code Ping} every 5 s and closes a connection that does not answer
 *       {@code Pong}; the older JSON form {@code {"ping":"<id>","time":"..."}} is answered
 *       {@code {"pong":"<id>","time":"..."}}. The client sends no heartbeat of its own.
 *   <li>Books: BingX's {@code @depth} data is a whole book of the subscribed levels (the
 *       smallest of 5, 10, 20, 50, 100 that covers the request's depth), not a delta: each
 *       replaces the instrument's book, so there is no snapshot to load, no sequence and no
 *       checksum. Levels are put best first whatever order BingX uses (its asks come worst
 *       first); a crossed or unreadable book is a {@link ResyncCause#BAD_DATA} resync and not
 *       emitted, and the next valid one is.
 *   <li>Tickers: {@code @ticker}, BingX's 24 h ticker, read by the REST source's code: bid
 *       {@code B}, ask {@code A}, last {@code c}, volumes {@code v} and {@code q}, change
 *       {@code P} ({@code "-0.17%"}), time {@code C}.
 *   <li>A request BingX refuses (a {@code code} other than 0, e.g. an unknown symbol), a message
 *       that is not JSON, and data for a type the connection did not subscribe are
 *       {@link StreamEvent.Rejected}. A resync the scanner asks for unsubscribes and subscribes
 *       the instrument's data types again.
 * </ul>
 *
 * <p>The stream runs its connections on a client of its own (one event-loop thread), released by
 * {@link #close()}. Each connection's frames and resync requests are handled one at a time, so
 * its state needs no lock.
 */
public final class BingxStream extends WsStream {

  /** BingX's spot market stream. */
  public static final String URL = "wss://open-api-ws.bingx.com/market";
  private static final int[] DEPTHS = {5, 10, 20, 50, 100};
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(BingxStream.class);
  /**
   * Stands for a binary message that is not valid GZIP, followed by the reason: {@link #INFLATE}
   * hands it on so that the message is rejected and counted, not the connection ended. It starts
   * with a NUL, which neither a JSON message nor {@code Ping} does (a text frame that did would
   * be rejected as malformed all the same).
   */
  private static final String NOT_GZIP = "\u0000not GZIP: ";
  /**
   * {@link BinaryText#GZIP}, but a message that is not valid GZIP (the JDK's
   * {@link ZipException}, or {@link EOFException} for one cut short) becomes {@link #NOT_GZIP}
   * and its reason; one inflating beyond the cap still fails, ending the connection as bad data.
   */
  static final BinaryText INFLATE = (bytes, length, maxChars) -> {
    try {
      return BinaryText.GZIP.decode(bytes, length, maxChars);
    } catch (ZipException | EOFException e) {
      return NOT_GZIP + e.getMessage();
    }
  };

  private final BingxSource rest;

  /**
   * @param settings the venue's settings: its name, {@link SourceSettings#streamUrl()}, the HTTP
   *                 timeout as the connect timeout, the clock
   * @param rest     the venue's {@link BingxSource}, whose code reads books and tickers
   * @throws IllegalArgumentException if {@code rest} is not a {@link BingxSource}
   */
  public BingxStream(SourceSettings settings, MarketSource rest) {
    super(Objects.requireNonNull(settings, "settings"),
        WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
            .connectTimeout(settings.httpTimeout())
            .maxMessageChars(1 << 20)
            .binary(INFLATE), WsClient.ownThreads(settings.venue()));
    if (!(rest instanceof BingxSource bingx)) {
      throw new IllegalArgumentException("rest must be a BingxSource but was " + rest);
    }
    this.rest = bingx;
  }

  /** The smallest of BingX's depths that holds {@code depth} levels, at most 100. */
  static int levels(int depth) {
    return covering(DEPTHS, depth);
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return client.connect(spec, session -> c.run(session, context));
  }

  private final class Connection {

    private final StreamRequest request;
    /** The instrument of each subscribed data type. */
    private final Map<String, Instrument> byType = new HashMap<>();
    /** Each instrument's data types, in the request's order. */
    private final Map<Instrument, List<String>> types = new LinkedHashMap<>();
    /** The data type of each request not yet answered, to name what BingX refused. */
    private final Map<String, String> requests = new HashMap<>();
    private final List<StreamEvent> notes = new ArrayList<>();
    private final String bookSuffix;
    private int ids;

    Connection(StreamRequest request) {
      this.request = request;
      this.bookSuffix = "@depth" + levels(request.depth());
      for (Instrument i : request.instruments()) {
        if (!i.isSpot()) {
          notes.add(StreamEvent.rejected(i + " is not on this BingX stream, which serves spot"
              + " pairs only"));
          continue;
        }
        if (types.containsKey(i)) {
          continue;
        }
        String symbol = BingxSource.symbol(i);
        List<String> mine = new ArrayList<>(2);
        if (request.books()) {
          mine.add(symbol + bookSuffix);
        }
        if (request.tickers()) {
          mine.add(symbol + "@ticker");
        }
        mine.forEach(t -> byType.put(t, i));
        types.put(i, mine);
      }
    }

    /** Subscribes, then handles messages and resync requests in turn. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      List<String> subscribe = new ArrayList<>();
      types.values().forEach(list -> list.forEach(t -> subscribe.add(frame("sub", t))));
      // resync requests first: frames handled while the merge subscribes its sources may lead
      // to a request, which must find a subscriber
      // one at a time, so the connection's state needs no lock
      Flux<Object> inputs = Flux.merge(context.resyncs(), session.receive());
      return session.send(subscribe).thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
          Flux.fromIterable(notes), inputs.concatMap(input -> input instanceof Instrument i
              ? resubscribe(session, i).thenMany(Flux.<StreamEvent>empty())
              : message(session, (String) input))));
    }

    private Mono<Void> resubscribe(WsSession session, Instrument instrument) {
      List<String> mine = types.get(instrument);
      if (mine == null) {
        LOG.debug("{}: no resync of {}, which this connection does not stream", venue(),
            instrument);
        return Mono.empty();
      }
      List<String> again = new ArrayList<>();
      mine.forEach(t -> again.add(frame("unsub", t)));
      mine.forEach(t -> again.add(frame("sub", t)));
      return session.send(again);
    }

    /** The events of one message; answers BingX's ping. */
    private Flux<StreamEvent> message(WsSession session, String text) {
      if (text.equals("Ping")) {
        return session.send("Pong").thenMany(Flux.empty());
      }
      if (text.startsWith(NOT_GZIP)) {
        return Flux.just(StreamEvent.rejected("a binary message that is not valid GZIP: "
            + abbreviate(text.substring(NOT_GZIP.length()))));
      }
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return Flux.just(StreamEvent.rejected("malformed JSON: " + abbreviate(text)));
      }
      if (m.has("ping")) {
        ObjectNode pong = MAPPER.createObjectNode();
        pong.set("pong", m.path("ping"));
        pong.set("time", m.path("time"));
        return session.send(pong.toString()).thenMany(Flux.empty());
      }
      return Flux.fromIterable(read(m, text));
    }

    private List<StreamEvent> read(JsonNode m, String text) {
      String dataType = m.path("dataType").asText("");
      int code = m.path("code").asInt(0);
      if (code != 0) {
        String asked = requests.remove(m.path("id").asText("")); // answered: forgotten
        String what = !dataType.isEmpty() ? dataType : asked == null ? "" : asked;
        return List.of(StreamEvent.rejected("BingX refused " + (what.isEmpty() ? "a request"
            : abbreviate(what)) + ": code " + code + " " + abbreviate(m.path("msg").asText(""))));
      }
      if (dataType.isEmpty() || m.path("data").isNull() || m.path("data").isMissingNode()) {
        if (!m.has("id")) {
          LOG.debug("{}: ignored {}", venue(), abbreviate(text));
        }
        requests.remove(m.path("id").asText("")); // a subscription's answer: forgotten
        return List.of();
      }
      Instrument i = byType.get(dataType);
      if (i == null) {
        return List.of(StreamEvent.rejected("data for " + abbreviate(dataType)
            + ", which this connection did not subscribe"));
      }
      Instant now = now();
      JsonNode data = m.path("data");
      if (dataType.endsWith(bookSuffix)) {
        try {
          return List.of(StreamEvent.update(rest.book("book " + i, i, data, request.depth(),
              NativeSource.millis(m, "timestamp", now), now)));
        } catch (SourceException | IllegalArgumentException e) { // invalid snapshots are IAEs
          return List.of(StreamEvent.resync(i, ResyncCause.BAD_DATA, "a " + dataType
              + " message: " + e.getMessage()));
        }
      }
      ObjectNode fields = MAPPER.createObjectNode();
      fields.set("bidPrice", data.path("B"));
      fields.set("askPrice", data.path("A"));
      fields.set("lastPrice", data.path("c"));
      fields.set("volume", data.path("v"));
      fields.set("quoteVolume", data.path("q"));
      fields.set("priceChangePercent", data.path("P"));
      fields.set("closeTime", data.has("C") ? data.path("C") : m.path("timestamp"));
      try {
        return List.of(StreamEvent.update(rest.ticker("ticker " + i, i, fields, now)));
      } catch (SourceException | IllegalArgumentException e) { // invalid snapshots are IAEs
        return List.of(StreamEvent.rejected("a " + dataType + " message: " + e.getMessage()));
      }
    }

    private String frame(String reqType, String dataType) {
      String id = Integer.toString(++ids);
      requests.put(id, dataType);
      return MAPPER.createObjectNode().put("id", id).put("reqType", reqType)
          .put("dataType", dataType).toString();
    }
  }

  /** BingX's texts are shown to 100 characters. */
  @Override
  protected int shownChars() {
    return 100;
  }
}
