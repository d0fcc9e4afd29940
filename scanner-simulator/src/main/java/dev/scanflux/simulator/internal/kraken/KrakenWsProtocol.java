package dev.scanflux.simulator.internal.kraken;

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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Kraken spot's public WebSocket, API v1 ({@code wss://ws.kraken.com}, path {@code /}), after
 * Kraken's documentation: channels {@code book} and {@code ticker}, pairs by their WebSocket
 * names ({@code XBT/USD}, from the same alias table as the REST side's {@code wsname}).
 *
 * <ul>
 *   <li>On connecting: {@code {"event":"systemStatus","status":"online",...}}.
 *   <li>{@code {"event":"subscribe","reqid":7,"pair":["XBT/USD"],"subscription":{"name":
 *       "book","depth":10}}} is answered per pair with a {@code subscriptionStatus} carrying the
 *       subscription's {@code channelID}, {@code channelName} ({@code book-10},
 *       {@code ticker}), the pair and the {@code reqid}; an unknown pair, channel or depth (10,
 *       25, 100, 500, 1000), a second subscribe or an unsubscribe of nothing with
 *       {@code "status":"error"} and an {@code errorMessage}. A frame that is not a request
 *       gets {@code {"event":"error","errorMessage":...}}; {@code ping} gets {@code pong}.
 *   <li>{@code book}: a snapshot {@code [channelID, {"as":[[price, volume, time],...],"bs":
 *       [...]}, "book-10", "XBT/USD"]} of the subscribed depth, then per tick the levels of
 *       that depth that changed, {@code [channelID, {"a":[...]}, {"b":[...],"c":"crc"},
 *       channelName, pair]} (one object per side that changed). A volume {@code 0} removes a
 *       level; a level pushed out of the depth is not sent (clients truncate), one that moves
 *       into it is, marked {@code "r"} (republished) unless it changed. {@code c}, in the last
 *       object, is Kraken's checksum: the CRC32 of the top 10 asks then the top 10 bids, each
 *       price then volume with the {@code .} and leading zeros removed.
 *   <li>{@code ticker}: per tick {@code [channelID, {"a":[price, wholeLots, lots],"b":...,
 *       "c":[price, lots],"v":[today, 24h],"p":...,"t":...,"l":...,"h":...,"o":...}, "ticker",
 *       pair]}, its bid and ask the streamed book's best levels.
 *   <li>{@code {"event":"heartbeat"}} to a subscribed client sent nothing for a second.
 * </ul>
 *
 * <p>Kraken has no sequence numbers: its checksum is how a client sees a lost or wrong delta.
 * So {@link WsFault#SEQUENCE_GAP} loses a delta (the next one's checksum then disagrees with
 * the client's book), and {@link WsFault#CHECKSUM_MISMATCH} misstates the best ask's volume in
 * one while its checksum stays the true book's, so a client that applied it without checking
 * would hold a wrong book. Each hits the next delta that changes the top 10 levels (which the
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

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> byPair = new HashMap<>();
  private final Map<WsPeer, Peer> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, LiveBook> books = new LinkedHashMap<>();
  private int channelIds;

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public KrakenWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this.clock = clock;
    this.seed = seed;
    for (SimInstrument i : market.instruments()) {
      byPair.put(pair(i), i);
    }
  }

  /** Kraken's WebSocket name of an instrument, e.g. {@code XBT/USD}. */
  static String pair(SimInstrument i) {
    return KrakenNames.altName(i.base()) + '/' + KrakenNames.altName(i.quote());
  }

  @Override
  public String path() {
    return "/";
  }

  @Override
  public void onOpen(WsPeer peer) {
    peers.put(peer, new Peer());
    send(peer, Json.write(Json.object().put("connectionID", 1_000_000L + peer.id())
        .put("event", "systemStatus").put("status", "online").put("version", "1.9.0")), null);
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text, e -> send(peer, error("Malformed request"), null));
    if (request == null) {
      return;
    }
    String event = request.path("event").asText();
    switch (event) {
      case "ping" -> send(peer, Json.write(withReqid(Json.object().put("event", "pong"), request)),
          null);
      case "subscribe", "unsubscribe" -> {
        if (!request.path("pair").isArray()) {
          send(peer, error("Pair(s) not found"), null);
          return;
        }
        for (JsonNode pair : request.path("pair")) {
          subscription(peer, request, pair.asText(), event.equals("subscribe"));
        }
      }
      default -> send(peer, error("Unsupported event"), null);
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
        send(e.getKey(), "{\"event\":\"heartbeat\"}", null);
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
    return live.streamed(book, depth, l -> instrument.px(live.price(l.ticks())),
        l -> instrument.qty(l.size()), Instant.ofEpochMilli(clock.getAsLong()));
  }

  private void subscription(WsPeer peer, JsonNode request, String pair, boolean subscribe) {
    JsonNode spec = request.path("subscription");
    String name = spec.path("name").asText();
    int depth = spec.path("depth").asInt(DEPTHS.get(0));
    ObjectNode status = Json.object();
    ObjectNode echo = Json.object();
    if (name.equals(BOOK)) {
      echo.put("depth", depth);
    }
    echo.put("name", name);
    SimInstrument i = byPair.get(pair);
    Peer p = peers.get(peer);
    String key = name + '-' + pair;
    @Nullable String problem = !(name.equals(BOOK) || name.equals(TICKER))
        ? "Subscription name invalid"
        : name.equals(BOOK) && !DEPTHS.contains(depth) ? "Subscription depth not supported"
        : i == null ? "Currency pair not supported " + pair
        : subscribe && p.subs.containsKey(key) ? "Already subscribed"
        : !subscribe && !p.subs.containsKey(key) ? "Subscription Not Found"
        : null;
    if (problem != null || i == null) {
      status.put("errorMessage", problem).put("event", "subscriptionStatus").put("pair", pair);
      withReqid(status, request).put("status", "error").set("subscription", echo);
      send(peer, Json.write(status), null);
      return;
    }
    Sub sub = subscribe ? new Sub(++channelIds, i, name.equals(BOOK) ? depth : 0)
        : p.subs.remove(key);
    status.put("channelID", sub.channelId).put("channelName", sub.channelName())
        .put("event", "subscriptionStatus").put("pair", pair);
    withReqid(status, request).put("status", subscribe ? "subscribed" : "unsubscribed")
        .set("subscription", echo);
    send(peer, Json.write(status), null);
    if (subscribe) {
      p.subs.put(key, sub);
      if (sub.isBook()) {
        LiveBook book = book(i);
        ObjectNode snapshot = Json.object();
        snapshot.set("as", levels(i, book.asks(depth), null));
        snapshot.set("bs", levels(i, book.bids(depth), null));
        send(peer, frame(sub, Json.write(snapshot)), i);
      }
    }
  }

  /** One tick of an instrument: its book steps, deltas and tickers go to their subscribers. */
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
    Map<Integer, String> bodies = new HashMap<>();
    for (int d : depths) {
      List<List<LiveBook.Level>> old = before.get(d);
      List<LiveBook.Level> asks = changes(old.get(0), book.asks(d), delta.asks());
      List<LiveBook.Level> bids = changes(old.get(1), book.bids(d), delta.bids());
      // Faults only hit a delta that changes the top 10, so that the checksum shows them.
      boolean top = checksum != checksumBefore;
      if (asks.isEmpty() && bids.isEmpty() || top && faults.take(WsFault.SEQUENCE_GAP, i)) {
        continue;
      }
      LiveBook.@Nullable Level wrong = null;
      if (top && faults.take(WsFault.CHECKSUM_MISMATCH, i)) {
        LiveBook.Level best = book.asks(1).get(0);
        wrong = new LiveBook.Level(best.ticks(), best.size() + Math.pow(10, -i.sizeDecimals()));
        asks = withLevel(asks, wrong);
      }
      bodies.put(d, deltaBody(i, asks, bids, delta, checksum, wrong));
    }
    @Nullable String ticker = null;
    for (Map.Entry<WsPeer, Peer> e : peers.entrySet()) {
      for (Sub s : e.getValue().subs.values()) {
        if (s.instrument != i) {
          continue;
        }
        if (!s.isBook()) {
          ticker = ticker != null ? ticker : tickerBody(i, book);
          send(e.getKey(), frame(s, ticker), i);
        } else if (bodies.containsKey(s.depth)) {
          send(e.getKey(), frame(s, bodies.get(s.depth)), i);
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
    Map<Long, Double> removed = new HashMap<>();
    stepped.stream().filter(l -> l.size() == 0).forEach(l -> removed.put(l.ticks(), 0.0));
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
      if (!now.contains(l.ticks()) && removed.containsKey(l.ticks())) {
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

  private String deltaBody(SimInstrument i, List<LiveBook.Level> asks,
      List<LiveBook.Level> bids, LiveBook.Delta stepped, long checksum,
      LiveBook.@Nullable Level wrong) {
    Set<Long> changed = new HashSet<>();
    stepped.asks().forEach(l -> changed.add(l.ticks()));
    stepped.bids().forEach(l -> changed.add(l.ticks()));
    if (wrong != null) {
      changed.add(wrong.ticks());
    }
    List<String> parts = new ArrayList<>(2);
    if (!asks.isEmpty()) {
      ObjectNode a = Json.object();
      a.set("a", levels(i, asks, changed));
      parts.add(Json.write(bids.isEmpty() ? a.put("c", Long.toString(checksum)) : a));
    }
    if (!bids.isEmpty()) {
      ObjectNode b = Json.object();
      b.set("b", levels(i, bids, changed));
      parts.add(Json.write(b.put("c", Long.toString(checksum))));
    }
    return String.join(",", parts);
  }

  /** Levels as {@code [price, volume, time]}, {@code "r"} added to republished ones. */
  private ArrayNode levels(SimInstrument i, List<LiveBook.Level> levels,
      @Nullable Set<Long> changed) {
    String time = time();
    ArrayNode out = Json.array();
    for (LiveBook.Level l : levels) {
      ArrayNode level = out.addArray().add(px(i, l)).add(volume(i, l)).add(time);
      if (changed != null && !changed.contains(l.ticks())) {
        level.add("r");
      }
    }
    return out;
  }

  private String tickerBody(SimInstrument i, LiveBook book) {
    LiveBook.Level bid = book.bids(1).get(0);
    LiveBook.Level ask = book.asks(1).get(0);
    SimInstrument.Ticker t = i.ticker(false);
    double last = t.last() >= book.price(ask.ticks()) ? book.price(ask.ticks())
        : book.price(bid.ticks());
    String vwap = i.px((t.high() + t.low()) / 2);
    ObjectNode o = Json.object();
    o.putArray("a").add(px(i, ask)).add(Math.max(1, (long) ask.size())).add(volume(i, ask));
    o.putArray("b").add(px(i, bid)).add(Math.max(1, (long) bid.size())).add(volume(i, bid));
    o.putArray("c").add(i.px(last)).add(i.qty(bid.size() / 3));
    o.putArray("v").add(i.qty(t.volume() / 3)).add(i.qty(t.volume()));
    o.putArray("p").add(vwap).add(vwap);
    o.putArray("t").add(1_000 + i.index()).add(3_000 + i.index());
    o.putArray("l").add(i.px(Math.min(t.low(), last))).add(i.px(Math.min(t.low(), last)));
    o.putArray("h").add(i.px(Math.max(t.high(), last))).add(i.px(Math.max(t.high(), last)));
    o.putArray("o").add(i.px(t.open())).add(i.px(t.open()));
    return Json.write(o);
  }

  /** Kraken's checksum of the book now, from the text this protocol writes. */
  private long checksum(LiveBook book) {
    SimInstrument i = book.instrument();
    StringBuilder s = new StringBuilder();
    for (LiveBook.Level l : book.asks(CHECKSUM_LEVELS)) {
      s.append(digits(px(i, l))).append(digits(volume(i, l)));
    }
    for (LiveBook.Level l : book.bids(CHECKSUM_LEVELS)) {
      s.append(digits(px(i, l))).append(digits(volume(i, l)));
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

  private static String volume(SimInstrument i, LiveBook.Level l) {
    return l.size() == 0 ? BigDecimal.ZERO.setScale(i.sizeDecimals()).toPlainString()
        : i.qty(l.size());
  }

  /** Seconds with microseconds, as Kraken writes level times. */
  private String time() {
    long ms = clock.getAsLong();
    return String.format(Locale.ROOT, "%d.%06d", ms / 1000, ms % 1000 * 1000);
  }

  private static String frame(Sub s, String body) {
    return "[" + s.channelId + ',' + body + ",\"" + s.channelName() + "\",\""
        + pair(s.instrument) + "\"]";
  }

  private void send(WsPeer peer, String text, @Nullable SimInstrument instrument) {
    Peer p = peers.get(peer);
    if (p != null) {
      p.lastSent = clock.getAsLong();
    }
    peer.send(text, instrument);
  }

  private static ObjectNode withReqid(ObjectNode o, JsonNode request) {
    if (request.has("reqid")) {
      o.set("reqid", request.get("reqid"));
    }
    return o;
  }

  private static String error(String message) {
    return Json.write(Json.object().put("errorMessage", message).put("event", "error"));
  }

  /** One client's subscriptions, by channel and pair, and when it was last sent anything. */
  private static final class Peer {
    final Map<String, Sub> subs = new LinkedHashMap<>();
    long lastSent;
  }

  /**
   * One subscription.
   *
   * @param channelId  its id, unique across connections
   * @param instrument the instrument
   * @param depth      the book depth, 0 for a ticker
   */
  private record Sub(int channelId, SimInstrument instrument, int depth) {
    boolean isBook() {
      return depth > 0;
    }

    String channelName() {
      return isBook() ? BOOK + '-' + depth : TICKER;
    }
  }
}
