package dev.scanflux.exchanges.venue.hyperliquid.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSession;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.internal.stream.WsStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hyperliquid's public WebSocket, {@code wss://api.hyperliquid.xyz/ws}: books from the
 * {@code l2Book} channel, tickers from {@code activeAssetCtx}, one subscription per coin and
 * channel ({@code {"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}}),
 * instruments {@code COIN/USDC:perp} as {@link HyperliquidSource} maps them.
 *
 * <ul>
 *   <li>Every {@code l2Book} message is the coin's whole book (up to 20 levels per side), not a
 *       delta, and Hyperliquid sends one as soon as the channel is subscribed: each replaces the
 *       instrument's book, so no snapshot is requested. A book that is crossed, unsorted or holds
 *       an unreadable level is reported as a {@link ResyncCause#BAD_DATA} resync and not
 *       emitted; the next valid one is.
 *   <li>Hyperliquid sends no sequence numbers and no checksums, so there is no gap and no
 *       checksum mismatch to detect: a lost message is simply overtaken by the next full book.
 *   <li>A ticker is read from an asset context as the REST side's bulk tickers read them
 *       ({@link HyperliquidSource#ticker}): bid and ask are the impact prices, last is the mark
 *       price, with the 24 h volumes and change; a context without impact prices is rejected.
 *   <li>A resync the scanner asks for unsubscribes and subscribes the coin's channels again,
 *       which brings a fresh book.
 *   <li>Heartbeat: {@code {"method":"ping"}} every 30 s, answered {@code {"channel":"pong"}};
 *       Hyperliquid closes a connection that sent nothing for 60 s.
 *   <li>Hyperliquid allows 1,000 subscriptions per IP address: instruments beyond, the last of
 *       the request (which lists priority bases first), are not subscribed, so the scanner
 *       keeps polling them. Instruments Hyperliquid does not list (not a USDC perpetual) are
 *       rejected after {@link StreamEvent.Connected}.
 * </ul>
 *
 * <p>The stream runs its connections on a client of its own (one event-loop thread), released by
 * {@link #close()}. Events of one connection come from that client's threads, one at a time.
 */
public final class HyperliquidStream extends WsStream {

  /** Production address. */
  public static final String URL = "wss://api.hyperliquid.xyz/ws";
  /** Hyperliquid's limit of subscriptions per IP address. */
  static final int MAX_SUBSCRIPTIONS = 1000;
  private static final Duration PING_EVERY = Duration.ofSeconds(30);
  private static final String PING = "{\"method\":\"ping\"}";
  private static final String PONG = "{\"channel\":\"pong\"}";
  private static final String BOOK_CHANNEL = "l2Book";
  private static final String CONTEXT_CHANNEL = "activeAssetCtx";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(HyperliquidStream.class);

  /**
   * A stream that opens no connection before its first {@code connect} is subscribed, with a
   * heartbeat every 30 s.
   *
   * @param settings the venue's settings: its name, {@link SourceSettings#streamUrl()}, the
   *                 HTTP timeout as the connect timeout, the clock for receive times
   */
  public HyperliquidStream(SourceSettings settings) {
    this(settings, PING_EVERY);
  }

  /**
   * A stream with another heartbeat period: a dead connection the client did not see closing is
   * found at the next ping, so a shorter period finds it sooner (tests, proxies with a shorter
   * idle limit).
   *
   * @param pingEvery how often {@code {"method":"ping"}} is sent, under Hyperliquid's 60 s
   */
  public HyperliquidStream(SourceSettings settings, Duration pingEvery) {
    super(settings, WsSpec.of(Objects.requireNonNull(settings, "settings").venue(),
            URI.create(settings.streamUrl()))
        .connectTimeout(settings.httpTimeout())
        .maxMessageChars(1 << 20)
        .heartbeat(pingEvery, PING, PONG), WsClient.ownThreads(settings.venue()));
  }

  @Override
  protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
    Connection c = new Connection(request);
    return client.connect(spec, session -> c.run(session, context));
  }

  /** One connection: its subscriptions and the reading of its messages. */
  private final class Connection {

    private final StreamRequest request;
    private final Map<String, Instrument> coins = new LinkedHashMap<>();
    private final List<StreamEvent> unlisted = new ArrayList<>();

    Connection(StreamRequest request) {
      this.request = request;
      int channels = (request.books() ? 1 : 0) + (request.tickers() ? 1 : 0);
      int left = 0;
      for (Instrument i : request.instruments()) {
        String coin = HyperliquidSource.coin(i);
        if (coin == null) {
          unlisted.add(StreamEvent.rejected(
              i + " is not a Hyperliquid instrument: it lists perpetuals quoted in USDC only"));
        } else if ((coins.size() + 1) * channels > MAX_SUBSCRIPTIONS) {
          left++;
        } else {
          coins.putIfAbsent(coin, i);
        }
      }
      if (left > 0) {
        LOG.warn("{}: {} instruments not streamed: Hyperliquid allows {} subscriptions",
            settings.venue(), left, MAX_SUBSCRIPTIONS);
      }
    }

    /** Subscribes, then emits the events of the messages; resubscribes what the scanner asks. */
    Flux<StreamEvent> run(WsSession session, StreamContext context) {
      List<String> subscribe = new ArrayList<>();
      coins.keySet().forEach(coin -> subscribe.addAll(frames("subscribe", coin)));
      Flux<StreamEvent> received = session.receive()
          .handle((text, sink) -> {
            StreamEvent e = read(text);
            if (e != null) {
              sink.next(e);
            }
          });
      Mono<StreamEvent> resubscribed = context.resyncs()
          .concatMap(i -> resubscribe(session, i))
          .then(Mono.empty());
      return session.send(subscribe).thenMany(Flux.concat(
          Mono.just(StreamEvent.connected()), Flux.fromIterable(unlisted),
          // resync requests first: frames handled while the merge subscribes its sources may
          // lead to a request, which must find a subscriber
          Flux.merge(resubscribed, received)));
    }

    private Mono<Void> resubscribe(WsSession session, Instrument instrument) {
      String coin = HyperliquidSource.coin(instrument);
      if (coin == null || !instrument.equals(coins.get(coin))) {
        LOG.debug("{}: no resync of {}, which this connection does not stream", settings.venue(),
            instrument);
        return Mono.empty();
      }
      List<String> again = new ArrayList<>(frames("unsubscribe", coin));
      again.addAll(frames("subscribe", coin));
      return session.send(again);
    }

    private List<String> frames(String method, String coin) {
      List<String> out = new ArrayList<>(2);
      if (request.books()) {
        out.add(frame(method, BOOK_CHANNEL, coin));
      }
      if (request.tickers()) {
        out.add(frame(method, CONTEXT_CHANNEL, coin));
      }
      return out;
    }

    /** The event of one message, or null for one that carries none (acks, pongs). */
    private @Nullable StreamEvent read(String text) {
      JsonNode message;
      try {
        message = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return StreamEvent.rejected("malformed JSON: " + abbreviate(text));
      }
      JsonNode data = message.path("data");
      return switch (message.path("channel").asText("")) {
        case BOOK_CHANNEL -> book(data);
        case CONTEXT_CHANNEL -> ticker(data);
        case "error" -> StreamEvent.rejected("Hyperliquid: " + abbreviate(data.asText()));
        case "subscriptionResponse", "pong" -> null;
        default -> {
          LOG.debug("{}: ignored {}", settings.venue(), abbreviate(text));
          yield null;
        }
      };
    }

    private StreamEvent book(JsonNode data) {
      Instrument i = coins.get(data.path("coin").asText(""));
      if (i == null) {
        return unknownCoin(BOOK_CHANNEL, data);
      }
      JsonNode levels = data.path("levels");
      if (!levels.path(0).isArray() || !levels.path(1).isArray()) {
        return StreamEvent.resync(i, ResyncCause.BAD_DATA, "a book without [bids, asks] levels");
      }
      try {
        return StreamEvent.update(HyperliquidSource.book(venue(), i, data, request.depth(),
            now()));
      } catch (InvalidSnapshotException e) {
        return StreamEvent.resync(i, ResyncCause.BAD_DATA, e.getMessage());
      }
    }

    private StreamEvent ticker(JsonNode data) {
      Instrument i = coins.get(data.path("coin").asText(""));
      if (i == null) {
        return unknownCoin(CONTEXT_CHANNEL, data);
      }
      JsonNode ctx = data.path("ctx");
      if (!HyperliquidSource.hasImpactPrices(ctx)) {
        return StreamEvent.rejected("an asset context of " + i + " without impact prices");
      }
      try {
        return StreamEvent.update(HyperliquidSource.ticker(venue(), i, ctx, now()));
      } catch (InvalidSnapshotException e) {
        return StreamEvent.rejected(e.getMessage());
      }
    }

    private StreamEvent unknownCoin(String channel, JsonNode data) {
      return StreamEvent.rejected(channel + " for coin '" + abbreviate(data.path("coin").asText())
          + "', which this connection did not subscribe");
    }
  }

  private static String frame(String method, String channel, String coin) {
    ObjectNode o = MAPPER.createObjectNode().put("method", method);
    o.putObject("subscription").put("type", channel).put("coin", coin);
    return o.toString();
  }

  /** Hyperliquid's texts are shown to 100 characters. */
  @Override
  protected int shownChars() {
    return 100;
  }
}
