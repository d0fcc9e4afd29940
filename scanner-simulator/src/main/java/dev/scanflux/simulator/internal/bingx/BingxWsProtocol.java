package dev.scanflux.simulator.internal.bingx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.StreamedBook;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * BingX's spot market WebSocket ({@code wss://open-api-ws.bingx.com/market}, path
 * {@code /market} here), after BingX's spot "Websocket Market Data" documentation.
 *
 * <ul>
 *   <li>Every message is sent GZIP-compressed, as a binary frame ({@link #binary}).
 *   <li>{@code Ping} is sent every {@value #PING_TICKS} ticks (BingX: every 5 s); the client
 *       answers {@code Pong}. A connection that left {@value #MAX_UNANSWERED} pings in a row
 *       unanswered is closed, as BingX closes it (pings an {@code IDLE} fault withheld count
 *       too: a connection idle that long is closed once the fault ends).
 *   <li>{@code {"id":"1","reqType":"sub","dataType":"BTC-USDT@depth20"}} is answered
 *       {@code {"id":"1","code":0,"msg":"","dataType":"","data":null}}; {@code unsub} likewise.
 *       An unknown symbol or data type, and a frame that is not a request, are answered with
 *       code 100400.
 *   <li>{@code <symbol>@depth<n>} ({@code n} 5, 10, 20, 50 or 100): on every tick the whole top
 *       {@code n} levels ({@code [price, quantity]} strings; bids best first, asks worst first,
 *       as BingX's REST depth sends them). No deltas, sequence numbers or checksums:
 *       {@code SEQUENCE_GAP} and {@code CHECKSUM_MISMATCH} faults do not apply and are left
 *       waiting.
 *   <li>{@code <symbol>@ticker}: on every tick the 24 h ticker ({@code e} {@code 24hTicker},
 *       prices and volumes as JSON numbers, {@code P} as {@code "1.25%"}), its bid {@code B} and
 *       ask {@code A} the streamed book's best levels.
 * </ul>
 */
public final class BingxWsProtocol implements WsProtocol {

  /** Ticks between two pings. */
  static final int PING_TICKS = 25;
  /** Pings in a row without a pong after which the connection is closed. */
  static final int MAX_UNANSWERED = 20;
  private static final int DEPTH = 100;
  private static final Set<String> DEPTHS = Set.of("5", "10", "20", "50", "100");

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> bySymbol = new HashMap<>();
  private final Map<WsPeer, Peer> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, StreamedBook> streamed = new LinkedHashMap<>();
  private long ticks;

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public BingxWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this.clock = clock;
    this.seed = seed;
    for (SimInstrument i : market.instruments()) {
      bySymbol.put(i.base() + '-' + i.quote(), i);
    }
  }

  @Override
  public String path() {
    return "/market";
  }

  @Override
  public byte[] binary(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, text.length() / 4));
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("gzip in memory cannot fail", e);
    }
    return out.toByteArray();
  }

  @Override
  public void onOpen(WsPeer peer) {
    peers.put(peer, new Peer());
  }

  @Override
  public void onText(WsPeer peer, String text) {
    Peer p = peers.computeIfAbsent(peer, k -> new Peer());
    if (text.equals("Pong")) {
      p.unanswered = 0;
      return;
    }
    JsonNode request = Json.request(text, e -> peer.send(answer("", 100400,
        "invalid request: not JSON")));
    if (request == null) {
      return;
    }
    String id = request.path("id").asText("");
    String reqType = request.path("reqType").asText("");
    String dataType = request.path("dataType").asText("");
    if (!(reqType.equals("sub") || reqType.equals("unsub"))) {
      peer.send(answer(id, 100400, "invalid reqType: " + reqType));
      return;
    }
    if (instrument(dataType) == null) {
      peer.send(answer(id, 100400, "invalid dataType: " + dataType));
      return;
    }
    if (reqType.equals("sub")) {
      p.types.add(dataType);
    } else {
      p.types.remove(dataType);
    }
    peer.send(answer(id, 0, ""));
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    if (++ticks % PING_TICKS == 0) {
      for (Map.Entry<WsPeer, Peer> e : List.copyOf(peers.entrySet())) {
        if (++e.getValue().unanswered > MAX_UNANSWERED) {
          e.getKey().socket().close(1000, "no Pong to " + MAX_UNANSWERED + " pings");
        } else {
          e.getKey().send("Ping");
        }
      }
    }
    Set<String> live = new LinkedHashSet<>();
    peers.values().forEach(p -> live.addAll(p.types));
    for (String dataType : live) {
      SimInstrument i = instrument(dataType);
      if (i == null) {
        continue;
      }
      StreamedBook s = streamed(i);
      s.step(ticks);
      String message = dataType.endsWith("@ticker") ? ticker(s, dataType) : depth(s, dataType);
      for (Map.Entry<WsPeer, Peer> e : peers.entrySet()) {
        if (e.getValue().types.contains(dataType)) {
          e.getKey().send(message, i);
        }
      }
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    StreamedBook s = streamed.get(instrument);
    String prefix = instrument.base() + '-' + instrument.quote() + "@depth";
    if (s == null || peers.values().stream()
        .noneMatch(p -> p.types.stream().anyMatch(t -> t.startsWith(prefix)))) {
      return null;
    }
    return s.streamed(book, Math.min(depth, DEPTH));
  }

  /** The instrument of a data type this format serves, or null. */
  private @Nullable SimInstrument instrument(String dataType) {
    int at = dataType.indexOf('@');
    if (at < 0) {
      return null;
    }
    String kind = dataType.substring(at + 1);
    boolean known = kind.equals("ticker")
        || (kind.startsWith("depth") && DEPTHS.contains(kind.substring("depth".length())));
    return known ? bySymbol.get(dataType.substring(0, at)) : null;
  }

  private StreamedBook streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new StreamedBook(k, DEPTH, seed, clock));
  }

  private String depth(StreamedBook s, String dataType) {
    int n = Integer.parseInt(dataType.substring(dataType.indexOf("@depth") + "@depth".length()));
    ObjectNode data = Json.object();
    data.set("bids", s.levels(s.book().bids(n)));
    ArrayNode asks = s.levels(s.book().asks(n));
    ArrayNode worstFirst = Json.array();
    for (int k = asks.size() - 1; k >= 0; k--) {
      worstFirst.add(asks.get(k));
    }
    data.set("asks", worstFirst);
    return message(dataType, s.time(), data);
  }

  private String ticker(StreamedBook s, String dataType) {
    SimInstrument i = s.instrument();
    LiveBook.Level bid = s.book().bids(1).get(0);
    LiveBook.Level ask = s.book().asks(1).get(0);
    double bidPx = s.book().price(bid.ticks());
    double askPx = s.book().price(ask.ticks());
    SimInstrument.Ticker t = i.ticker(false);
    double last = Math.min(askPx, Math.max(bidPx, t.last()));
    ObjectNode data = Json.object().put("e", "24hTicker").put("E", s.time())
        .put("s", i.base() + '-' + i.quote())
        .put("p", number(i.px(last - t.open())))
        .put("P", String.format(Locale.ROOT, "%.2f%%", 100 * (last - t.open()) / t.open()))
        .put("o", number(i.px(t.open()))).put("h", number(i.px(Math.max(t.high(), last))))
        .put("l", number(i.px(Math.min(t.low(), last)))).put("c", number(i.px(last)))
        .put("v", number(i.qty(t.volume()))).put("q", number(i.px(t.quoteVolume())))
        .put("O", s.time() - 86_400_000L).put("C", s.time())
        .put("A", number(i.px(askPx))).put("a", number(i.qty(ask.size())))
        .put("B", number(i.px(bidPx))).put("b", number(i.qty(bid.size())));
    return message(dataType, s.time(), data);
  }

  private static String message(String dataType, long time, ObjectNode data) {
    ObjectNode o = Json.object().put("code", 0).put("timestamp", time).put("dataType", dataType);
    o.set("data", data);
    return Json.write(o);
  }

  private static String answer(String id, int code, String msg) {
    return Json.write(Json.object().put("id", id).put("code", code).put("msg", msg)
        .put("dataType", "").putNull("data"));
  }

  private static double number(String text) {
    return Double.parseDouble(text);
  }

  /** One connection: its data types and the pings it left unanswered. */
  private static final class Peer {
    final Set<String> types = new LinkedHashSet<>();
    int unanswered;
  }
}
