package dev.scanflux.exchanges.venue.bitstamp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.Outbox;
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
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Bitstamp's WebSocket API v2 ({@value #URL}) as a push stream beside {@link BitstampSource}:
 * channels {@code order_book_<pair>} and {@code live_trades_<pair>}, subscribed with
 * {@code {"event":"bts:subscribe","data":{"channel":"order_book_btcusd"}}}, pairs named as the
 * REST source names them ({@code btcusd}).
 *
 * <ul>
 *   <li>Books: every {@code order_book} message is Bitstamp's top {@value #BOOK_LEVELS} levels
 *       per side, whole, timed by its {@code microtimestamp}: each replaces the instrument's
 *       book, so there is no snapshot to load, no sequence and no checksum. Levels are put best
 *       first whatever order they come in; a book that is crossed or holds an unreadable level
 *       is a {@link ResyncCause#BAD_DATA} resync and not emitted, and the next valid one is.
 *   <li>Tickers: Bitstamp streams no ticker, so a streamed ticker is made of what Bitstamp
 *       streams and its REST ticker: bid and ask are the streamed book's best levels (what the
 *       REST ticker's bid and ask are), last is the price of the last {@code live_trades}
 *       trade, and the 24 h figures (open, volume, vwap) are the REST ticker's, fetched for each
 *       instrument when the connection opens and every {@value #DAY_REFRESH_MINUTES} minutes
 *       after through {@link StreamContext#request} (within the venue's rate limit), read by the
 *       same {@link BitstampSource.Day} as REST tickers. Until an instrument's REST ticker came,
 *       it has no streamed ticker (it is polled); the REST ticker's last stands until a trade.
 *       A ticker is emitted after each book and each trade.
 *   <li>{@code bts:request_reconnect}, Bitstamp's request that clients reconnect (before
 *       maintenance), ends the connection with a {@link TransientSourceException} saying so: the
 *       scanner counts the disconnection and reconnects. {@code bts:error} answers, messages
 *       that are not JSON, trades without a valid price and messages on channels the connection
 *       did not subscribe are {@link StreamEvent.Rejected}.
 *   <li>A resync the scanner asks for unsubscribes and subscribes the instrument's channels
 *       again (and fetches its REST ticker if it has none yet).
 *   <li>Heartbeat {@code {"event":"bts:heartbeat"}} every 20 s; Bitstamp's answers are
 *       swallowed.
 * </ul>
 *
 * <p>The stream runs its connections on a client of its own (one event-loop thread), released by
 * {@link #close()}. Each connection's inputs (frames, the REST tickers, resync requests) are
 * handled one at a time, so its state needs no lock.
 */
public final class BitstampStream extends WsStream {

  /** Bitstamp's WebSocket API v2. */
  public static final String URL = "wss://ws.bitstamp.net";
  /** Levels per side of Bitstamp's {@code order_book} channel. */
  static final int BOOK_LEVELS = 100;
  static final long DAY_REFRESH_MINUTES = 5;
  private static final Duration DAY_REFRESH = Duration.ofMinutes(DAY_REFRESH_MINUTES);
  /** REST tickers in flight at once per connection. */
  private static final int DAY_CONCURRENCY = 2;
  private static final Duration PING_EVERY = Duration.ofSeconds(20);
  private static final String PING = "{\"event\":\"bts:heartbeat\"}";
  private static final String BOOK = "order_book_";
  private static final String TRADES = "live_trades_";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(BitstampStream.class);

  private final BitstampSource rest;

  /**
   * A stream with a heartbeat every 20 s.
   *
   * @param settings the venue's settings: its name, {@link SourceSettings#streamUrl()}, the HTTP
   *                 timeout as the connect timeout, the clock
   * @param rest     the venue's {@link BitstampSource}, for its pairs and REST tickers
   * @throws IllegalArgumentException if {@code rest} is not a {@link BitstampSource}
   */
  public BitstampStream(SourceSettings settings, MarketSource rest) {
    this(settings, rest, PING_EVERY);
  }

  /**
   * A stream with another heartbeat period: a dead connection the client did not see closing is
   * found at the next heartbeat, so tests use a short one.
   */
  BitstampStream(SourceSettings settings, MarketSource rest, Duration pingEvery) {
    super(Objects.requireNonNull(settings, "settings"),
        WsSpec.of(settings.venue(), URI.create(settings.streamUrl()))
            .connectTimeout(settings.httpTimeout())
            .maxMessageChars(1 << 20)
            // no pong text to swallow: the answers are events, read and ignored
            .heartbeat(pingEvery, PING, ""), WsClient.ownThreads(settings.venue()));
    if (!(rest instanceof BitstampSource bitstamp)) {
      throw new IllegalArgumentException("rest must be a BitstampSource but was " + rest);
    }
    this.rest = bitstamp;
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return client.connect(spec, session -> c.run(session, context));
  }

  /** What one connection handles, one at a time. */
  private sealed interface Input {}

  /** A message from Bitstamp. */
  private record Frame(String text) implements Input {}

  /** The scanner asks for an instrument to be rebuilt. */
  private record Rebuild(Instrument instrument) implements Input {}

  /** An instrument's REST ticker came. */
  private record Seeded(Tracked tracked, BitstampSource.Day day) implements Input {}

  /** One instrument of a connection. */
  private static final class Tracked {
    final Instrument instrument;
    final String books;
    final String trades;
    /** The REST ticker's figures, or null before it came. */
    BitstampSource.@Nullable Day day;
    /** The last trade's price streamed, or NaN. */
    double last = Double.NaN;
    /** The last book was valid and had both sides: its best levels are the ticker's. */
    boolean top;
    double bid;
    double ask;
    Instant time = Instant.EPOCH;

    Tracked(Instrument instrument, String pair) {
      this.instrument = instrument;
      this.books = BOOK + pair;
      this.trades = TRADES + pair;
    }
  }

  private final class Connection {

    private final StreamRequest request;
    private final Map<Instrument, Tracked> tracked = new LinkedHashMap<>();
    private final Map<String, Tracked> byChannel = new HashMap<>();
    private final List<StreamEvent> notes = new ArrayList<>();
    private final Sinks.Many<Tracked> reseed = Sinks.many().unicast().onBackpressureBuffer();
    /** What the input being handled produced: events, and frames to send after them. */
    private final Outbox out = new Outbox();

    Connection(StreamRequest request) {
      this.request = request;
      for (Instrument i : request.instruments()) {
        if (!i.isSpot()) {
          notes.add(StreamEvent.rejected(i + " is not on Bitstamp, which lists spot pairs only"));
        } else if (!tracked.containsKey(i)) {
          Tracked t = new Tracked(i, rest.pair(i));
          tracked.put(i, t);
          byChannel.put(t.books, t);
          byChannel.put(t.trades, t);
        }
      }
    }

    /** Subscribes, then handles frames, REST tickers and resync requests in turn. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      tracked.values().forEach(t -> channels(t, "bts:subscribe"));
      List<String> subscribe = out.takeFrames();
      // resync requests first: frames handled while the merge subscribes its sources may lead
      // to a request, which must find a subscriber
      Flux<Input> inputs = Flux.merge(context.resyncs().map(Rebuild::new), days(context),
          session.receive().map(Frame::new));
      return session.send(subscribe).thenMany(Flux.concat(Mono.just(StreamEvent.connected()),
          Flux.fromIterable(notes), inputs.concatMap(input -> handle(session, input))));
    }

    /** Every instrument's REST ticker now and every refresh, and again when one is missing. */
    private Flux<Input> days(StreamContext context) {
      if (!request.tickers() || tracked.isEmpty()) {
        return Flux.empty();
      }
      Flux<Tracked> due = Flux.merge(
          Flux.interval(Duration.ZERO, DAY_REFRESH, settings.clock()).onBackpressureDrop()
              .concatMap(tick -> Flux.fromIterable(List.copyOf(tracked.values())), 1),
          reseed.asFlux());
      return due.flatMap(t -> context.request(RequestKind.TICKER, 1, () -> rest.day(t.instrument))
          .<Input>map(day -> new Seeded(t, day))
          .onErrorResume(SourceException.class, e -> {
            LOG.debug("{}: no REST ticker of {} for the stream: {}", venue(), t.instrument,
                e.getMessage());
            return Mono.empty();
          }), DAY_CONCURRENCY);
    }

    private Flux<StreamEvent> handle(WsSession session, Input input) {
      if (input instanceof Frame f) {
        SourceException end = frame(f.text());
        if (end != null) {
          return Flux.error(end);
        }
      } else if (input instanceof Rebuild r) {
        rebuild(r.instrument());
      } else {
        Seeded s = (Seeded) input;
        s.tracked().day = s.day();
        ticker(s.tracked());
      }
      return out.emitThenSend(session);
    }

    private void rebuild(Instrument instrument) {
      Tracked t = tracked.get(instrument);
      if (t == null) {
        LOG.debug("{}: no resync of {}, which this connection does not stream", venue(),
            instrument);
        return;
      }
      t.top = false;
      channels(t, "bts:unsubscribe");
      channels(t, "bts:subscribe");
      if (request.tickers() && t.day == null) {
        reseed.tryEmitNext(t);
      }
    }

    /** Handles one message; the error that ends the connection if it asks for that. */
    private @Nullable SourceException frame(String text) {
      JsonNode m;
      try {
        m = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        out.emit(StreamEvent.rejected("malformed JSON: " + abbreviate(text)));
        return null;
      }
      String event = m.path("event").asText("");
      String channel = m.path("channel").asText("");
      switch (event) {
        case "data", "trade" -> {
          Tracked t = byChannel.get(channel);
          if (t == null) {
            out.emit(StreamEvent.rejected("a '" + abbreviate(event) + "' message on '"
                + abbreviate(channel) + "', which this connection did not subscribe"));
          } else if (event.equals("data") && channel.equals(t.books)) {
            book(t, m.path("data"));
          } else if (event.equals("trade") && channel.equals(t.trades)) {
            trade(t, m.path("data"));
          } else {
            out.emit(StreamEvent.rejected("a '" + event + "' message on " + channel));
          }
        }
        case "bts:request_reconnect" -> {
          return new TransientSourceException(venue(), "Bitstamp asked its clients to"
              + " reconnect (bts:request_reconnect)", null);
        }
        case "bts:error" -> out.emit(StreamEvent.rejected("Bitstamp refused a request"
            + (channel.isEmpty() ? "" : " on " + abbreviate(channel)) + ": "
            + abbreviate(m.path("data").path("message").asText(m.path("data").toString()))));
        case "bts:subscription_succeeded", "bts:unsubscription_succeeded", "bts:heartbeat" -> {
        }
        default -> LOG.debug("{}: ignored {}", venue(), abbreviate(text));
      }
      return null;
    }

    private void book(Tracked t, JsonNode data) {
      Instant now = now();
      BookSnapshot b;
      try {
        b = rest.book("book " + t.instrument, t.instrument, data, request.depth(), now);
      } catch (SourceException | IllegalArgumentException e) { // invalid snapshots are IAEs
        t.top = false;
        String detail = "an order_book message of " + t.instrument + ": " + e.getMessage();
        out.emit(request.books() ? StreamEvent.resync(t.instrument, ResyncCause.BAD_DATA, detail)
            : StreamEvent.rejected(detail));
        return;
      }
      if (request.books()) {
        out.emit(StreamEvent.update(b));
      }
      t.top = b.bidLevels() > 0 && b.askLevels() > 0;
      if (t.top) {
        t.bid = b.bestBid();
        t.ask = b.bestAsk();
      }
      t.time = b.exchangeTime();
      ticker(t);
    }

    private void trade(Tracked t, JsonNode data) {
      JsonNode price = data.hasNonNull("price_str") ? data.path("price_str") : data.path("price");
      double p = price.isTextual() || price.isNumber() ? parse(price.asText()) : Double.NaN;
      if (!(p > 0) || Double.isInfinite(p)) {
        out.emit(StreamEvent.rejected("a trade of " + t.instrument + " with price '"
            + abbreviate(price.asText()) + "'"));
        return;
      }
      t.last = p;
      t.time = BitstampSource.micros(data, now());
      ticker(t);
    }

    /** Emits the instrument's ticker if tickers are wanted and it has a book and its day. */
    private void ticker(Tracked t) {
      BitstampSource.Day day = t.day;
      if (!request.tickers() || day == null || !t.top) {
        return;
      }
      double last = Double.isNaN(t.last) ? day.last() : t.last;
      Instant time = t.time.isAfter(day.time()) ? t.time : day.time();
      try {
        out.emit(StreamEvent.update(day.ticker(venue(), t.instrument, t.bid, t.ask, last, time,
            now())));
      } catch (IllegalArgumentException e) { // invalid snapshots are IAEs
        out.emit(StreamEvent.rejected("ticker " + t.instrument + ": " + e.getMessage()));
      }
    }

    /** Adds the frames that (un)subscribe the instrument's channels to those to send. */
    private void channels(Tracked t, String event) {
      out.send(subscription(event, t.books)); // for tickers too: their bid and ask
      if (request.tickers()) {
        out.send(subscription(event, t.trades));
      }
    }
  }

  private static String subscription(String event, String channel) {
    ObjectNode o = MAPPER.createObjectNode().put("event", event);
    o.putObject("data").put("channel", channel);
    return o.toString();
  }

  private static double parse(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Bitstamp's texts are shown to 100 characters. */
  @Override
  protected int shownChars() {
    return 100;
  }
}
