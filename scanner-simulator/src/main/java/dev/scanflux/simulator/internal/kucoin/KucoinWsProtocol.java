package dev.scanflux.simulator.internal.kucoin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.VenueProtocol.Reply;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * KuCoin's public WebSocket, spot or futures, after KuCoin's WebSocket documentation, with the
 * public token its REST side hands out ({@code POST /api/v1/bullet-public}, {@link #bullet()}).
 *
 * <ul>
 *   <li>A client connects at {@code /?token=...&connectId=...}; a token the bullet did not issue
 *       is answered {@code {"id":..,"type":"error","code":401,"data":"token is invalid"}} and the
 *       connection closed, a valid one with {@code {"id":<connectId>,"type":"welcome"}}.
 *   <li>{@code {"id":..,"type":"subscribe","topic":"<channel>:<symbols>","response":true}} is
 *       answered {@code {"id":..,"type":"ack"}} (only with {@code response} true); an unknown
 *       channel or symbol, more than {@value #MAX_SYMBOLS} symbols on spot's
 *       {@code level2Depth50} and {@code ticker}, or more than one on spot's
 *       {@code /market/snapshot} and on every futures topic (KuCoin documents symbol lists,
 *       {@code {symbol},{symbol}}, for those two spot topics only) get
 *       {@code {"id":..,"type":"error","code":400|404,"data":..}}; KuCoin's own answer to a list
 *       where it takes one symbol is not documented. {@code unsubscribe} likewise.
 *       {@code {"id":..,"type":"ping"}} is answered
 *       {@code {"id":..,"type":"pong","timestamp":<µs>}}.
 *   <li>Spot channels: {@code /spotMarket/level2Depth50} (the top 50 levels per side,
 *       {@code [["price","size"],...]}, every tick), {@code /market/ticker} (best bid and ask,
 *       last price, every tick) and {@code /market/snapshot} (24 h statistics as JSON numbers, on
 *       subscribing and every {@value #STATS_EVERY} ticks, as KuCoin's every 2 s).
 *   <li>Futures channels: {@code /contractMarket/level2Depth50} ({@code [["price",contracts]]}
 *       with {@code sequence}, {@code timestamp} and {@code ts} in ms), {@code tickerV2} (best
 *       bid and ask, {@code ts} in ns) and {@code ticker} (also the last trade) every tick. Sizes
 *       are whole contracts of the REST side's multiplier.
 *   <li>Books are full snapshots: {@code SEQUENCE_GAP} and {@code CHECKSUM_MISMATCH} do not apply
 *       and are left waiting.
 * </ul>
 */
public final class KucoinWsProtocol implements WsProtocol {

  /** Symbols per spot topic at most. */
  static final int MAX_SYMBOLS = 100;
  /** Levels per side of a streamed book. */
  static final int DEPTH = 50;
  /** Ticks between two spot market snapshots. */
  static final int STATS_EVERY = 10;
  /** The ping interval the bullet announces, KuCoin's. */
  static final long PING_INTERVAL_MS = 18_000;

  private final LongSupplier clock;
  private final long seed;
  private final boolean futures;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Set<String>> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, LiveBook> books = new LinkedHashMap<>();
  private final Map<SimInstrument, Long> sequences = new HashMap<>();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final AtomicLong issued = new AtomicLong();
  private volatile String endpoint = "";
  private long ticks;

  /**
   * @param market  the market, shared with the REST side
   * @param clock   milliseconds now
   * @param seed    seeds the books' changes and the tokens
   * @param futures true for KuCoin futures, false for spot
   */
  public KucoinWsProtocol(SyntheticMarket market, LongSupplier clock, long seed,
      boolean futures) {
    this.clock = clock;
    this.seed = seed;
    this.futures = futures;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(symbol(i), i);
    }
  }

  /** The protocol of {@code streams} if it is KuCoin's, else null: for the REST side. */
  public static @Nullable KucoinWsProtocol of(@Nullable WsProtocol streams) {
    return streams instanceof KucoinWsProtocol k ? k : null;
  }

  /** Where the bullet sends clients: the WebSocket server's URL, once it is bound. */
  public void endpoint(String url) {
    this.endpoint = url;
  }

  /** The bullet's answer: a new token, this server as the endpoint, KuCoin's ping timings. */
  Reply bullet() {
    String token = "sim" + Long.toHexString(seed * 0x9E3779B97F4A7C15L + issued.incrementAndGet())
        + "Z" + Long.toHexString(clock.getAsLong());
    tokens.add(token);
    ObjectNode data = Json.object().put("token", token);
    data.putArray("instanceServers").addObject().put("endpoint", endpoint)
        .put("encrypt", endpoint.startsWith("wss")).put("protocol", "websocket")
        .put("pingInterval", PING_INTERVAL_MS).put("pingTimeout", 10_000);
    ObjectNode o = Json.object().put("code", "200000");
    o.set("data", data);
    return new Reply(200, Json.write(o));
  }

  private String symbol(SimInstrument i) {
    return futures ? KucoinFuturesProtocol.code(i.base()) + i.quote() + "M"
        : i.base() + '-' + i.quote();
  }

  @Override
  public String path() {
    return "/";
  }

  @Override
  public void onOpen(WsPeer peer) {
    Map<String, String> query = query(peer.resource());
    String id = query.getOrDefault("connectId", "");
    if (!tokens.contains(query.getOrDefault("token", ""))) {
      peer.send(Json.write(Json.object().put("id", id).put("type", "error").put("code", 401)
          .put("data", "token is invalid")));
      peer.socket().close(1000, "token is invalid");
      return;
    }
    peers.put(peer, new LinkedHashSet<>());
    peer.send(Json.write(Json.object().put("id", id).put("type", "welcome")));
  }

  private static Map<String, String> query(String resource) {
    Map<String, String> out = new HashMap<>();
    int q = resource.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : resource.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Override
  public void onText(WsPeer peer, String text) {
    Set<String> topics = peers.get(peer);
    if (topics == null) {
      return;
    }
    JsonNode request = Json.request(text, e -> peer.send(error("", 400, "request not in JSON")));
    if (request == null) {
      return;
    }
    String id = request.path("id").asText("");
    String type = request.path("type").asText("");
    if (type.equals("ping")) {
      peer.send(Json.write(Json.object().put("id", id).put("type", "pong")
          .put("timestamp", clock.getAsLong() * 1000)));
      return;
    }
    if (!type.equals("subscribe") && !type.equals("unsubscribe")) {
      peer.send(error(id, 400, "unknown type " + type));
      return;
    }
    String topic = request.path("topic").asText("");
    int colon = topic.indexOf(':');
    String channel = colon < 0 ? topic : topic.substring(0, colon + 1);
    if (!channels().contains(channel)) {
      peer.send(error(id, 404, "topic " + topic + " is not found"));
      return;
    }
    String[] symbols = topic.substring(colon + 1).split(",", -1);
    if (symbols.length > (futures || channel.equals("/market/snapshot:") ? 1 : MAX_SYMBOLS)) {
      peer.send(error(id, 400, "too many symbols in topic " + topic));
      return;
    }
    for (String s : symbols) {
      if (!bySymbol.containsKey(s)) {
        peer.send(error(id, 404, "topic " + channel + s + " is not found"));
        return;
      }
    }
    for (String s : symbols) {
      if (type.equals("subscribe")) {
        topics.add(channel + s);
      } else {
        topics.remove(channel + s);
      }
    }
    if (request.path("response").asBoolean(false)) {
      peer.send(Json.write(Json.object().put("id", id).put("type", "ack")));
    }
    if (type.equals("subscribe") && channel.equals("/market/snapshot:")) {
      for (String s : symbols) {
        SimInstrument i = bySymbol.get(s);
        peer.send(stats(i), i);
      }
    }
  }

  private List<String> channels() {
    return futures ? List.of("/contractMarket/level2Depth50:", "/contractMarket/tickerV2:",
        "/contractMarket/ticker:")
        : List.of("/spotMarket/level2Depth50:", "/market/ticker:", "/market/snapshot:");
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    ticks++;
    Map<String, SimInstrument> live = new LinkedHashMap<>();
    for (Set<String> topics : peers.values()) {
      for (String topic : topics) {
        live.put(topic, bySymbol.get(topic.substring(topic.indexOf(':') + 1)));
      }
    }
    Set<SimInstrument> stepped = new LinkedHashSet<>();
    Map<String, String> messages = new LinkedHashMap<>();
    for (Map.Entry<String, SimInstrument> e : live.entrySet()) {
      SimInstrument i = e.getValue();
      LiveBook b = book(i);
      if (stepped.add(i)) {
        b.step();
        sequences.merge(i, 1L + (ticks % 3), Long::sum);
      }
      String topic = e.getKey();
      String channel = topic.substring(0, topic.indexOf(':') + 1);
      switch (channel) {
        case "/spotMarket/level2Depth50:", "/contractMarket/level2Depth50:" ->
            messages.put(topic, depth50(i, b));
        case "/market/ticker:" -> messages.put(topic, spotTicker(i, b));
        case "/market/snapshot:" -> {
          if (ticks % STATS_EVERY == 0) {
            messages.put(topic, stats(i));
          }
        }
        default -> messages.put(topic, futuresTicker(i, b, channel.endsWith("ticker:")));
      }
    }
    peers.forEach((peer, topics) -> messages.forEach((topic, message) -> {
      if (topics.contains(topic)) {
        peer.send(message, live.get(topic));
      }
    }));
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    LiveBook b = books.get(instrument);
    if (b == null) {
      return null;
    }
    if (futures) {
      book.contractSize(KucoinFuturesProtocol.multiplier(instrument).doubleValue());
    }
    return b.streamed(book, Math.min(depth, DEPTH), l -> px(b, l), l -> size(b, l),
        Instant.ofEpochMilli(clock.getAsLong()));
  }

  private LiveBook book(SimInstrument i) {
    return books.computeIfAbsent(i, k -> new LiveBook(k, DEPTH, seed));
  }

  private long sequence(SimInstrument i) {
    return sequences.computeIfAbsent(i, k -> 1_700_000_000_000L + 1000L * k.index());
  }

  private String depth50(SimInstrument i, LiveBook b) {
    long now = clock.getAsLong();
    ObjectNode data = Json.object();
    if (futures) {
      data.set("bids", levels(b, b.bids(DEPTH)));
      data.put("sequence", sequence(i)).put("timestamp", now).put("ts", now);
      data.set("asks", levels(b, b.asks(DEPTH)));
    } else {
      data.set("asks", levels(b, b.asks(DEPTH)));
      data.set("bids", levels(b, b.bids(DEPTH)));
      data.put("timestamp", now);
    }
    ObjectNode o = Json.object().put("type", "message")
        .put("topic", (futures ? "/contractMarket/level2Depth50:" : "/spotMarket/level2Depth50:")
            + symbol(i)).put("subject", "level2");
    if (futures) {
      o.put("sn", now);
    }
    o.set("data", data);
    return Json.write(o);
  }

  private ArrayNode levels(LiveBook b, List<LiveBook.Level> side) {
    ArrayNode a = Json.array();
    for (LiveBook.Level l : side) {
      ArrayNode level = a.addArray().add(px(b, l));
      if (futures) {
        level.add(contracts(b.instrument(), l.size()));
      } else {
        level.add(b.instrument().qty(l.size()));
      }
    }
    return a;
  }

  private static String px(LiveBook b, LiveBook.Level l) {
    return b.instrument().px(b.price(l.ticks()));
  }

  private String size(LiveBook b, LiveBook.Level l) {
    return futures ? Long.toString(contracts(b.instrument(), l.size()))
        : b.instrument().qty(l.size());
  }

  private static long contracts(SimInstrument i, double size) {
    BigDecimal m = KucoinFuturesProtocol.multiplier(i);
    return SimInstrument.contracts(size, m);
  }

  /** The last price: the instrument's, kept inside the streamed book's best prices. */
  private static double last(SimInstrument i, double bid, double ask) {
    return Math.min(ask, Math.max(bid, i.mid()));
  }

  private String spotTicker(SimInstrument i, LiveBook b) {
    LiveBook.Level bid = b.bids(1).get(0);
    LiveBook.Level ask = b.asks(1).get(0);
    double bidPx = b.price(bid.ticks());
    double askPx = b.price(ask.ticks());
    ObjectNode data = Json.object().put("sequence", Long.toString(sequence(i)))
        .put("price", i.px(last(i, bidPx, askPx))).put("size", i.qty(bid.size() / 10))
        .put("bestAsk", i.px(askPx)).put("bestAskSize", i.qty(ask.size()))
        .put("bestBid", i.px(bidPx)).put("bestBidSize", i.qty(bid.size()))
        .put("Time", clock.getAsLong());
    ObjectNode o = Json.object().put("type", "message").put("topic", "/market/ticker:"
        + symbol(i)).put("subject", "trade.ticker");
    o.set("data", data);
    return Json.write(o);
  }

  /** Spot's 24 h statistics, as KuCoin sends them: JSON numbers. */
  private String stats(SimInstrument i) {
    LiveBook b = book(i);
    double bidPx = b.price(b.bids(1).get(0).ticks());
    double askPx = b.price(b.asks(1).get(0).ticks());
    SimInstrument.Ticker t = i.ticker(false);
    double last = last(i, bidPx, askPx);
    ObjectNode stats = Json.object().put("averagePrice", num(i.px((t.high() + t.low()) / 2)))
        .put("baseCurrency", i.base()).put("board", 1).put("buy", num(i.px(bidPx)))
        .put("changePrice", num(i.px(last - t.open())))
        .put("changeRate", num(String.format(Locale.ROOT, "%.4f", last / t.open() - 1)))
        .put("close", num(i.px(last))).put("datetime", clock.getAsLong())
        .put("high", num(i.px(Math.max(t.high(), last)))).put("lastTradedPrice", num(i.px(last)))
        .put("low", num(i.px(Math.min(t.low(), last)))).put("makerCoefficient", 1)
        .put("makerFeeRate", 0.001).put("marginTrade", false).put("mark", 0)
        .put("market", "USDS").put("open", num(i.px(t.open()))).put("quoteCurrency", i.quote())
        .put("sell", num(i.px(askPx))).put("sort", 100).put("symbol", symbol(i))
        .put("symbolCode", symbol(i)).put("takerCoefficient", 1).put("takerFeeRate", 0.001)
        .put("trading", true).put("vol", num(i.qty(t.volume())))
        .put("volValue", num(i.px(t.quoteVolume())));
    ObjectNode data = Json.object().put("sequence", Long.toString(sequence(i)));
    data.set("data", stats);
    ObjectNode o = Json.object().put("topic", "/market/snapshot:" + symbol(i))
        .put("type", "message").put("subject", "trade.snapshot");
    o.set("data", data);
    return Json.write(o);
  }

  private String futuresTicker(SimInstrument i, LiveBook b, boolean trade) {
    LiveBook.Level bid = b.bids(1).get(0);
    LiveBook.Level ask = b.asks(1).get(0);
    double bidPx = b.price(bid.ticks());
    double askPx = b.price(ask.ticks());
    long nanos = clock.getAsLong() * 1_000_000 + 1234;
    ObjectNode data = Json.object().put("symbol", symbol(i)).put("sequence", sequence(i));
    if (trade) {
      double last = last(i, bidPx, askPx);
      data.put("side", last >= askPx ? "buy" : "sell").put("size", 1)
          .put("price", i.px(last));
    }
    data.put("bestBidSize", contracts(i, bid.size())).put("bestBidPrice", i.px(bidPx))
        .put("bestAskPrice", i.px(askPx));
    if (trade) {
      data.put("tradeId", Long.toString(sequence(i)));
    }
    data.put("ts", nanos).put("bestAskSize", contracts(i, ask.size()));
    ObjectNode o = Json.object().put("type", "message")
        .put("topic", (trade ? "/contractMarket/ticker:" : "/contractMarket/tickerV2:")
            + symbol(i)).put("subject", trade ? "ticker" : "tickerV2");
    o.set("data", data);
    return Json.write(o);
  }

  private static BigDecimal num(String text) {
    return new BigDecimal(text);
  }

  private static String error(String id, int code, String message) {
    return Json.write(Json.object().put("id", id).put("type", "error").put("code", code)
        .put("data", message));
  }
}
