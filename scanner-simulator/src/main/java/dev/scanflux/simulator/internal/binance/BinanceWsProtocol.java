package dev.scanflux.simulator.internal.binance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.WsFault;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import dev.scanflux.simulator.internal.WsProtocol.WsFaults;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Binance's public WebSocket market streams, spot or USD-M futures (whose protocol AsterDEX
 * serves too), after the venues' documentation, on the paths clients use: {@code /ws} (raw
 * streams, subscribed live), {@code /ws/<stream>[/<stream>...]} (raw streams given in the path),
 * {@code /stream} and {@code /stream?streams=<s1>/<s2>} (combined streams: every event wrapped
 * as {@code {"stream":"<name>","data":<event>}}).
 *
 * <ul>
 *   <li>{@code {"method":"SUBSCRIBE","params":["btcusdt@depth@100ms","btcusdt@ticker"],"id":1}}
 *       is answered {@code {"result":null,"id":1}}; {@code UNSUBSCRIBE} likewise,
 *       {@code LIST_SUBSCRIPTIONS} with the connection's streams, {@code GET_PROPERTY}
 *       {@code combined} with whether the connection is combined. A frame that is not such a
 *       request, or a stream of a type not served here, is answered
 *       {@code {"code":2,"msg":"Invalid request: ...","id":...}}: every stream acknowledged is
 *       sent. Streams of symbols the venue does not list are accepted and stay silent, as on
 *       Binance.
 *   <li>{@code <symbol>@depth} and {@code <symbol>@depth@100ms} (futures also
 *       {@code @depth@500ms}): a diff event per tick. Spot:
 *       {@code {"e":"depthUpdate","E":ms,"s":"BTCUSDT","U":first,"u":last,"b":[[px,qty]],
 *       "a":[...]}}, ids contiguous from one event to the next (an event spans one id per
 *       changed level). Futures, as recorded on Binance:
 *       {@code {"e":"depthUpdate","E":ms,"T":ms,"s":..,"U":..,"u":..,"pu":..,"b":..,"a":..}},
 *       {@code pu} the previous event's {@code u}, and ids not contiguous (they are shared by
 *       every symbol on the venue, so each event starts some ids past the previous one's end).
 *       Quantity {@code "0"} removes a level. Update ids are per symbol here, shared by every
 *       connection and by the REST depth snapshot ({@link #depth}). There is no snapshot on the
 *       stream: clients sync on REST. A {@code SEQUENCE_GAP} fault skips an id on spot; on
 *       futures it names as {@code pu} an event that was never sent.
 *   <li>{@code <symbol>@ticker}: the 24 h rolling ticker ({@code "e":"24hrTicker"}) per tick; on
 *       spot with the streamed book's best bid and ask, on futures without them (as Binance's
 *       futures ticker has none).
 *   <li>{@code <symbol>@bookTicker}: the best levels per tick; on futures with
 *       {@code "e":"bookTicker"}, {@code E} and {@code T}, on spot without.
 *   <li>{@code <symbol>@miniTicker}: the short 24 h ticker.
 * </ul>
 *
 * <p>Binance USD-M's endpoints are routed since 2026-04-23 (the simulator's {@code routed}
 * flavour): depth and book tickers on {@code /public/ws} (and {@code /public/stream}), the 24 h
 * and mini tickers on {@code /market/ws}; a stream subscribed on the other path, or on the
 * retired {@code /ws}, is acknowledged and never sent, as Binance does. AsterDEX serves every
 * stream on {@code /ws}.
 *
 * <p>Books are held by symbol under their own lock, because the REST side reads them from its
 * threads; everything else is the stream thread's, as {@link WsProtocol} wants.
 */
public final class BinanceWsProtocol implements WsProtocol {

  /** Levels per side of a simulated book: the REST depth serves up to this many. */
  static final int DEPTH = 1000;

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Set<String>> peers = new LinkedHashMap<>();
  /** The connections on a combined-stream path, whose events are wrapped. */
  private final Set<WsPeer> combined = new HashSet<>();
  /** The stream types served on spot, after the symbol: everything acknowledged is sent. */
  private static final Set<String> SPOT_TYPES =
      Set.of("depth", "depth@100ms", "ticker", "miniTicker", "bookTicker");
  /** The stream types served on futures. */
  private static final Set<String> FUTURES_TYPES =
      Set.of("depth", "depth@100ms", "depth@500ms", "ticker", "miniTicker", "bookTicker");
  private final boolean futures;
  private final boolean routed;
  /** On routed endpoints, each connection's path: {@code /public}, {@code /market} or none. */
  private final Map<WsPeer, String> tiers = new HashMap<>();
  /** The stream types of the {@code /public} path; the rest are {@code /market}'s. */
  private static final Set<String> PUBLIC_TYPES =
      Set.of("depth", "depth@100ms", "depth@500ms", "bookTicker");
  private final Set<String> types;
  private final Map<SimInstrument, Streamed> streamed = new ConcurrentHashMap<>();

