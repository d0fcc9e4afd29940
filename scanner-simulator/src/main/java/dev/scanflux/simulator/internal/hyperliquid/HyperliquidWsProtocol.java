package dev.scanflux.simulator.internal.hyperliquid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import dev.scanflux.simulator.internal.WsProtocol.WsFaults;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Hyperliquid's WebSocket, {@code /ws}, after the API documentation's "Websocket" pages: the
 * {@code l2Book} and {@code activeAssetCtx} channels of the perpetuals the REST side lists.
 *
 * <ul>
 *   <li>{@code {"method":"subscribe","subscription":{"type":"l2Book","coin":"BTC"}}} is answered
 *       {@code {"channel":"subscriptionResponse","data":<the request>}}, then the channel's
 *       current message at once; {@code unsubscribe} likewise, without a message. An unknown
 *       coin or type, a second subscription of the same channel or the unsubscription of one not
 *       subscribed, and a frame that is not a request are answered
 *       {@code {"channel":"error","data":"..."}}.
 *   <li>{@code l2Book}: on every tick the whole book, {@value #DEPTH} levels per side
 *       ({@code {"px","sz","n"}}, best first), with {@code coin} and {@code time}; no deltas, no
 *       sequence numbers, no checksum. {@code SEQUENCE_GAP} and {@code CHECKSUM_MISMATCH} faults
 *       therefore do not apply and are left waiting.
 *   <li>{@code activeAssetCtx}: on every tick {@code {"coin", "ctx"}}, the context as the REST
 *       side's {@code metaAndAssetCtxs} writes it, its impact prices the streamed book's best
 *       levels and its mark price the last trade kept within them.
 *   <li>{@code {"method":"ping"}} is answered {@code {"channel":"pong"}}.
 * </ul>
 */
public final class HyperliquidWsProtocol implements WsProtocol {

  /** Levels per side of an {@code l2Book} message, Hyperliquid's. */
  static final int DEPTH = 20;
  private static final String BOOK = "l2Book";
  private static final String CONTEXT = "activeAssetCtx";

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> byCoin = new HashMap<>();
  private final Map<WsPeer, Subscriptions> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, Streamed> streamed = new LinkedHashMap<>();

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public HyperliquidWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this.clock = clock;
    this.seed = seed;
    for (SimInstrument i : market.instruments()) {
      byCoin.put(i.base(), i);
    }
  }

  @Override
  public String path() {
    return "/ws";
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text,
        e -> peer.send(error("Error parsing JSON into valid websocket request: " + text)));
    if (request == null) {
      return;
    }
    String method = request.path("method").asText("");
    if (method.equals("ping")) {
      peer.send(Json.write(Json.object().put("channel", "pong")));
      return;
    }
    JsonNode subscription = request.path("subscription");
    String type = subscription.path("type").asText("");
    SimInstrument i = byCoin.get(subscription.path("coin").asText(""));
    if (!(method.equals("subscribe") || method.equals("unsubscribe"))) {
      peer.send(error("Error parsing JSON into valid websocket request: " + text));
      return;
    }
    if (i == null || !(type.equals(BOOK) || type.equals(CONTEXT))) {
      peer.send(error("Invalid subscription " + subscription));
      return;
    }
    Subscriptions subs = peers.computeIfAbsent(peer, p -> new Subscriptions());
    Set<SimInstrument> channel = type.equals(BOOK) ? subs.books : subs.contexts;
    boolean subscribe = method.equals("subscribe");
    if (subscribe ? !channel.add(i) : !channel.remove(i)) {
      peer.send(error((subscribe ? "Already subscribed: " : "Already unsubscribed: ")
          + subscription));
      return;
    }
    ObjectNode ack = Json.object().put("channel", "subscriptionResponse");
    ack.set("data", request);
    peer.send(Json.write(ack));
    if (subscribe) {
      Streamed s = streamed(i);
      peer.send(type.equals(BOOK) ? book(s) : context(s), i);
    }
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    Set<SimInstrument> live = new LinkedHashSet<>();
    for (Subscriptions subs : peers.values()) {
      live.addAll(subs.books);
      live.addAll(subs.contexts);
    }
    for (SimInstrument i : live) {
      Streamed s = streamed(i);
      s.book.step();
      s.time = clock.getAsLong();
      String book = null;
      String context = null;
      for (Map.Entry<WsPeer, Subscriptions> e : peers.entrySet()) {
        if (e.getValue().books.contains(i)) {
          if (book == null) {
            book = book(s);
          }
          e.getKey().send(book, i);
        }
        if (e.getValue().contexts.contains(i)) {
          if (context == null) {
            context = context(s);
          }
          e.getKey().send(context, i);
        }
      }
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    Streamed s = streamed.get(instrument);
    if (s == null || peers.values().stream().noneMatch(p -> p.books.contains(instrument))) {
      return null;
    }
    return s.book.streamed(book, Math.min(depth, DEPTH), l -> px(s, l), l -> sz(s, l),
        Instant.ofEpochMilli(s.time));
  }

  private Streamed streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new Streamed(new LiveBook(k, DEPTH, seed),
        clock.getAsLong()));
  }

  private String book(Streamed s) {
    SimInstrument i = s.book.instrument();
    ObjectNode data = Json.object().put("coin", i.base()).put("time", s.time);
    data.putArray("levels").add(HyperliquidProtocol.side(i, interleaved(s, s.book.bids(DEPTH))))
        .add(HyperliquidProtocol.side(i, interleaved(s, s.book.asks(DEPTH))));
    return message(BOOK, data);
  }

  private String context(Streamed s) {
    SimInstrument i = s.book.instrument();
    double bid = s.book.price(s.book.bids(1).get(0).ticks());
    double ask = s.book.price(s.book.asks(1).get(0).ticks());
    SimInstrument.Ticker t = i.ticker(false);
    double mark = Math.min(ask, Math.max(bid, t.last()));
    ObjectNode data = Json.object().put("coin", i.base());
    data.set("ctx", HyperliquidProtocol.assetCtx(Json.object(), i, t, bid, ask, mark));
    return message(CONTEXT, data);
  }

  private static double[] interleaved(Streamed s, List<LiveBook.Level> levels) {
    double[] out = new double[levels.size() * 2];
    for (int k = 0; k < levels.size(); k++) {
      out[2 * k] = s.book.price(levels.get(k).ticks());
      out[2 * k + 1] = levels.get(k).size();
    }
    return out;
  }

  private static String px(Streamed s, LiveBook.Level l) {
    return s.book.instrument().px(s.book.price(l.ticks()));
  }

  private static String sz(Streamed s, LiveBook.Level l) {
    return s.book.instrument().qty(l.size());
  }

  private static String message(String channel, ObjectNode data) {
    ObjectNode o = Json.object().put("channel", channel);
    o.set("data", data);
    return Json.write(o);
  }

  private static String error(String text) {
    return Json.write(Json.object().put("channel", "error").put("data", text));
  }

  /** One connection's channels. */
  private static final class Subscriptions {
    final Set<SimInstrument> books = new LinkedHashSet<>();
    final Set<SimInstrument> contexts = new LinkedHashSet<>();
  }

  /** An instrument's streamed book and the time of its last change, shared by every client. */
  private static final class Streamed {
    final LiveBook book;
    long time;

    Streamed(LiveBook book, long time) {
      this.book = book;
      this.time = time;
    }
  }
}
