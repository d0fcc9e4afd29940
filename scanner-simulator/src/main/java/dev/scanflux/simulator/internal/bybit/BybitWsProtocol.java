package dev.scanflux.simulator.internal.bybit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.WsFault;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SentLevels;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import dev.scanflux.simulator.internal.WsProtocol.WsFaults;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Bybit's v5 public WebSocket, {@code /v5/public/spot} or {@code /v5/public/linear}, after the
 * v5 documentation's "WebSocket Stream" pages: topics {@code orderbook.<depth>.<symbol>} (depth
 * 1, 50, 200 or 1000) and {@code tickers.<symbol>} of the instruments the REST side lists
 * ({@code BTCUSDT}, {@code 1000PEPEUSDT}).
 *
 * <ul>
 *   <li>{@code {"op":"subscribe","args":[...],"req_id":"1"}} is answered
 *       {@code {"success":true,"ret_msg":"subscribe","conn_id":...,"req_id":"1","op":"subscribe"}}
 *       ({@code ret_msg} empty on linear), then each new topic's snapshot. Topics of unknown
 *       symbols or depths, or already subscribed, are left out and the answer is
 *       {@code "success":false} naming them; spot refuses more than {@value #SPOT_MAX_ARGS}
 *       args per request. {@code unsubscribe} likewise, without messages.
 *   <li>{@code orderbook}: a {@code snapshot} of the topic's depth, then per tick a
 *       {@code delta} of the levels that changed within that depth (size {@code "0"} deleting,
 *       levels leaving the depth deleted too), {@code {"s","b","a","u","seq"}} with {@code ts}
 *       and {@code cts}. The update id {@code u} is per topic, shared by every connection, and
 *       each delta's is the previous one plus 1 (plus 2 under a {@code SEQUENCE_GAP} fault).
 *       No checksum: {@code CHECKSUM_MISMATCH} does not apply and is left waiting.
 *   <li>{@code tickers}: spot sends a full ticker per tick, without bid and ask as Bybit's spot
 *       tickers; linear a full ticker on subscription, then per tick a {@code delta} of the
 *       fields that changed, bid and ask the streamed book's best levels.
 *   <li>{@code {"op":"ping"}} is answered {@code {"op":"pong","args":[ms],...}} on spot and
 *       {@code {"success":true,"ret_msg":"pong",...,"op":"ping"}} on linear, Bybit's two forms.
 * </ul>
 */
public final class BybitWsProtocol implements WsProtocol {

  /** Levels per side of a streamed book, Bybit's deepest topic. */
  static final int DEPTH = 1000;
  /** Topics per spot request at most, Bybit's. */
  static final int SPOT_MAX_ARGS = 10;
  private static final Set<Integer> DEPTHS = Set.of(1, 50, 200, 1000);

  private final LongSupplier clock;
  private final long seed;
  private final boolean linear;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Set<String>> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, Streamed> streamed = new LinkedHashMap<>();
  private final Map<String, BookTopic> books = new HashMap<>();

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   * @param linear true for linear perpetuals, false for spot
   */
  public BybitWsProtocol(SyntheticMarket market, LongSupplier clock, long seed, boolean linear) {
    this.clock = clock;
    this.seed = seed;
    this.linear = linear;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + i.quote(), i);
    }
  }

  @Override
  public String path() {
    return linear ? "/v5/public/linear" : "/v5/public/spot";
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text,
        e -> peer.send(answer(peer, Json.object(), "", false, "error:request not in JSON")));
    if (request == null) {
      return;
    }
    String op = request.path("op").asText("");
    if (op.equals("ping")) {
      peer.send(pong(peer, request));
      return;
    }
    JsonNode args = request.path("args");
    if (!(op.equals("subscribe") || op.equals("unsubscribe")) || !args.isArray()) {
      peer.send(answer(peer, request, op, false, "error:unknown op or no args: " + text));
      return;
    }
    if (!linear && args.size() > SPOT_MAX_ARGS) {
      peer.send(answer(peer, request, op, false, "error:args size >" + SPOT_MAX_ARGS));
      return;
    }
    Set<String> topics = peers.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    List<String> added = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (JsonNode arg : args) {
      String topic = arg.asText("");
      SimInstrument i = instrument(topic);
      boolean done = i != null && (op.equals("subscribe") ? topics.add(topic)
          : topics.remove(topic));
      (done ? added : refused).add(topic);
    }
    peer.send(refused.isEmpty() ? answer(peer, request, op, true, linear ? "" : op)
        : answer(peer, request, op, false, "error:invalid or "
            + (op.equals("subscribe") ? "already subscribed" : "not subscribed") + " topics "
            + refused));
    if (op.equals("unsubscribe")) {
      forgetUnsubscribed();
      return;
    }
    for (String topic : added) {
      SimInstrument i = Objects.requireNonNull(instrument(topic));
      peer.send(topic.startsWith("orderbook.") ? snapshot(book(topic, i))
          : ticker(streamed(i), true), i);
    }
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
    forgetUnsubscribed();
  }

  @Override
  public void onTick(WsFaults faults) {
    Map<SimInstrument, Set<String>> live = new LinkedHashMap<>();
    for (Set<String> topics : peers.values()) {
      for (String topic : topics) {
        live.computeIfAbsent(Objects.requireNonNull(instrument(topic)),
            k -> new LinkedHashSet<>()).add(topic);
      }
    }
    for (Map.Entry<SimInstrument, Set<String>> e : live.entrySet()) {
      SimInstrument i = e.getKey();
      Streamed s = streamed(i);
      s.book.step();
      s.seq += 1 + (s.seq % 3);
      Map<String, String> messages = new LinkedHashMap<>();
      boolean gap = false;
      for (String topic : e.getValue()) {
        if (topic.startsWith("orderbook.")) {
          BookTopic b = book(topic, i);
          ObjectNode delta = b.advance();
          if (delta != null) {
            gap = gap || faults.take(WsFault.SEQUENCE_GAP, i);
            b.u += gap ? 2 : 1;
            b.time = clock.getAsLong();
            messages.put(topic, orderbook(b, "delta", delta));
          }
        } else {
          messages.put(topic, ticker(s, false));
        }
      }
      peers.forEach((peer, topics) -> messages.forEach((topic, message) -> {
        if (topics.contains(topic)) {
          peer.send(message, i);
        }
      }));
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    BookTopic deepest = null;
    for (BookTopic b : books.values()) {
      if (b.instrument == instrument && (deepest == null || b.depth > deepest.depth)) {
        deepest = b;
      }
    }
    if (deepest == null) {
      return null;
    }
    int n = 0;
    for (Map.Entry<Long, String> l : deepest.bids.sent().entrySet()) {
      if (n++ == depth) {
        break;
      }
      book.bid(Double.parseDouble(px(instrument, l.getKey())), Double.parseDouble(l.getValue()));
    }
    n = 0;
    for (Map.Entry<Long, String> l : deepest.asks.sent().entrySet()) {
      if (n++ == depth) {
        break;
      }
      book.ask(Double.parseDouble(px(instrument, l.getKey())), Double.parseDouble(l.getValue()));
    }
    Instant at = Instant.ofEpochMilli(deepest.time);
    return book.exchangeTime(at).receivedAt(at).build();
  }

  /** The instrument of a valid topic, else null. */
  private @Nullable SimInstrument instrument(String topic) {
    String[] parts = topic.split("\\.", -1);
    if (parts.length == 3 && parts[0].equals("orderbook")) {
      try {
        return DEPTHS.contains(Integer.parseInt(parts[1])) ? bySymbol.get(parts[2]) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return parts.length == 2 && parts[0].equals("tickers") ? bySymbol.get(parts[1]) : null;
  }

  /** Drops the state of book topics nobody subscribes any more: a new subscriber starts anew. */
  private void forgetUnsubscribed() {
    Set<String> subscribed = new LinkedHashSet<>();
    peers.values().forEach(subscribed::addAll);
    books.keySet().retainAll(subscribed);
  }

  private Streamed streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new Streamed(new LiveBook(k, DEPTH, seed),
        50_000L + 7L * k.index()));
  }

  private BookTopic book(String topic, SimInstrument i) {
    return books.computeIfAbsent(topic, t -> {
      BookTopic b = new BookTopic(streamed(i), Integer.parseInt(t.split("\\.")[1]));
      b.advance();
      b.time = clock.getAsLong();
      return b;
    });
  }

  private String snapshot(BookTopic b) {
    ObjectNode levels = Json.object();
    levels.set("b", levels(b.instrument, b.bids.sent()));
    levels.set("a", levels(b.instrument, b.asks.sent()));
    return orderbook(b, "snapshot", levels);
  }

  /** A message of the topic's levels now, stamped with the time they last changed. */
  private String orderbook(BookTopic b, String type, ObjectNode levels) {
    SimInstrument i = b.instrument;
    ObjectNode data = Json.object().put("s", i.base() + i.quote());
    data.setAll(levels);
    data.put("u", b.u).put("seq", b.streamed.seq);
    ObjectNode o = Json.object().put("topic", "orderbook." + b.depth + '.' + i.base() + i.quote())
        .put("type", type).put("ts", b.time);
    o.set("data", data);
    return Json.write(o.put("cts", b.time - 3));
  }

  private static ArrayNode levels(SimInstrument i, Map<Long, String> side) {
    ArrayNode a = Json.array();
    side.forEach((ticks, size) -> a.addArray().add(px(i, ticks)).add(size));
    return a;
  }

  /**
   * A ticker message: spot's full one; linear's full one for a new subscriber (the one the
   * others hold), else the delta since the last one.
   */
  private String ticker(Streamed s, boolean subscribing) {
    SimInstrument i = s.book.instrument();
    if (linear && subscribing && s.ticker != null) {
      return tickerMessage(s, "snapshot", s.ticker);
    }
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    double bidPx = s.book.price(bid.ticks());
    double askPx = s.book.price(ask.ticks());
    SimInstrument.Ticker t = i.ticker(false);
    double last = Math.min(askPx, Math.max(bidPx, t.last()));
    ObjectNode full = Json.object().put("symbol", i.base() + i.quote());
    if (linear) {
      full.put("tickDirection", last >= t.open() ? "PlusTick" : "MinusTick");
    }
    full.put("price24hPcnt", String.format(Locale.ROOT, "%.4f", last / t.open() - 1))
        .put("lastPrice", i.px(last)).put("prevPrice24h", i.px(t.open()))
        .put("highPrice24h", i.px(Math.max(t.high(), last)))
        .put("lowPrice24h", i.px(Math.min(t.low(), last)))
        .put("turnover24h", i.px(t.quoteVolume())).put("volume24h", i.qty(t.volume()));
    if (linear) {
      full.put("prevPrice1h", i.px(t.open())).put("markPrice", i.px(last))
          .put("indexPrice", i.px(t.last())).put("openInterest", i.qty(t.volume() / 4))
          .put("openInterestValue", i.px(t.volume() / 4 * last)).put("fundingRate", "0.0001")
          .put("fundingIntervalHour", "8")
          .put("nextFundingTime", Long.toString(clock.getAsLong() / 28_800_000 * 28_800_000
              + 28_800_000))
          .put("bid1Price", i.px(bidPx)).put("bid1Size", i.qty(bid.size()))
          .put("ask1Price", i.px(askPx)).put("ask1Size", i.qty(ask.size()));
    } else {
      full.put("usdIndexPrice", i.px(t.last()));
    }
    ObjectNode data = full;
    String type = "snapshot";
    if (linear && !subscribing && s.ticker != null) {
      data = Json.object().put("symbol", i.base() + i.quote());
      for (Map.Entry<String, JsonNode> f : full.properties()) {
        if (!f.getValue().equals(s.ticker.get(f.getKey()))) {
          data.set(f.getKey(), f.getValue());
        }
      }
      type = "delta";
    }
    s.ticker = full;
    return tickerMessage(s, type, data);
  }

  private String tickerMessage(Streamed s, String type, ObjectNode data) {
    SimInstrument i = s.book.instrument();
    ObjectNode o = Json.object().put("topic", "tickers." + i.base() + i.quote()).put("type", type)
        .put("ts", clock.getAsLong()).put("cs", s.seq);
    o.set("data", data);
    return Json.write(o);
  }

  private String pong(WsPeer peer, JsonNode request) {
    if (linear) {
      return answer(peer, request, "ping", true, "pong");
    }
    ObjectNode o = Json.object();
    if (request.has("req_id")) {
      o.set("req_id", request.get("req_id"));
    }
    o.put("op", "pong").putArray("args").add(Long.toString(clock.getAsLong()));
    return Json.write(o.put("conn_id", peer.connId()));
  }

  private static String answer(WsPeer peer, JsonNode request, String op, boolean success,
      String message) {
    ObjectNode o = Json.object().put("success", success).put("ret_msg", message)
        .put("conn_id", peer.connId());
    if (request.has("req_id")) {
      o.set("req_id", request.get("req_id"));
    }
    return Json.write(o.put("op", op));
  }

  private static String px(SimInstrument i, long ticks) {
    return i.px(ticks * Math.pow(10, -i.priceDecimals()));
  }

  /** An instrument's streamed book, cross sequence and last full ticker, shared by all. */
  private static final class Streamed {
    final LiveBook book;
    long seq;
    @Nullable ObjectNode ticker;

    Streamed(LiveBook book, long seq) {
      this.book = book;
      this.seq = seq;
    }
  }

  /** One {@code orderbook.<depth>.<symbol>} topic: the levels last sent and its update id. */
  private static final class BookTopic {
    final Streamed streamed;
    final SimInstrument instrument;
    final int depth;
    final SentLevels bids = SentLevels.bids();
    final SentLevels asks = SentLevels.asks();
    long u = 1;
    long time;

    BookTopic(Streamed streamed, int depth) {
      this.streamed = streamed;
      this.instrument = streamed.book.instrument();
      this.depth = depth;
    }

    /**
     * Takes the streamed book's top levels as the ones sent.
     *
     * @return the levels that changed as {@code {"b":[...],"a":[...]}}, or null if none did
     */
    @Nullable ObjectNode advance() {
      ArrayNode b = diff(bids, streamed.book.bids(depth));
      ArrayNode a = diff(asks, streamed.book.asks(depth));
      if (b.isEmpty() && a.isEmpty()) {
        return null;
      }
      ObjectNode o = Json.object();
      o.set("b", b);
      o.set("a", a);
      return o;
    }

    private ArrayNode diff(SentLevels sent, List<LiveBook.Level> now) {
      return levels(instrument, sent.advance(now, l -> instrument.qty(l.size())));
    }
  }
}
