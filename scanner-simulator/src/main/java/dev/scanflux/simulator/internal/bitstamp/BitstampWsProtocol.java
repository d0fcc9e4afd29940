package dev.scanflux.simulator.internal.bitstamp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.simulator.internal.Json;
import dev.scanflux.simulator.internal.LiveBook;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.StreamedBook;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.WsPeer;
import dev.scanflux.simulator.internal.WsProtocol;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Bitstamp's WebSocket API v2 ({@code wss://ws.bitstamp.net}, path {@code /} here), after
 * Bitstamp's "WebSocket API v2" documentation: public channels {@code order_book_<pair>} and
 * {@code live_trades_<pair>} of the pairs the REST side lists ({@code btcusd}).
 *
 * <ul>
 *   <li>{@code {"event":"bts:subscribe","data":{"channel":"order_book_btcusd"}}} is answered
 *       {@code {"event":"bts:subscription_succeeded","channel":"order_book_btcusd","data":{}}};
 *       {@code bts:unsubscribe} likewise with {@code bts:unsubscription_succeeded}. A channel
 *       that does not exist and a frame that is not a request are answered {@code bts:error}.
 *       {@code {"event":"bts:heartbeat"}} is answered
 *       {@code {"event":"bts:heartbeat","channel":"","data":{"status":"success"}}}.
 *   <li>{@code order_book}: on every tick the whole top {@value #DEPTH} levels per side
 *       ({@code [price, amount]} strings, best first) with {@code timestamp} (seconds) and
 *       {@code microtimestamp}, event {@code data}. No deltas, sequence numbers or checksums:
 *       {@code SEQUENCE_GAP} and {@code CHECKSUM_MISMATCH} faults do not apply and are left
 *       waiting.
 *   <li>{@code live_trades}: one trade per tick, event {@code trade}, at the streamed book's
 *       best bid or ask, with {@code price}, {@code amount} (numbers) and their {@code _str}
 *       forms, {@code type} (0 buy, 1 sell) and the order ids.
 * </ul>
 */
public final class BitstampWsProtocol implements WsProtocol {

  /** Levels per side of an {@code order_book} message, Bitstamp's. */
  static final int DEPTH = 100;
  private static final String BOOK = "order_book_";
  private static final String TRADES = "live_trades_";

  private final LongSupplier clock;
  private final long seed;
  private final Map<String, SimInstrument> byPair = new HashMap<>();
  private final Map<WsPeer, Set<String>> peers = new LinkedHashMap<>();
  private final Map<SimInstrument, StreamedBook> streamed = new LinkedHashMap<>();
  private long trades;
  private long ticks;

  /**
   * @param market the market, shared with the REST side
   * @param clock  milliseconds now
   * @param seed   seeds the books' changes
   */
  public BitstampWsProtocol(SyntheticMarket market, LongSupplier clock, long seed) {
    this.clock = clock;
    this.seed = seed;
    for (SimInstrument i : market.instruments()) {
      byPair.put((i.base() + i.quote()).toLowerCase(Locale.ROOT), i);
    }
  }

  @Override
  public String path() {
    return "/";
  }

  @Override
  public void onText(WsPeer peer, String text) {
    JsonNode request = Json.request(text, e -> peer.send(error("", "Bad subscription string.")));
    if (request == null) {
      return;
    }
    String event = request.path("event").asText("");
    if (event.equals("bts:heartbeat")) {
      ObjectNode answer = message("bts:heartbeat", "");
      answer.putObject("data").put("status", "success");
      peer.send(Json.write(answer));
      return;
    }
    String channel = request.path("data").path("channel").asText("");
    if (!(event.equals("bts:subscribe") || event.equals("bts:unsubscribe"))) {
      peer.send(error(channel, "Bad subscription string."));
      return;
    }
    if (instrument(channel) == null) {
      peer.send(error(channel, "Incorrect channel name."));
      return;
    }
    Set<String> channels = peers.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    boolean subscribe = event.equals("bts:subscribe");
    if (subscribe) {
      channels.add(channel);
    } else {
      channels.remove(channel);
    }
    ObjectNode ack = message(subscribe ? "bts:subscription_succeeded"
        : "bts:unsubscription_succeeded", channel);
    ack.putObject("data");
    peer.send(Json.write(ack));
  }

  @Override
  public void onClose(WsPeer peer) {
    peers.remove(peer);
  }

  @Override
  public void onTick(WsFaults faults) {
    ticks++;
    Set<String> live = new LinkedHashSet<>();
    peers.values().forEach(live::addAll);
    for (String channel : live) {
      SimInstrument i = instrument(channel);
      if (i == null) {
        continue;
      }
      StreamedBook s = streamed(i);
      s.step(ticks);
      String message = channel.startsWith(BOOK) ? book(s, channel) : trade(s, channel);
      for (Map.Entry<WsPeer, Set<String>> e : peers.entrySet()) {
        if (e.getValue().contains(channel)) {
          e.getKey().send(message, i);
        }
      }
    }
  }

  @Override
  public @Nullable BookSnapshot streamedBook(SimInstrument instrument, int depth,
      BookSnapshot.Builder book) {
    StreamedBook s = streamed.get(instrument);
    String channel = BOOK + (instrument.base() + instrument.quote()).toLowerCase(Locale.ROOT);
    if (s == null || peers.values().stream().noneMatch(c -> c.contains(channel))) {
      return null;
    }
    return s.streamed(book, Math.min(depth, DEPTH));
  }

  private @Nullable SimInstrument instrument(String channel) {
    if (channel.startsWith(BOOK)) {
      return byPair.get(channel.substring(BOOK.length()));
    }
    if (channel.startsWith(TRADES)) {
      return byPair.get(channel.substring(TRADES.length()));
    }
    return null;
  }

  private StreamedBook streamed(SimInstrument i) {
    return streamed.computeIfAbsent(i, k -> new StreamedBook(k, DEPTH, seed, clock));
  }

  private String book(StreamedBook s, String channel) {
    ObjectNode data = Json.object().put("timestamp", Long.toString(s.time() / 1000))
        .put("microtimestamp", Long.toString(s.time() * 1000));
    data.set("bids", s.levels(s.book().bids(DEPTH)));
    data.set("asks", s.levels(s.book().asks(DEPTH)));
    ObjectNode o = Json.object();
    o.set("data", data);
    return Json.write(o.put("channel", channel).put("event", "data"));
  }

  private String trade(StreamedBook s, String channel) {
    SimInstrument i = s.instrument();
    boolean buy = (trades & 1) == 0;
    LiveBook.Level l = buy ? s.book().asks(1).get(0) : s.book().bids(1).get(0);
    String price = s.px(l);
    String amount = i.qty(Math.max(l.size() / 10, 0));
    long id = ++trades;
    ObjectNode data = Json.object().put("id", 300_000_000L + id)
        .put("timestamp", Long.toString(s.time() / 1000)).put("amount", Double.parseDouble(amount))
        .put("amount_str", amount).put("price", Double.parseDouble(price))
        .put("price_str", price).put("type", buy ? 0 : 1)
        .put("microtimestamp", Long.toString(s.time() * 1000))
        .put("buy_order_id", 1_600_000_000_000_000L + 2 * id)
        .put("sell_order_id", 1_600_000_000_000_001L + 2 * id);
    ObjectNode o = Json.object();
    o.set("data", data);
    return Json.write(o.put("channel", channel).put("event", "trade"));
  }

  private static ObjectNode message(String event, String channel) {
    return Json.object().put("event", event).put("channel", channel);
  }

  private static String error(String channel, String text) {
    ObjectNode o = message("bts:error", channel);
    o.putObject("data").putNull("code").put("message", text);
    return Json.write(o);
  }
}
