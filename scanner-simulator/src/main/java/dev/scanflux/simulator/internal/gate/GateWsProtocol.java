package dev.scanflux.simulator.internal.gate;

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
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Gate's public WebSocket v4, after its spot ({@code /ws/v4/}) and USDT futures
 * ({@code /v4/ws/usdt}) documentation, over the instruments the REST side lists
 * ({@code BTC_USDT}).
 *
 * <ul>
 *   <li>Requests {@code {"time":s,"channel":...,"event":"subscribe"|"unsubscribe",
 *       "payload":[...]}} are answered {@code {"time","time_ms","channel","event",
 *       "result":{"status":"success"}}}, or with {@code "error":{"code":2,"message":...}} and
 *       {@code "result":{"status":"fail"}} for an unknown symbol, channel or parameter.
 *       {@code {"channel":"spot.ping"}} ({@code futures.ping}) is answered
 *       {@code {"time","time_ms","channel":"spot.pong","event":"","result":null}}.
 *   <li>Spot: {@code spot.order_book [pair, level, interval]} (level 5, 10, 20, 50 or 100;
 *       interval 100ms or 1000ms) pushes per tick the top {@code level} levels as a full
 *       snapshot {@code {"t","lastUpdateId","s","l","bids":[[p,s]],"asks":[[p,s]]}};
 *       {@code spot.tickers [pairs]} pushes the REST {@code tickers} entry of each pair, its
 *       best bid and ask the streamed book's. No deltas: {@code SEQUENCE_GAP} does not apply.
 *   <li>Futures: {@code futures.order_book_update [contract, "100ms"|"20ms", level]} (level
 *       20, 50 or 100; 20ms only with 20) pushes per tick the levels that changed within the
 *       top {@code level}, levels leaving it deleted, as {@code {"t","s","U","u","l","b":[{p,s}],
 *       "a":[{p,s}]}} with sizes in whole contracts; {@code U}..{@code u} are the ids of the
 *       book's changes since the last push, the same ids the REST side's
 *       {@code order_book?with_id=true} answers carry ({@link #baseBook}); under
 *       {@code SEQUENCE_GAP} one id is skipped. {@code futures.tickers [contracts]} pushes
 *       {@code [{contract,last,change_percentage,...,volume_24h_base,volume_24h_quote}]}
 *       without bid and ask, {@code futures.book_ticker} {@code {"t","u","s","b","B","a","A"}}.
 *   <li>No checksum: {@code CHECKSUM_MISMATCH} does not apply and is left waiting.
 * </ul>
 */
public final class GateWsProtocol implements WsProtocol {

  /** Levels per side of a streamed book, Gate's deepest level. */
  static final int DEPTH = 100;
  private static final Set<String> SPOT_LEVELS = Set.of("5", "10", "20", "50", "100");
  private static final Set<String> FUTURES_LEVELS = Set.of("20", "50", "100");

  private final LongSupplier clock;
  private final long seed;
  private final boolean futures;
  private final String prefix;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Subscriptions> peers = new LinkedHashMap<>();
  /** Read by the REST side too: each entry is guarded by its own lock. */
  private final Map<SimInstrument, Streamed> streamed = new ConcurrentHashMap<>();

  /**
   * @param market  the market, shared with the REST side
   * @param clock   milliseconds now
   * @param seed    seeds the books' changes
   * @param futures true for USDT perpetuals, false for spot
   */
  public GateWsProtocol(SyntheticMarket market, LongSupplier clock, long seed, boolean futures) {
    this.clock = clock;
    this.seed = seed;
    this.futures = futures;
    this.prefix = futures ? "futures." : "spot.";
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + '_' + i.quote(), i);
    }
  }

  /** The REST side's shared books when {@code ws} is a Gate protocol, else null. */
  public static @Nullable GateWsProtocol of(@Nullable WsProtocol ws) {
    return ws instanceof GateWsProtocol g ? g : null;
  }

  @Override
  public String path() {
    return futures ? "/v4/ws/usdt" : "/ws/v4/";
  }

  @Override
  public boolean accepts(String path) {
    return path.equals(path()) || (!futures && path.equals("/ws/v4"));
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text, e -> peer.send(answer("", "", null,
        "request not in JSON")));
    if (request == null) {
      return;
    }
    String channel = request.path("channel").asText("");
    String event = request.path("event").asText("");
    if (channel.equals(prefix + "ping")) {
      ObjectNode pong = stamp(Json.object()).put("channel", prefix + "pong").put("event", "");
      pong.putNull("result");
      peer.send(Json.write(pong));
      return;
    }
    if (!event.equals("subscribe") && !event.equals("unsubscribe")) {
      peer.send(answer(channel, event, null, "unknown event " + event));
      return;
    }
    JsonNode payload = request.path("payload");
    if (!payload.isArray() || payload.isEmpty()) {
      peer.send(answer(channel, event, null, "payload must be a non-empty array"));
      return;
    }
    Subscriptions subs = peers.computeIfAbsent(peer, p -> new Subscriptions());
    boolean subscribe = event.equals("subscribe");
    String refused = switch (channel.startsWith(prefix) ? channel.substring(prefix.length())
        : "") {
      case "order_book" -> futures ? "unknown channel " + channel
          : book(subs, payload, subscribe, payload.path(1).asText(""),
              Set.of("100ms", "1000ms").contains(payload.path(2).asText("")));
      case "order_book_update" -> !futures ? "unknown channel " + channel
          : book(subs, payload, subscribe, payload.path(2).asText("100"),
              payload.path(1).asText("").equals("100ms")
                  || (payload.path(1).asText("").equals("20ms")
                  && payload.path(2).asText("").equals("20")));
      case "tickers" -> symbols(subs.tickers, payload, subscribe);
      case "book_ticker" -> futures ? symbols(subs.bookTickers, payload, subscribe)
          : "unknown channel " + channel;
      default -> "unknown channel " + channel;
    };
    peer.send(answer(channel, event, payload, refused));
    if (!subscribe) {
      forgetUnsubscribed();
    }
  }

  /** Subscribes or unsubscribes one book; the refusal, or null. */
  private @Nullable String book(Subscriptions subs, JsonNode payload, boolean subscribe,
      String level, boolean validInterval) {
    String symbol = payload.path(0).asText("");
    SimInstrument i = bySymbol.get(symbol);
    if (i == null) {
      return "unknown " + (futures ? "contract " : "currency pair ") + symbol;
    }
    if (!(futures ? FUTURES_LEVELS : SPOT_LEVELS).contains(level) || !validInterval) {
      return "invalid level or interval in " + payload;
    }
    String key = symbol + '|' + level;
    if (subscribe) {
      subs.books.add(key);
      topic(i, Integer.parseInt(level));
    } else {
      subs.books.remove(key);
    }
    return null;
  }

  private @Nullable String symbols(Set<String> set, JsonNode payload, boolean subscribe) {
    List<String> unknown = new ArrayList<>();
    for (JsonNode p : payload) {
      if (!bySymbol.containsKey(p.asText(""))) {
        unknown.add(p.asText(""));
      }
    }
    if (!unknown.isEmpty()) {
      return "unknown " + (futures ? "contracts " : "currency pairs ") + unknown;
    }
    for (JsonNode p : payload) {
      if (subscribe) {
        set.add(p.asText());
      } else {
        set.remove(p.asText());
      }
    }
    return null;
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
    forgetUnsubscribed();
  }

  @Override
  public void onTick(WsFaults faults) {
    Set<SimInstrument> live = new LinkedHashSet<>();
    for (Subscriptions subs : peers.values()) {
      subs.books.forEach(key -> live.add(bySymbol.get(key.substring(0, key.indexOf('|')))));
      subs.tickers.forEach(s -> live.add(bySymbol.get(s)));
      subs.bookTickers.forEach(s -> live.add(bySymbol.get(s)));
    }
    for (SimInstrument i : live) {
      String symbol = i.base() + '_' + i.quote();
      Streamed s = streamed(i);
      Map<String, String> messages = new HashMap<>();
      synchronized (s) {
        LiveBook.Delta d = s.book.step();
        s.id += Math.max(1, d.bids().size() + d.asks().size());
        s.time = clock.getAsLong();
        for (Map.Entry<Integer, Topic> e : s.topics.entrySet()) {
          String key = symbol + '|' + e.getKey();
          if (futures) {
            Topic topic = e.getValue();
            ObjectNode delta = topic.advance(s);
            if (delta != null) {
              // U: the first id since this topic's last push; a gap skips one
              long first = topic.pushed + (faults.take(WsFault.SEQUENCE_GAP, i) ? 2 : 1);
              topic.pushed = s.id;
              messages.put(key, update("order_book_update", delta.put("t", s.time)
                  .put("s", symbol).put("U", first).put("u", s.id)
                  .put("l", e.getKey().toString())));
            }
          } else {
            messages.put(key, update("order_book", snapshot(s, e.getKey())));
          }
        }
        messages.put("tickers", futures ? futuresTicker(s) : spotTicker(s));
        if (futures) {
          messages.put("book_ticker", bookTicker(s));
        }
      }
      peers.forEach((peer, subs) -> {
        for (String key : subs.books) {
          if (key.startsWith(symbol + '|') && messages.get(key) != null) {
            peer.send(messages.get(key), i);
          }
        }
        if (subs.bookTickers.contains(symbol)) {
          peer.send(messages.get("book_ticker"), i);
        }
        if (subs.tickers.contains(symbol)) {
          peer.send(messages.get("tickers"), i);
        }
      });
    }
  }

  /**
   * The REST {@code order_book?with_id=true} answer of the streamed book: its {@code id}, the
   * id of its last change, and the top {@code limit} levels, consistent with the deltas pushed
   * so far. Thread-safe.
   *
   * @param crossed when true a bid one tick above the best ask is put first (a fault)
   */
  public ObjectNode baseBook(SimInstrument i, int limit, boolean crossed) {
    Streamed s = streamed(i);
    synchronized (s) {
      long now = clock.getAsLong();
      ObjectNode o = Json.object().put("id", s.id).put("current", now / 1000.0)
          .put("update", s.time / 1000.0);
      ArrayNode asks = o.putArray("asks");
      for (LiveBook.Level l : s.book.asks(limit)) {
        asks.add(level(s, l.ticks(), size(s, l.size())));
      }
      ArrayNode bids = o.putArray("bids");
      if (crossed) {
        LiveBook.Level ask = s.book.asks(1).get(0);
        bids.add(level(s, ask.ticks() + 1, size(s, ask.size())));
      }
      for (LiveBook.Level l : s.book.bids(limit)) {
        bids.add(level(s, l.ticks(), size(s, l.size())));
      }
      return o;
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    String symbol = instrument.base() + '_' + instrument.quote();
    Streamed s = streamed.get(instrument);
    if (s == null || peers.values().stream()
        .noneMatch(p -> p.books.stream().anyMatch(k -> k.startsWith(symbol + '|')))) {
      return null;
    }
    synchronized (s) {
      if (futures) {
        book.contractSize(GateFuturesProtocol.multiplier(instrument).doubleValue());
      }
      return s.book.streamed(book, depth, l -> instrument.px(s.book.price(l.ticks())),
          l -> size(s, l.size()), Instant.ofEpochMilli(s.time));
    }
  }

  /** Drops the book topics nobody subscribes any more: a new subscriber starts anew. */
  private void forgetUnsubscribed() {
    Set<String> subscribed = new LinkedHashSet<>();
    peers.values().forEach(p -> subscribed.addAll(p.books));
    for (Streamed s : streamed.values()) {
      synchronized (s) {
        SimInstrument i = s.book.instrument();
        s.topics.keySet().removeIf(level -> !subscribed.contains(i.base() + '_' + i.quote()
            + '|' + level));
      }
    }
  }

  private Streamed streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new Streamed(new LiveBook(k, DEPTH, seed),
        3_000_000L + 10_000L * k.index(), clock.getAsLong()));
  }

  private void topic(SimInstrument i, int level) {
    Streamed s = streamed(i);
    synchronized (s) {
      s.topics.computeIfAbsent(level, l -> {
        Topic t = new Topic(l);
        if (futures) { // spot's snapshots need no memory of what was pushed
          t.advance(s);
          t.pushed = s.id;
        }
        return t;
      });
    }
  }

  private ObjectNode snapshot(Streamed s, int level) {
    SimInstrument i = s.book.instrument();
    ObjectNode r = Json.object().put("t", s.time).put("lastUpdateId", s.id)
        .put("s", i.base() + '_' + i.quote()).put("l", Integer.toString(level));
    ArrayNode bids = r.putArray("bids");
    for (LiveBook.Level l : s.book.bids(level)) {
      bids.addArray().add(i.px(s.book.price(l.ticks()))).add(size(s, l.size()));
    }
    ArrayNode asks = r.putArray("asks");
    for (LiveBook.Level l : s.book.asks(level)) {
      asks.addArray().add(i.px(s.book.price(l.ticks()))).add(size(s, l.size()));
    }
    return r;
  }

  private String spotTicker(Streamed s) {
    SimInstrument i = s.book.instrument();
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    SimInstrument.Ticker t = i.ticker(false);
    double bidPx = s.book.price(bid.ticks());
    double askPx = s.book.price(ask.ticks());
    double last = Math.min(askPx, Math.max(bidPx, t.last()));
    String change = String.format(Locale.ROOT, "%.2f", 100 * (last / t.open() - 1));
    return update("tickers", Json.object().put("currency_pair", i.base() + '_' + i.quote())
        .put("last", i.px(last)).put("lowest_ask", i.px(askPx))
        .put("lowest_size", i.qty(ask.size())).put("highest_bid", i.px(bidPx))
        .put("highest_size", i.qty(bid.size())).put("change_percentage", change)
        .put("base_volume", i.qty(t.volume())).put("quote_volume", i.px(t.quoteVolume()))
        .put("high_24h", i.px(Math.max(t.high(), last)))
        .put("low_24h", i.px(Math.min(t.low(), last))));
  }

  private String futuresTicker(Streamed s) {
    SimInstrument i = s.book.instrument();
    SimInstrument.Ticker t = i.ticker(false);
    BigDecimal m = GateFuturesProtocol.multiplier(i);
    double last = Math.min(s.book.price(s.book.asks(1).get(0).ticks()),
        Math.max(s.book.price(s.book.bids(1).get(0).ticks()), t.last()));
    ArrayNode result = Json.array();
    result.addObject().put("contract", i.base() + '_' + i.quote()).put("last", i.px(last))
        .put("change_percentage", String.format(Locale.ROOT, "%.2f", 100 * (last / t.open() - 1)))
        .put("funding_rate", "0.0001").put("funding_rate_indicative", "0.0001")
        .put("mark_price", i.px(last)).put("index_price", i.px(t.last()))
        .put("total_size", Long.toString(SimInstrument.contracts(t.volume() / 5, m)))
        .put("volume_24h", Long.toString(SimInstrument.contracts(t.volume(), m)))
        .put("volume_24h_quote", i.px(t.quoteVolume()))
        .put("volume_24h_settle", i.px(t.quoteVolume()))
        .put("volume_24h_base", i.qty(t.volume()))
        .put("low_24h", i.px(Math.min(t.low(), last)))
        .put("high_24h", i.px(Math.max(t.high(), last)));
    ObjectNode o = stamp(Json.object()).put("channel", "futures.tickers").put("event", "update");
    o.set("result", result);
    return Json.write(o);
  }

  private String bookTicker(Streamed s) {
    SimInstrument i = s.book.instrument();
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    return update("book_ticker", Json.object().put("t", s.time).put("u", s.id)
        .put("s", i.base() + '_' + i.quote()).put("b", i.px(s.book.price(bid.ticks())))
        .put("B", Long.parseLong(size(s, bid.size())))
        .put("a", i.px(s.book.price(ask.ticks())))
        .put("A", Long.parseLong(size(s, ask.size()))));
  }

  private String update(String channel, ObjectNode result) {
    ObjectNode o = stamp(Json.object()).put("channel", prefix + channel).put("event", "update");
    o.set("result", result);
    return Json.write(o);
  }

  private String answer(String channel, String event, @Nullable JsonNode payload,
      @Nullable String refused) {
    ObjectNode o = stamp(Json.object()).put("channel", channel).put("event", event);
    if (payload != null) {
      o.set("payload", payload);
    }
    if (refused != null) {
      o.putObject("error").put("code", 2).put("message", refused);
    }
    o.putObject("result").put("status", refused == null ? "success" : "fail");
    return Json.write(o);
  }

  private ObjectNode stamp(ObjectNode o) {
    long now = clock.getAsLong();
    return o.put("time", now / 1000).put("time_ms", now);
  }

  /** A size as Gate writes it: spot base units at the step's decimals, futures contracts. */
  private String size(Streamed s, double size) {
    SimInstrument i = s.book.instrument();
    if (futures) {
      return size == 0 ? "0"
          : Long.toString(SimInstrument.contracts(size, GateFuturesProtocol.multiplier(i)));
    }
    return size == 0 ? "0" : i.qty(size);
  }

  private ObjectNode level(Streamed s, long ticks, String size) {
    SimInstrument i = s.book.instrument();
    return Json.object().put("p", i.px(s.book.price(ticks))).put("s", Long.parseLong(size));
  }

  /** One peer's subscriptions: books as {@code symbol|level}, ticker symbols. */
  private static final class Subscriptions {
    final Set<String> books = new LinkedHashSet<>();
    final Set<String> tickers = new LinkedHashSet<>();
    final Set<String> bookTickers = new LinkedHashSet<>();
  }

  /** An instrument's streamed book, the id of its last change, its topics; guarded by itself. */
  private static final class Streamed {
    final LiveBook book;
    final Map<Integer, Topic> topics = new TreeMap<>();
    long id;
    long time;

    Streamed(LiveBook book, long id, long time) {
      this.book = book;
      this.id = id;
      this.time = time;
    }
  }

  /** Futures: the top levels one {@code order_book_update} level last pushed. */
  private final class Topic {
    final int level;
    final SentLevels bids = SentLevels.bids();
    final SentLevels asks = SentLevels.asks();
    /** The id of the book's last change this topic pushed (or held when it began). */
    long pushed;

    Topic(int level) {
      this.level = level;
    }

    /** Takes the book's top levels as pushed: what changed, or null if nothing did. */
    @Nullable ObjectNode advance(Streamed s) {
      ArrayNode b = diff(s, bids, s.book.bids(level));
      ArrayNode a = diff(s, asks, s.book.asks(level));
      if (b.isEmpty() && a.isEmpty()) {
        return null;
      }
      ObjectNode o = Json.object();
      o.set("b", b);
      o.set("a", a);
      return o;
    }

    private ArrayNode diff(Streamed s, SentLevels sent, List<LiveBook.Level> now) {
      Map<Long, String> changes = sent.advance(now, l -> size(s, l.size()));
      ArrayNode out = Json.array();
      changes.forEach((ticks, size) -> out.add(level(s, ticks, size)));
      return out;
    }
  }
}
