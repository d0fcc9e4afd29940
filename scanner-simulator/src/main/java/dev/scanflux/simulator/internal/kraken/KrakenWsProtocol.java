package dev.scanflux.simulator.internal.kraken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Kraken spot's public WebSocket, API v2 ({@code wss://ws.kraken.com/v2}, path {@code /v2}),
 * after Kraken's documentation: channels {@code book} and {@code ticker}, symbols as v2 writes
 * them ({@code BTC/USD}: the common codes, not v1's {@code XBT}). Prices and quantities are JSON
 * numbers written with the instrument's precision ({@code 0.10000000}), as Kraken sends them.
 *
 * <ul>
 *   <li>On connecting: {@code {"channel":"status","type":"update","data":[{"system":"online",
 *       "api_version":"v2",...}]}}.
 *   <li>{@code {"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10},
 *       "req_id":7}} is answered per symbol with {@code {"method":"subscribe","result":{"channel":
 *       "book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":...,
 *       "time_out":...,"req_id":7}} (an unsubscribe likewise, without {@code snapshot}), before
 *       the snapshot; an unknown symbol, channel or depth (10, 25, 100, 500, 1000),
 *       a second subscribe or an unsubscribe of nothing with {@code "success":false} and an
 *       {@code error}. A frame that is not JSON or names no known method gets an error answer;
 *       {@code {"method":"ping"}} gets {@code {"method":"pong",...}} with its {@code req_id}.
 *   <li>{@code book}: a {@code snapshot} of the subscribed depth, then per tick an
 *       {@code update} with the levels of that depth that changed, {@code {"channel":"book",
 *       "type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":p,"qty":q}],"asks":[...],
 *       "checksum":n,"timestamp":"..."}]}}. A {@code qty} of 0 removes a level; a level pushed
 *       out of the depth is not sent (clients truncate), one that moves into it is. Both carry
 *       {@code checksum}: the CRC32 of the top 10 asks then the top 10 bids, each price then
 *       quantity with the {@code .} and leading zeros removed.
 *   <li>{@code ticker}: a {@code snapshot} on subscribing, then an {@code update} per tick,
 *       {@code {"symbol","bid","bid_qty","ask","ask_qty","last","volume","vwap","low","high",
 *       "change","change_pct"}}, its bid and ask the streamed book's best levels.
 *   <li>{@code {"channel":"heartbeat"}} to a subscribed client sent nothing for a second.
 * </ul>
 *
 * <p>Kraken has no sequence numbers: its checksum is how a client sees a lost or wrong update.
 * So {@link WsFault#SEQUENCE_GAP} loses an update (the next one's checksum then disagrees with
 * the client's book), and {@link WsFault#CHECKSUM_MISMATCH} misstates the best ask's quantity in
 * one while its checksum stays the true book's, so a client that applied it without checking
 * would hold a wrong book. Each hits the next update that changes the top 10 levels (which the
 * checksum covers), the shallowest subscribed depth's; the simulated book itself stays true.
 */
public final class KrakenWsProtocol implements WsProtocol {

  /** Kraken's book subscription depths. */
  static final List<Integer> DEPTHS = List.of(10, 25, 100, 500, 1000);
  /** Levels per side of the simulated book: Kraken's deepest subscription. */
  static final int BOOK_LEVELS = 1000;
  private static final int CHECKSUM_LEVELS = 10;
  private static final long HEARTBEAT_MS = 1000;
  private static final String BOOK = "book";
  private static final String TICKER = "ticker";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Peer> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, LiveBook> books = new LinkedHashMap<>();

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public KrakenWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this.clock = clock;
    this.seed = seed;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(symbol(i), i);
    }
  }

  /** Kraken's v2 symbol of an instrument, e.g. {@code BTC/USD}. */
  static String symbol(SimInstrument i) {
    return i.base() + '/' + i.quote();
  }

  @Override
  public String path() {
    return "/v2";
  }

  @Override
  public void onOpen(WsPeer peer) {
    peers.put(peer, new Peer());
    ObjectNode status = Json.object().put("channel", "status").put("type", "update");
    status.putArray("data").addObject().put("version", "2.0.10").put("system", "online")
        .put("api_version", "v2").put("connection_id", 1_000_000_000L + peer.id());
    send(peer, Json.write(status), null);
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onText(WsPeer peer, String text) {
    String timeIn = time();
    JsonNode request = Json.request(text, e -> send(peer, Json.write(Json.object()
        .put("error", "Malformed request").put("success", false).put("time_in", timeIn)
        .put("time_out", time())), null));
    if (request == null) {
      return;
    }
    String method = request.path("method").asText();
    switch (method) {
      case "ping" -> send(peer, Json.write(withReqId(Json.object().put("method", "pong"),
          request).put("time_in", timeIn).put("time_out", time())), null);
      case "subscribe", "unsubscribe" -> {
        JsonNode params = request.path("params");
        if (!params.path("symbol").isArray() || params.path("symbol").isEmpty()) {
          send(peer, answer(method, request).put("success", false)
              .put("error", "Missing field: symbol").toString(), null);
          return;
        }
        for (JsonNode symbol : params.path("symbol")) {
          subscription(peer, request, timeIn, symbol.asText(), method.equals("subscribe"));
        }
      }
      default -> send(peer, answer(method, request).put("success", false)
          .put("error", "Method not supported").toString(), null);
    }
  }

  @Override
  public void onTick(WsFaults faults) {
    Set<SimInstrument> live = new LinkedHashSet<>();
    for (Peer p : peers.values()) {
      p.subs.values().forEach(s -> live.add(s.instrument));
    }
    for (SimInstrument i : live) {
      tick(i, faults);
    }
    long now = clock.getAsLong();
    for (Map.Entry<WsPeer, Peer> e : peers.entrySet()) {
      Peer p = e.getValue();
      if (!p.subs.isEmpty() && now - p.lastSent >= HEARTBEAT_MS) {
        send(e.getKey(), "{\"channel\":\"heartbeat\"}", null);
      }
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    LiveBook live = books.get(instrument);
    if (live == null) {
      return null;
    }
    return live.streamed(book, depth, l -> px(instrument, l), l -> qty(instrument, l),
        Instant.ofEpochMilli(clock.getAsLong()));
  }

  private void subscription(WsPeer peer, JsonNode request, String timeIn, String symbol,
      boolean subscribe) {
    JsonNode params = request.path("params");
    String channel = params.path("channel").asText();
    int depth = params.path("depth").asInt(DEPTHS.get(0));
    boolean snapshot = params.path("snapshot").asBoolean(true);
    String method = subscribe ? "subscribe" : "unsubscribe";
    SimInstrument i = bySymbol.get(symbol);
    Peer p = peers.get(peer);
    String key = channel + '-' + symbol;
    @Nullable String problem = !(channel.equals(BOOK) || channel.equals(TICKER))
        ? "Subscription channel invalid: " + channel
        : channel.equals(BOOK) && !DEPTHS.contains(depth) ? "Subscription depth not supported"
        : i == null ? "Currency pair not supported " + symbol
        : subscribe && p.subs.containsKey(key) ? "Already subscribed"
        : !subscribe && !p.subs.containsKey(key) ? "Subscription Not Found"
        : null;
    if (problem != null || i == null) {
      ObjectNode error = Json.object().put("error", problem).put("method", method)
          .put("success", false).put("symbol", symbol).put("time_in", timeIn)
          .put("time_out", time());
      send(peer, Json.write(withReqId(error, request)), null);
      return;
    }
    Sub sub = subscribe ? new Sub(i, channel.equals(BOOK) ? depth : 0) : p.subs.remove(key);
    ObjectNode answer = answer(method, request);
    ObjectNode result = Json.object().put("channel", channel);
    if (sub.isBook()) {
      result.put("depth", sub.depth);
    }
    if (subscribe) {
      result.put("snapshot", snapshot); // Kraken's unsubscribe answer has none
    }
    result.put("symbol", symbol);
    answer.set("result", result);
    answer.put("success", true).put("time_in", timeIn).put("time_out", time());
    send(peer, Json.write(withReqId(answer, request)), null);
    if (subscribe) {
      p.subs.put(key, sub);
      LiveBook book = book(i);
      if (snapshot && sub.isBook()) {
        send(peer, bookFrame("snapshot", i, book.bids(depth), book.asks(depth), checksum(book)),
            i);
      } else if (snapshot) {
        send(peer, tickerFrame("snapshot", i, book), i);
      }
    }
  }

  /** One tick of an instrument: its book steps, updates and tickers go to their subscribers. */
  private void tick(SimInstrument i, WsFaults faults) {
    LiveBook book = book(i);
    Set<Integer> depths = new TreeSet<>();
    for (Peer p : peers.values()) {
      for (Sub s : p.subs.values()) {
        if (s.instrument == i && s.isBook()) {
          depths.add(s.depth);
        }
      }
    }
    Map<Integer, List<List<LiveBook.Level>>> before = new HashMap<>();
    for (int d : depths) {
      before.put(d, List.of(book.asks(d), book.bids(d)));
    }
    long checksumBefore = checksum(book);
    LiveBook.Delta delta = book.step();
    long checksum = checksum(book);
    Map<Integer, String> frames = new HashMap<>();
    for (int d : depths) {
      List<List<LiveBook.Level>> old = before.get(d);
      List<LiveBook.Level> asks = changes(old.get(0), book.asks(d), delta.asks());
      List<LiveBook.Level> bids = changes(old.get(1), book.bids(d), delta.bids());
      // Faults only hit an update that changes the top 10, so that the checksum shows them.
      boolean top = checksum != checksumBefore;
      if (asks.isEmpty() && bids.isEmpty() || top && faults.take(WsFault.SEQUENCE_GAP, i)) {
        continue;
      }
      if (top && faults.take(WsFault.CHECKSUM_MISMATCH, i)) {
        LiveBook.Level best = book.asks(1).get(0);
        asks = withLevel(asks, new LiveBook.Level(best.ticks(),
            best.size() + Math.pow(10, -i.sizeDecimals())));
      }
      frames.put(d, bookFrame("update", i, bids, asks, checksum));
    }
    @Nullable String ticker = null;
    for (Map.Entry<WsPeer, Peer> e : peers.entrySet()) {
      for (Sub s : e.getValue().subs.values()) {
        if (s.instrument != i) {
          continue;
        }
        if (!s.isBook()) {
          ticker = ticker != null ? ticker : tickerFrame("update", i, book);
          send(e.getKey(), ticker, i);
        } else if (frames.containsKey(s.depth)) {
          send(e.getKey(), frames.get(s.depth), i);
        }
      }
    }
  }

  /**
   * What a client holding {@code before} (one side's top levels of a depth) must apply to hold
   * {@code after}: changed and new levels, and removals of levels the book lost; levels only
   * pushed below the depth are left to the client's truncation.
   */
  private static List<LiveBook.Level> changes(List<LiveBook.Level> before,
      List<LiveBook.Level> after, List<LiveBook.Level> stepped) {
    Map<Long, Double> was = new HashMap<>();
    before.forEach(l -> was.put(l.ticks(), l.size()));
    Set<Long> removed = new HashSet<>();
    stepped.stream().filter(l -> l.size() == 0).forEach(l -> removed.add(l.ticks()));
    List<LiveBook.Level> out = new ArrayList<>();
    Set<Long> now = new HashSet<>();
    for (LiveBook.Level l : after) {
      now.add(l.ticks());
      Double size = was.get(l.ticks());
      if (size == null || size != l.size()) {
        out.add(l);
      }
    }
    for (LiveBook.Level l : before) {
      if (!now.contains(l.ticks()) && removed.contains(l.ticks())) {
        out.add(new LiveBook.Level(l.ticks(), 0));
      }
    }
    return out;
  }

  private static List<LiveBook.Level> withLevel(List<LiveBook.Level> levels,
      LiveBook.Level level) {
    List<LiveBook.Level> out = new ArrayList<>(levels.size() + 1);
    out.add(level);
    levels.stream().filter(l -> l.ticks() != level.ticks()).forEach(out::add);
    return out;
  }

  /** A {@code book} message of one symbol. */
  private String bookFrame(String type, SimInstrument i, List<LiveBook.Level> bids,
      List<LiveBook.Level> asks, long checksum) {
    ObjectNode frame = Json.object().put("channel", BOOK).put("type", type);
    ObjectNode data = frame.putArray("data").addObject().put("symbol", symbol(i));
    data.set("bids", levels(i, bids));
    data.set("asks", levels(i, asks));
    data.put("checksum", checksum).put("timestamp", time());
    return Json.write(frame);
  }

  /** Levels as {@code {"price": p, "qty": q}}, numbers written with the instrument's decimals. */
  private static ArrayNode levels(SimInstrument i, List<LiveBook.Level> levels) {
    ArrayNode out = Json.array();
    for (LiveBook.Level l : levels) {
      ObjectNode level = out.addObject();
      level.putRawValue("price", new RawValue(px(i, l)));
      level.putRawValue("qty", new RawValue(qty(i, l)));
    }
    return out;
  }

  private String tickerFrame(String type, SimInstrument i, LiveBook book) {
    LiveBook.Level bid = book.bids(1).get(0);
    LiveBook.Level ask = book.asks(1).get(0);
    SimInstrument.Ticker t = i.ticker(false);
    double last = t.last() >= book.price(ask.ticks()) ? book.price(ask.ticks())
        : book.price(bid.ticks());
    double low = Math.min(t.low(), last);
    double high = Math.max(t.high(), last);
    double change = last - t.open();
    ObjectNode frame = Json.object().put("channel", TICKER).put("type", type);
    ObjectNode d = frame.putArray("data").addObject().put("symbol", symbol(i));
    d.putRawValue("bid", new RawValue(px(i, bid)));
    d.putRawValue("bid_qty", new RawValue(qty(i, bid)));
    d.putRawValue("ask", new RawValue(px(i, ask)));
    d.putRawValue("ask_qty", new RawValue(qty(i, ask)));
    d.putRawValue("last", new RawValue(i.px(last)));
    d.putRawValue("volume", new RawValue(i.qty(t.volume())));
    d.putRawValue("vwap", new RawValue(i.px((high + low) / 2)));
    d.putRawValue("low", new RawValue(i.px(low)));
    d.putRawValue("high", new RawValue(i.px(high)));
    d.putRawValue("change", new RawValue(i.px(change)));
    d.put("change_pct", Math.round(change / t.open() * 10_000) / 100.0);
    d.put("timestamp", time());
    return Json.write(frame);
  }

  /** Kraken's checksum of the book now, from the text this protocol writes. */
  private long checksum(LiveBook book) {
    SimInstrument i = book.instrument();
    StringBuilder s = new StringBuilder();
    for (LiveBook.Level l : book.asks(CHECKSUM_LEVELS)) {
      s.append(digits(px(i, l))).append(digits(qty(i, l)));
    }
    for (LiveBook.Level l : book.bids(CHECKSUM_LEVELS)) {
      s.append(digits(px(i, l))).append(digits(qty(i, l)));
    }
    CRC32 crc = new CRC32();
    crc.update(s.toString().getBytes(StandardCharsets.US_ASCII));
    return crc.getValue();
  }

  /** A decimal's text without its point and leading zeros, as Kraken's checksum takes it. */
  static String digits(String decimal) {
    String d = decimal.replace(".", "");
    int k = 0;
    while (k < d.length() && d.charAt(k) == '0') {
      k++;
    }
    return d.substring(k);
  }

  private LiveBook book(SimInstrument i) {
    return books.computeIfAbsent(i, k -> new LiveBook(k, BOOK_LEVELS, seed));
  }

  private static String px(SimInstrument i, LiveBook.Level l) {
    return i.px(l.ticks() * Math.pow(10, -i.priceDecimals()));
  }

  /** A quantity with the instrument's decimals, {@code 0.00000000} for a removal. */
  private static String qty(SimInstrument i, LiveBook.Level l) {
    return l.size() == 0 ? BigDecimal.ZERO.setScale(i.sizeDecimals()).toPlainString()
        : i.qty(l.size());
  }

  /** RFC 3339 with microseconds, as Kraken v2 writes times. */
  private String time() {
    return TIME.format(Instant.ofEpochMilli(clock.getAsLong()));
  }

  private void send(WsPeer peer, String text, @Nullable SimInstrument instrument) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.lastSent = clock.getAsLong();
    }
    peer.send(text, instrument);
  }

  private static ObjectNode answer(String method, JsonNode request) {
    ObjectNode o = Json.object().put("method", method);
    return withReqId(o, request);
  }

  private static ObjectNode withReqId(ObjectNode o, JsonNode request) {
    if (request.has("req_id")) {
      o.set("req_id", request.get("req_id"));
    }
    return o;
  }

  /** One client's subscriptions, by channel and symbol, and when it was last sent anything. */
  private static final class Peer {
    final Map<String, Sub> subs = new LinkedHashMap<>();
    long lastSent;
  }

  /**
   * One subscription.
   *
   * @param instrument the instrument
   * @param depth      the book depth, 0 for a ticker
   */
  private record Sub(SimInstrument instrument, int depth) {
    boolean isBook() {
      return depth > 0;
    }
  }
}
