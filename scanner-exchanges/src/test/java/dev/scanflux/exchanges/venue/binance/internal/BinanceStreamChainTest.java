package dev.scanflux.exchanges.venue.binance.internal;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.LoopbackServer;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.exchanges.venue.binance.internal.BinanceStream.Api;
import dev.scanflux.exchanges.venue.binance.internal.BinanceStream.Link;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * How {@link BinanceStream} chains diff events on each market ({@link Api#link}), its snapshot
 * brackets, and a futures {@code pu} gap end to end on scripted servers.
 */
class BinanceStreamChainTest {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  @Test
  void spotChainsOnContiguousIds() {
    // first after a snapshot at 100: must span 101
    assertThat(Api.SPOT.link(90, 100, -1, 100, true)).isEqualTo(Link.STALE);
    assertThat(Api.SPOT.link(95, 101, -1, 100, true)).isEqualTo(Link.NEXT);
    assertThat(Api.SPOT.link(101, 105, -1, 100, true)).isEqualTo(Link.NEXT);
    assertThat(Api.SPOT.link(102, 105, -1, 100, true)).isEqualTo(Link.GAP);
    // later: U = previous u + 1
    assertThat(Api.SPOT.link(106, 110, -1, 105, false)).isEqualTo(Link.NEXT);
    assertThat(Api.SPOT.link(107, 110, -1, 105, false)).isEqualTo(Link.GAP);
  }

  @Test
  void futuresChainOnPuAndNotOnContiguousIds() {
    // first after a snapshot at 100: U <= 100 <= u, or pu = 100
    assertThat(Api.USD_M.link(80, 99, 70, 100, true)).isEqualTo(Link.STALE);
    assertThat(Api.USD_M.link(90, 100, 80, 100, true)).isEqualTo(Link.NEXT);
    assertThat(Api.USD_M.link(95, 120, 90, 100, true)).isEqualTo(Link.NEXT);
    assertThat(Api.USD_M.link(130, 140, 100, 100, true)).isEqualTo(Link.NEXT);
    assertThat(Api.USD_M.link(130, 140, 120, 100, true)).isEqualTo(Link.GAP);
    // later: pu = previous u, whatever U is (ids are shared by every symbol)
    assertThat(Api.USD_M.link(180, 190, 140, 140, false)).isEqualTo(Link.NEXT);
    assertThat(Api.USD_M.link(141, 150, 139, 140, false)).isEqualTo(Link.GAP);
    assertThat(Api.USD_M.link(141, 150, 145, 140, false)).isEqualTo(Link.GAP);
    assertThat(Api.USD_M.link(120, 140, 110, 140, false)).isEqualTo(Link.STALE);
    // the spot rule would call the first a gap and the second next: both wrong on futures
    assertThat(Api.SPOT.link(180, 190, 140, 140, false)).isEqualTo(Link.GAP);
    assertThat(Api.SPOT.link(141, 150, 139, 140, false)).isEqualTo(Link.NEXT);
  }

  @Test
  void eachMarketTakesItsCheapestSnapshotHoldingFiveTimesTheDepth() {
    assertThat(Api.SPOT.snapshotLimit(1)).isEqualTo(100);
    assertThat(Api.SPOT.snapshotLimit(20)).isEqualTo(100);
    assertThat(Api.SPOT.snapshotLimit(21)).isEqualTo(500);
    assertThat(Api.SPOT.snapshotLimit(2000)).isEqualTo(5000);
    // futures: weight 2 up to 50 levels, 5 to 100, 10 to 500, 20 to 1,000 (its maximum)
    assertThat(Api.USD_M.snapshotLimit(1)).isEqualTo(50);
    assertThat(Api.USD_M.snapshotLimit(10)).isEqualTo(50);
    assertThat(Api.USD_M.snapshotLimit(11)).isEqualTo(100);
    assertThat(Api.USD_M.snapshotLimit(100)).isEqualTo(500);
    assertThat(Api.USD_M.snapshotLimit(201)).isEqualTo(1000);
    assertThat(Api.USD_M.snapshotLimit(1000)).isEqualTo(1000);
    assertThat(BinanceFuturesSource.LIMIT.weight(
        RequestKind.BOOK, Api.USD_M.snapshotLimit(10))).isEqualTo(2);
  }

  /**
   * Books and tickers of BTC at depth 10 from the futures preset on {@code rest} and a scripted
   * WebSocket that acknowledges the subscription and then sends {@code events}.
   */
  private StreamProbe probe(LoopbackServer rest, List<String> events) {
    return probe(rest, events, reactor.core.scheduler.Schedulers.parallel());
  }

  /** The same with {@code clock} for the stream's times. */
  private StreamProbe probe(LoopbackServer rest, List<String> events,
      reactor.core.scheduler.Scheduler clock) {
    open.add(rest);
    ScriptedWsServer ws = new ScriptedWsServer().onMessage((conn, text) -> {
      if (text.contains("\"SUBSCRIBE\"")) {
        conn.send("{\"result\":null,\"id\":1}");
        events.forEach(conn::send);
      }
    });
    open.add(ws);
    MarketSource futures = Venues.binanceFutures().baseUrl(rest.url())
        .streamUrl(ws.uri().toString()).clock(clock).build();
    open.add(futures);
    StreamProbe p = StreamProbe.connect(futures.stream().orElseThrow(), 10, BTC);
    open.add(p);
    return p;
  }

  @Test
  void binancesRoutedPublicEndpointPutsTheDayTickersOnTheMarketEndpoint() {
    assertThat(BinanceStream.marketUri(URI.create(BinanceStream.FUTURES_URL)))
        .isEqualTo(URI.create("wss://fstream.binance.com/market/ws"));
    assertThat(BinanceStream.marketUri(URI.create("ws://127.0.0.1:9/public/ws")))
        .isEqualTo(URI.create("ws://127.0.0.1:9/market/ws"));
    // AsterDEX, a proxy or a simulator serving every stream on one path: one socket
    assertThat(BinanceStream.marketUri(URI.create(BinanceStream.ASTERDEX_URL))).isNull();
    assertThat(BinanceStream.marketUri(URI.create("ws://127.0.0.1:9/ws"))).isNull();
  }

  private static String event(long first, long last, long prev, String bids, String asks) {
    return "{\"e\":\"depthUpdate\",\"E\":" + (1_700_000_000_000L + last) + ",\"T\":1,"
        + "\"s\":\"BTCUSDT\",\"U\":" + first + ",\"u\":" + last + ",\"pu\":" + prev
        + ",\"b\":" + bids + ",\"a\":" + asks + "}";
  }

  @Test
  void aBrokenPuIsASequenceGapAndTheBookIsRebuiltOnANewSnapshotKeepingLaterEvents() {
    List<String> queries = new CopyOnWriteArrayList<>();
    AtomicInteger snapshots = new AtomicInteger();
    LoopbackServer rest = new LoopbackServer((req, res) -> {
      queries.add(req.uri());
      // at 100, then (after the gap) at 125: the second holds the lost event's change to 10.1
      String body = snapshots.incrementAndGet() == 1
          ? "{\"lastUpdateId\":100,\"E\":1,\"T\":1,\"bids\":[[\"10.0\",\"1\"]],"
              + "\"asks\":[[\"11.0\",\"1\"]]}"
          : "{\"lastUpdateId\":125,\"E\":1,\"T\":1,\"bids\":[[\"10.1\",\"4\"],[\"10.0\",\"2\"]],"
              + "\"asks\":[[\"11.0\",\"1\"]]}";
      return res.header("content-type", "application/json").sendString(Mono.just(body));
    });
    List<String> events = List.of(
        event(90, 100, 80, "[[\"10.0\",\"1\"]]", "[]"), // covered by the snapshot, spans it
        event(105, 110, 100, "[[\"10.0\",\"2\"]]", "[]"),
        // an event 111..115 (10.1 at 4) is lost: this one's pu is 115, not 110
        event(120, 130, 115, "[]", "[[\"11.0\",\"3\"]]"),
        event(131, 140, 130, "[]", "[[\"10.9\",\"5\"]]"));

    StreamProbe p = probe(rest, events);
    p.await("the book after the last event", q -> !q.books(BTC).isEmpty()
        && q.books(BTC).get(q.books(BTC).size() - 1).bestAsk() == 10.9, PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP);
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.detail()).isEqualTo("expected an update after 110, got pu 115 (120..130)");
    });
    BookSnapshot last = p.books(BTC).get(p.books(BTC).size() - 1);
    assertThat(last.bestBid()).isEqualTo(10.1);
    assertThat(last.bidSize(0)).isEqualTo(4);
    assertThat(last.bidSize(1)).isEqualTo(2);
    assertThat(last.askSize(0)).isEqualTo(5);
    assertThat(last.askPrice(1)).isEqualTo(11.0);
    assertThat(last.askSize(1)).isEqualTo(3);
    assertThat(queries).containsExactly("/fapi/v1/depth?symbol=BTCUSDT&limit=50",
        "/fapi/v1/depth?symbol=BTCUSDT&limit=50");
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
  }

  @Test
  void aBookOfTheRestSnapshotAloneIsReceivedWhenItIsTimedOneClockReading() {
    // the REST snapshot carries no time the book keeps: its time is when it was applied
    LoopbackServer rest = new LoopbackServer((req, res) -> res.header("content-type",
        "application/json").sendString(Mono.just("{\"lastUpdateId\":100,\"E\":1,\"T\":1,"
            + "\"bids\":[[\"10.0\",\"1\"]],\"asks\":[[\"11.0\",\"1\"]]}")));
    StreamProbe p = probe(rest, List.of(event(90, 100, 80, "[[\"10.0\",\"1\"]]", "[]")),
        new dev.scanflux.exchanges.TickingClock());
    p.await("the snapshot's book", q -> !q.books(BTC).isEmpty(), PATIENCE);
    BookSnapshot b = p.books(BTC).get(0);
    assertThat(b.exchangeTime()).isEqualTo(b.receivedAt());
  }

  @Test
  void aFuturesEventWithoutPuIsBadData() {
    LoopbackServer rest = new LoopbackServer((req, res) -> res.sendString(Mono.just(
        "{\"lastUpdateId\":100,\"bids\":[[\"10.0\",\"1\"]],\"asks\":[[\"11.0\",\"1\"]]}")));

    StreamProbe p = probe(rest, List.of("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\","
        + "\"U\":90,\"u\":100,\"b\":[],\"a\":[]}"));
    p.await(StreamEvent.Resync.class, 1, PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).first().satisfies(r -> {
      assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
      assertThat(r.detail()).isEqualTo("unreadable depth update: no pu");
    });
  }
}
