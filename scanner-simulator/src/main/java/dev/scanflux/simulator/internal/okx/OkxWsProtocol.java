package dev.scanflux.simulator.internal.okx;

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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * OKX's public WebSocket, {@code /ws/v5/public}, after the v5 API documentation: channels
 * {@code books} and {@code tickers}, spot ({@code BTC-USDT}) or linear swaps
 * ({@code BTC-USDT-SWAP}, sizes in contracts of {@link OkxProtocol#contractValue}), as the
 * simulator's REST side lists them.
 *
 * <ul>
 *   <li>{@code {"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}} is answered
 *       per argument with {@code {"event":"subscribe","arg":{...},"connId":"..."}}, an unknown
 *       instrument or channel with {@code {"event":"error","code":"60018",...}}, a frame that is
 *       not a request with code 60012; {@code unsubscribe} likewise.
 *   <li>{@code books}: a {@code "action":"snapshot"} of {@value #DEPTH} levels per side, then an
 *       {@code "action":"update"} per tick holding the changed levels ({@code [px, sz, "0",
 *       numOrders]}, size {@code "0"} deleting). Each carries {@code ts}, {@code checksum} (the
 *       signed CRC32 of the top 25 levels interleaved {@code bidPx:bidSz:askPx:askSz:...}),
 *       {@code seqId} and {@code prevSeqId} ({@code -1} in a snapshot, else the previous
 *       message's {@code seqId}). Sequence ids are per instrument, shared by every connection.
 *   <li>{@code tickers}: one ticker per tick, its bid and ask the streamed book's best levels.
 *   <li>The text {@code ping} is answered {@code pong}.
 * </ul>
 */
public final class OkxWsProtocol implements WsProtocol {

  /** Levels per side of a {@code books} snapshot, OKX's for that channel. */
  static final int DEPTH = 400;
  private static final int CHECKSUM_LEVELS = 25;
  private static final String BOOKS = "books";
  private static final String TICKERS = "tickers";

  private final LongSupplier clock;
  private final long seed;
  private final boolean swap;
  private final Map<String, SimInstrument> byId = new HashMap<>();
  private final Map<SimInstrument, Double> contractValues = new HashMap<>();
  private final Map<WsPeer, Subscriptions> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, Streamed> streamed = new LinkedHashMap<>();

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   * @param swap   true for linear swaps, false for spot
   */
  public OkxWsProtocol(SyntheticMarket market, LongSupplier clock, long seed, boolean swap) {
    this.clock = clock;
    this.seed = seed;
    this.swap = swap;
    for (SimInstrument i : market.instruments()) {
      byId.put(i.base() + '-' + i.quote() + (swap ? "-SWAP" : ""), i);
      contractValues.put(i, OkxProtocol.contractValue(i));
    }
  }

  @Override
  public String path() {
    return "/ws/v5/public";
  }

  @Override
  public void onText(WsPeer peer, String text) {
    if (text.equals("ping")) {
      peer.send("pong");
      return;
    }
    JsonNode request = Json.request(text,
        e -> peer.send(error(peer, "60012", "Invalid request: " + text)));
    if (request == null) {
      return;
    }
    String op = request.path("op").asText();
    JsonNode args = request.path("args");
    if (!(op.equals("subscribe") || op.equals("unsubscribe")) || !args.isArray()) {
      peer.send(error(peer, "60012", "Invalid request: " + text));
      return;
    }
    Subscriptions subs = peers.computeIfAbsent(peer, p -> new Subscriptions());
    for (JsonNode arg : args) {
      String channel = arg.path("channel").asText();
      String instId = arg.path("instId").asText();
      SimInstrument i = byId.get(instId);
      Set<SimInstrument> set = channel.equals(BOOKS) ? subs.books
          : channel.equals(TICKERS) ? subs.tickers : null;
      if (i == null || set == null) {
        peer.send(error(peer, "60018", "Wrong URL or channel:" + channel + ",instId:" + instId
            + " doesn't exist"));
        continue;
      }
      ObjectNode ack = Json.object().put("event", op);
      ack.set("arg", arg(channel, instId));
      peer.send(Json.write(ack.put("connId", peer.connId())));
      if (op.equals("unsubscribe")) {
        set.remove(i);
        continue;
      }
      set.add(i);
      Streamed s = streamed(i);
      if (channel.equals(BOOKS)) {
        peer.send(books(s, "snapshot", s.book.bids(DEPTH), s.book.asks(DEPTH), -1, s.seqId,
            checksum(s)), i);
      }
    }
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    Map<SimInstrument, Streamed> live = new LinkedHashMap<>();
    for (Subscriptions subs : peers.values()) {
      subs.books.forEach(i -> live.put(i, streamed(i)));
      subs.tickers.forEach(i -> live.put(i, streamed(i)));
    }
    for (Streamed s : live.values()) {
      SimInstrument i = s.book.instrument();
      LiveBook.Delta d = s.book.step();
      s.time = clock.getAsLong();
      // A book fault is taken only by a delta some client gets (not by an instrument streamed
      // for its ticker alone, say between the unsubscribe and subscribe of a resubscription).
      boolean sent = peers.values().stream().anyMatch(subs -> subs.books.contains(i));
      // A gap: the previous id names a message that never came.
      long prev = sent && faults.take(WsFault.SEQUENCE_GAP, i) ? s.seqId + 1 : s.seqId;
      s.seqId = prev + 1;
      int checksum = checksum(s)
          ^ (sent && faults.take(WsFault.CHECKSUM_MISMATCH, i) ? 0x5A5A5A5A : 0);
      String update = null;
      String ticker = null;
      for (Map.Entry<WsPeer, Subscriptions> e : peers.entrySet()) {
        if (e.getValue().books.contains(i)) {
          if (update == null) {
            update = books(s, "update", d.bids(), d.asks(), prev, s.seqId, checksum);
          }
          e.getKey().send(update, i);
        }
        if (e.getValue().tickers.contains(i)) {
          if (ticker == null) {
            ticker = ticker(s);
          }
          e.getKey().send(ticker, i);
        }
      }
    }
  }

  /** Sizes as sent: contracts for swaps, declared with the swap's contract value. */
  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    Streamed s = streamed.get(instrument);
    if (s == null || peers.values().stream().noneMatch(subs -> subs.books.contains(instrument))) {
      return null;
    }
    if (swap) {
      book.contractSize(contractValues.get(instrument));
    }
    return s.book.streamed(book, depth, l -> px(s, l), l -> sz(s, l),
        Instant.ofEpochMilli(s.time));
  }

  private Streamed streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new Streamed(new LiveBook(k, DEPTH, seed),
        100_000L + 1_000L * k.index(), clock.getAsLong()));
  }

  private String id(SimInstrument i) {
    return i.base() + '-' + i.quote() + (swap ? "-SWAP" : "");
  }

  /** A size in the book's unit: base units for spot, whole contracts (at least 1) for swaps. */
  private String size(SimInstrument i, double base) {
    return swap ? Long.toString(Math.max(1, Math.round(base / contractValues.get(i))))
        : i.qty(base);
  }

  private String books(Streamed s, String action, List<LiveBook.Level> bids,
      List<LiveBook.Level> asks, long prevSeqId, long seqId, int checksum) {
    SimInstrument i = s.book.instrument();
    ObjectNode data = Json.object();
    data.set("asks", levels(s, asks));
    data.set("bids", levels(s, bids));
    data.put("ts", Long.toString(clock.getAsLong())).put("checksum", checksum)
        .put("prevSeqId", prevSeqId).put("seqId", seqId);
    ObjectNode o = Json.object();
    o.set("arg", arg(BOOKS, id(i)));
    o.put("action", action);
    o.set("data", Json.array().add(data));
    return Json.write(o);
  }

  private ArrayNode levels(Streamed s, List<LiveBook.Level> levels) {
    ArrayNode a = Json.array();
    for (LiveBook.Level l : levels) {
      a.addArray().add(px(s, l)).add(sz(s, l)).add("0").add(l.size() == 0 ? "0"
          : Integer.toString(1 + (int) (l.ticks() % 7)));
    }
    return a;
  }

  private String px(Streamed s, LiveBook.Level l) {
    return s.book.instrument().px(s.book.price(l.ticks()));
  }

  private String sz(Streamed s, LiveBook.Level l) {
    return l.size() == 0 ? "0" : size(s.book.instrument(), l.size());
  }

  /** OKX's checksum of the streamed book now, from the text as this protocol writes it. */
  private int checksum(Streamed s) {
    List<LiveBook.Level> bids = s.book.bids(CHECKSUM_LEVELS);
    List<LiveBook.Level> asks = s.book.asks(CHECKSUM_LEVELS);
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < CHECKSUM_LEVELS; k++) {
      if (k < bids.size()) {
        b.append(px(s, bids.get(k))).append(':').append(sz(s, bids.get(k))).append(':');
      }
      if (k < asks.size()) {
        b.append(px(s, asks.get(k))).append(':').append(sz(s, asks.get(k))).append(':');
      }
    }
    if (b.length() > 0) {
      b.setLength(b.length() - 1);
    }
    CRC32 crc = new CRC32();
    crc.update(b.toString().getBytes(StandardCharsets.US_ASCII));
    return (int) crc.getValue();
  }

  private String ticker(Streamed s) {
    SimInstrument i = s.book.instrument();
    LiveBook.Level bid = s.book.bids(1).get(0);
    LiveBook.Level ask = s.book.asks(1).get(0);
    SimInstrument.Ticker t = i.ticker(false);
    double last = t.last() >= s.book.price(ask.ticks()) ? s.book.price(ask.ticks())
        : s.book.price(bid.ticks());
    ObjectNode data = Json.object().put("instType", swap ? "SWAP" : "SPOT").put("instId", id(i))
        .put("last", i.px(last)).put("lastSz", size(i, bid.size() / 3))
        .put("askPx", px(s, ask)).put("askSz", sz(s, ask))
        .put("bidPx", px(s, bid)).put("bidSz", sz(s, bid))
        .put("open24h", i.px(t.open())).put("high24h", i.px(Math.max(t.high(), last)))
        .put("low24h", i.px(Math.min(t.low(), last)))
        .put("volCcy24h", swap ? i.qty(t.volume()) : i.px(t.quoteVolume()))
        .put("vol24h", swap ? size(i, t.volume()) : i.qty(t.volume()))
        .put("sodUtc0", i.px(t.open())).put("sodUtc8", i.px(t.open()))
        .put("ts", Long.toString(clock.getAsLong()));
    ObjectNode o = Json.object();
    o.set("arg", arg(TICKERS, id(i)));
    o.set("data", Json.array().add(data));
    return Json.write(o);
  }

  private static ObjectNode arg(String channel, String instId) {
    return Json.object().put("channel", channel).put("instId", instId);
  }

  private static String error(WsPeer peer, String code, String msg) {
    return Json.write(Json.object().put("event", "error").put("code", code).put("msg", msg)
        .put("connId", peer.connId()));
  }

  /** One connection's channels. */
  private static final class Subscriptions {
    final Set<SimInstrument> books = new LinkedHashSet<>();
    final Set<SimInstrument> tickers = new LinkedHashSet<>();
  }

  /**
   * An instrument's streamed book, its last sequence id and when it last changed, shared by
   * every connection.
   */
  private static final class Streamed {
    final LiveBook book;
    long seqId;
    long time;

    Streamed(LiveBook book, long seqId, long time) {
      this.book = book;
      this.seqId = seqId;
      this.time = time;
    }
  }
}