  /**
   * Spot.
   *
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public BinanceWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this(market, clock, seed, false, false);
  }

  /**
   * @param market  the market, shared with the REST side
   * @param clock   milliseconds now
   * @param seed    seeds the books' changes
   * @param futures USD-M futures' streams instead of spot's
   * @param routed  Binance USD-M's routed endpoints since 2026-04-23: depth and book tickers on
   *                {@code /public/...}, the other streams on {@code /market/...}; a stream
   *                subscribed on the other path, or on the retired unrouted {@code /ws} and
   *                {@code /stream}, is acknowledged and stays silent (as Binance does)
   */
  public BinanceWsProtocol(SyntheticMarket market, LongSupplier clock, long seed,
      boolean futures, boolean routed) {
    this.clock = clock;
    this.seed = seed;
    this.futures = futures;
    this.routed = routed;
    this.types = futures ? FUTURES_TYPES : SPOT_TYPES;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(symbol(i), i);
    }
  }

  /** The REST side's shared books when {@code ws} is this protocol, else null. */
  public static @Nullable BinanceWsProtocol of(@Nullable WsProtocol ws) {
    return ws instanceof BinanceWsProtocol b ? b : null;
  }

  @Override
  public String path() {
    return routed ? "/public/ws" : "/ws";
  }

  @Override
  public boolean accepts(String path) {
    String unrouted = path.substring(tier(path).length());
    return unrouted.equals("/ws") || unrouted.startsWith("/ws/") || unrouted.equals("/stream");
  }

  /** The routed path a connection's path starts with, {@code /public} or {@code /market}, or "". */
  private String tier(String path) {
    if (routed) {
      for (String tier : new String[] {"/public", "/market"}) {
        if (path.startsWith(tier + "/")) {
          return tier;
        }
      }
    }
    return "";
  }

  /** Whether {@code peer}'s path delivers streams of {@code type}. */
  private boolean delivers(WsPeer peer, String type) {
    if (!routed) {
      return true;
    }
    String tier = tiers.getOrDefault(peer, "");
    return tier.equals("/public") ? PUBLIC_TYPES.contains(type)
        : tier.equals("/market") && !PUBLIC_TYPES.contains(type);
  }

  /** Subscribes the streams named in the path or the {@code streams} query, if any. */
  @Override
  public void onOpen(WsPeer peer) {
    String tier = tier(peer.resource());
    tiers.put(peer, tier);
    String resource = peer.resource().substring(tier.length());
    int q = resource.indexOf('?');
    String path = q < 0 ? resource : resource.substring(0, q);
    Set<String> streams = peers.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    String names = "";
    if (path.startsWith("/ws/")) {
      names = path.substring(4);
    } else if (path.equals("/stream")) {
      combined.add(peer);
      for (String param : (q < 0 ? "" : resource.substring(q + 1)).split("&")) {
        if (param.startsWith("streams=")) {
          names = param.substring(8);
        }
      }
    }
    for (String name : names.split("/")) {
      if (served(name)) {
        streams.add(name(name));
      }
    }
  }

  /** A stream's name with its symbol in lower case, its type as given ({@code miniTicker}). */
  private static String name(String stream) {
    int at = stream.indexOf('@');
    return at < 0 ? stream.toLowerCase(Locale.ROOT)
        : stream.substring(0, at).toLowerCase(Locale.ROOT) + stream.substring(at);
  }

  /** Whether {@code stream} is {@code <symbol>@<type>} of a type served here. */
  private boolean served(String stream) {
    int at = stream.indexOf('@');
    return at > 0 && types.contains(stream.substring(at + 1));
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text,
        e -> peer.send(error(null, 3, "Invalid JSON: " + e.getOriginalMessage())));
    if (request == null) {
      return;
    }
    JsonNode id = request.path("id");
    String method = request.path("method").asText();
    JsonNode params = request.path("params");
    Set<String> streams = peers.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    switch (method) {
      case "SUBSCRIBE", "UNSUBSCRIBE" -> {
        if (!params.isArray()) {
          peer.send(error(id, 2, "Invalid request: missing field `params`"));
          return;
        }
        for (JsonNode p : params) {
          if (method.equals("SUBSCRIBE") && !served(p.asText())) {
            peer.send(error(id, 2, "Invalid request: unknown stream '" + p.asText()
                + "', expected <symbol>@depth, @depth@100ms, "
                + (futures ? "@depth@500ms, " : "") + "@ticker, @miniTicker or @bookTicker"));
            return;
          }
        }
        for (JsonNode p : params) {
          String stream = name(p.asText());
          if (method.equals("SUBSCRIBE")) {
            streams.add(stream);
          } else {
            streams.remove(stream);
          }
        }
        peer.send(Json.write(result(id)));
      }
      case "LIST_SUBSCRIPTIONS" -> {
        ObjectNode answer = result(id);
        ArrayNode list = answer.putArray("result");
        streams.forEach(list::add);
        peer.send(Json.write(answer));
      }
      case "GET_PROPERTY" -> peer.send(Json.write(result(id).put("result",
          combined.contains(peer))));
      default -> peer.send(error(id, 2, "Invalid request: unknown variant `" + method
          + "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, "
          + "`SET_PROPERTY`, `GET_PROPERTY`"));
    }
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
    tiers.remove(peer);
    combined.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    // Per instrument, its subscribed streams and who subscribed each.
    Map<SimInstrument, Map<String, Set<WsPeer>>> live = new LinkedHashMap<>();
    peers.forEach((peer, streams) -> {
      for (String stream : streams) {
        int at = stream.indexOf('@');
        SimInstrument i = at < 0 ? null
            : bySymbol.get(stream.substring(0, at).toUpperCase(Locale.ROOT));
        if (i != null) {
          live.computeIfAbsent(i, k -> new LinkedHashMap<>())
              .computeIfAbsent(stream, k -> new LinkedHashSet<>()).add(peer);
        }
      }
    });
    live.forEach((i, streams) -> {
      Streamed s = streamed(i);
      Map<String, String> events = new HashMap<>();
      synchronized (s) {
        LiveBook.Delta d = s.book.step();
        boolean gap = faults.take(WsFault.SEQUENCE_GAP, i);
        long span = Math.max(0, d.bids().size() + d.asks().size() - 1);
        long previous = s.lastUpdateId;
        long first;
        if (futures) {
          // Other symbols' updates take ids in between; a gap is an event never sent.
          if (gap) {
            previous += 1 + s.skip() + span;
          }
          first = previous + 1 + s.skip();
        } else {
          // A gap: the event starts one id past the one that follows the last id sent.
          first = previous + (gap ? 2 : 1);
        }
        s.lastUpdateId = first + span;
        String depth = depthUpdate(s, d, first, previous);
        events.put("depth", depth);
        events.put("depth@100ms", depth);
        events.put("depth@500ms", depth);
        events.put("ticker", ticker(s, false));
        events.put("miniTicker", ticker(s, true));
        events.put("bookTicker", bookTicker(s));
      }
      streams.forEach((stream, subscribers) -> {
        String type = stream.substring(stream.indexOf('@') + 1);
        String event = events.get(type);
        for (WsPeer peer : subscribers) {
          if (!delivers(peer, type)) {
            continue;
          }
          peer.send(combined.contains(peer)
              ? "{\"stream\":\"" + stream + "\",\"data\":" + event + '}' : event, i);
        }
      });
    });
  }

  /**
   * The REST depth snapshot of the streamed book: {@code lastUpdateId} and the top
   * {@code limit} levels per side, consistent with the events streamed so far. Thread-safe.
   *
   * @param crossed when true a bid one tick above the best ask is put first (a fault)
   */
  public ObjectNode depth(SimInstrument i, int limit, boolean crossed) {
    Streamed s = streamed(i);
    synchronized (s) {
      ObjectNode o = Json.object().put("lastUpdateId", s.lastUpdateId);
      if (futures) {
        long now = clock.getAsLong();
        o.put("E", now).put("T", now - 3);
      }
      ArrayNode bids = levels(s, s.book.bids(limit));
      if (crossed) {
        LiveBook.Level ask = s.book.asks(1).get(0);
        bids.insertArray(0).add(px(s, new LiveBook.Level(ask.ticks() + 1, ask.size())))
            .add(qty(s, ask));
      }
      o.set("bids", bids);
      o.set("asks", levels(s, s.book.asks(limit)));
      return o;
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    String name = symbol(instrument).toLowerCase(Locale.ROOT);
    Streamed s = streamed.get(instrument);
    if (s == null || peers.values().stream().noneMatch(streams
        -> streams.contains(name + "@depth") || streams.contains(name + "@depth@100ms"))) {
      return null;
    }
    synchronized (s) {
      return s.book.streamed(book, depth, l -> px(s, l), l -> qty(s, l),
          Instant.ofEpochMilli(s.time));
    }
  }

  private Streamed streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new Streamed(new LiveBook(k, DEPTH, seed),
        (futures ? 600_000_000_000L : 1_000_000L) + 10_000L * k.index(), clock.getAsLong()));
  }

  private static String symbol(SimInstrument i) {
    return i.base() + i.quote();
  }

  private String depthUpdate(Streamed s, LiveBook.Delta d, long first, long previous) {
    s.time = clock.getAsLong();
    ObjectNode o = Json.object().put("e", "depthUpdate").put("E", s.time);
    if (futures) {
      o.put("T", s.time - 2);
    }
    o.put("s", symbol(s.book.instrument())).put("U", first).put("u", s.lastUpdateId);
    if (futures) {
      o.put("pu", previous);
    }
    o.set("b", levels(s, d.bids()));
    o.set("a", levels(s, d.asks()));
    return Json.write(o);
  }

  private static ArrayNode levels(Streamed s, List<LiveBook.Level> levels) {
    SimInstrument i = s.book.instrument();
    ArrayNode a = Json.array();
    for (LiveBook.Level l : levels) {
      a.addArray().add(px(s, l)).add(qty(s, l));
    }
    return a;
  }

  private static String px(Streamed s, LiveBook.Level l) {
    return s.book.instrument().px(s.book.price(l.ticks()));
  }

  /** A size as Binance writes it; a removed level's is zero at the step's decimals. */
  private static String qty(Streamed s, LiveBook.Level l) {
    SimInstrument i = s.book.instrument();
    return l.size() == 0 ? BigDecimal.ZERO.setScale(i.sizeDecimals()).toPlainString()
        : i.qty(l.size());
  }

  /** The best levels, {@code <symbol>@bookTicker}'s event. */
  private String bookTicker(Streamed s) {
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    ObjectNode o = Json.object();
    if (futures) {
      o.put("e", "bookTicker").put("u", s.lastUpdateId).put("E", s.time).put("T", s.time - 2);
    } else {
      o.put("u", s.lastUpdateId);
    }
    return Json.write(o.put("s", symbol(s.book.instrument())).put("b", px(s, bid))
        .put("B", qty(s, bid)).put("a", px(s, ask)).put("A", qty(s, ask)));
  }

  /** The 24 h ticker, or its short form {@code 24hrMiniTicker} when {@code mini}. */
  private String ticker(Streamed s, boolean mini) {
    SimInstrument i = s.book.instrument();
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    double bidPx = s.book.price(bid.ticks());
    double askPx = s.book.price(ask.ticks());
    SimInstrument.Ticker t = i.ticker(false);
    double last = t.last() >= askPx ? askPx : bidPx;
    long now = clock.getAsLong();
    if (mini) {
      return Json.write(Json.object().put("e", "24hrMiniTicker").put("E", now)
          .put("s", symbol(i)).put("c", i.px(last)).put("o", i.px(t.open()))
          .put("h", i.px(Math.max(t.high(), last))).put("l", i.px(Math.min(t.low(), last)))
          .put("v", i.qty(t.volume())).put("q", i.px(t.quoteVolume())));
    }
    ObjectNode o = Json.object().put("e", "24hrTicker").put("E", now).put("s", symbol(i))
        .put("p", i.px(last - t.open()))
        .put("P", String.format(Locale.ROOT, "%.3f", 100 * (last / t.open() - 1)))
        .put("w", i.px((t.high() + t.low()) / 2));
    if (!futures) { // futures' 24 h ticker has no previous close, bid or ask
      o.put("x", i.px(t.open()));
    }
    o.put("c", i.px(last)).put("Q", i.qty(bid.size() / 3));
    if (!futures) {
      o.put("b", i.px(bidPx)).put("B", i.qty(bid.size()))
          .put("a", i.px(askPx)).put("A", i.qty(ask.size()));
    }
    return Json.write(o.put("o", i.px(t.open())).put("h", i.px(Math.max(t.high(), last)))
        .put("l", i.px(Math.min(t.low(), last))).put("v", i.qty(t.volume()))
        .put("q", i.px(t.quoteVolume())).put("O", now - 86_400_000L).put("C", now)
        .put("F", 1000L * i.index()).put("L", 1000L * i.index() + 999).put("n", 1000));
  }

  private static ObjectNode result(JsonNode id) {
    ObjectNode o = Json.object();
    o.putNull("result");
    o.set("id", id.isMissingNode() ? null : id);
    return o;
  }

  private static String error(@Nullable JsonNode id, int code, String msg) {
    ObjectNode o = Json.object().put("code", code).put("msg", msg);
    o.set("id", id == null || id.isMissingNode() ? null : id);
    return Json.write(o);
  }

  /**
   * A symbol's streamed book, its last update id and the time of its last event; guarded by its
   * own lock.
   */
  private static final class Streamed {
    final LiveBook book;
    long lastUpdateId;
    long time;
    private long skips;

    Streamed(LiveBook book, long lastUpdateId, long time) {
      this.book = book;
      this.lastUpdateId = lastUpdateId;
      this.time = time;
    }

    /** Ids other symbols took since the last event, on futures: 0 to 40, varying. */
    long skip() {
      return (++skips * 7919 + book.instrument().index() * 31L) % 41;
    }
  }
}
