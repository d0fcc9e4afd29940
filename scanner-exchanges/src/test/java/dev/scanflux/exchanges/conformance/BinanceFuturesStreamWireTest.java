package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * The USD-M futures stream ({@link Venues#binanceFutures()}, {@link Venues#asterdex()}) on real
 * messages. Binance's recorded session (2021): the REST depth snapshot of SUSHIUSDT (1,000
 * levels) and the 255 {@code depthUpdate} events recorded with it, sent as the raw {@code /ws}
 * endpoint sends them (the recording's combined-stream wrappers taken off). Their ids are not
 * contiguous (every event starts hundreds of ids past the previous one's end), so only the
 * {@code pu} chain links them; the first three end before the snapshot, the fourth spans it. The
 * book must follow every event without a resync and end as the recording does. AsterDEX: its
 * documentation's stream payloads (no recording exists): the diff event on a snapshot of this
 * test's own whose {@code lastUpdateId} falls inside the event's span, and the book ticker and
 * 24 h ticker joined into one ticker, as the REST source joins {@code ticker/bookTicker} and
 * {@code ticker/24hr}.
 */
class BinanceFuturesStreamWireTest {

  private static final Instrument SUSHI = Instrument.perpetual("SUSHI", "USDT");
  /** The recording's last event time ({@code E}). */
  private static final Instant LAST_EVENT = Instant.ofEpochMilli(1626992771042L);

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  private <T extends AutoCloseable> T opened(T c) {
    open.add(c);
    return c;
  }

  /**
   * The top of the book after the recording's last event, replayed from the files (snapshot at
   * 600859605926, 3 events dropped, 252 applied, each {@code pu} the previous {@code u}).
   */
  private static boolean isLast(BookSnapshot b) {
    return b.bestBid() == 7.612 && b.bidSize(0) == 303.0 && b.bestAsk() == 7.616
        && b.askSize(0) == 267.0;
  }

  /** The sample's text as one line (the server sends each as one frame). */
  private static String message(String resource) {
    return new String(WireSampleServer.sample(resource), StandardCharsets.UTF_8)
        .replaceAll("\\s*\\n\\s*", "");
  }

  /** A server that acknowledges the first SUBSCRIBE and then sends {@code events}. */
  private ScriptedWsServer sending(List<String> events) {
    return opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"SUBSCRIBE\"")) {
        String id = text.replaceAll(".*\"id\":(\\d+).*", "$1");
        conn.send("{\"result\":null,\"id\":" + id + "}");
        events.forEach(conn::send);
      }
    });
  }

  @Test
  void syncsOnTheRecordedSnapshotAndFollowsEveryRecordedEventByItsPu() {
    List<String> events = new String(
        WireSampleServer.sample("binance-futures/ws-depthUpdate-SUSHIUSDT.jsonl"),
        StandardCharsets.UTF_8)
        .lines().filter(l -> !l.isBlank())
        .map(l -> l.substring(l.indexOf("\"data\":") + 7, l.length() - 1)).toList();
    assertThat(events).hasSize(255);
    ScriptedWsServer ws = sending(events);
    WireSampleServer rest = opened(new WireSampleServer()
        .get("/fapi/v1/depth", "symbol=SUSHIUSDT",
            "binance-futures/depth-SUSHIUSDT-limit1000.json"));
    MarketSource futures = opened(Venues.binanceFutures().baseUrl(rest.baseUrl())
        .streamUrl(ws.uri().toString()).build());

    StreamProbe p = opened(StreamProbe.connect(futures.stream().orElseThrow(), 10, SUSHI))
        .await("the book of the recording's last event", q -> !q.books(SUSHI).isEmpty()
            && q.books(SUSHI).get(q.books(SUSHI).size() - 1).exchangeTime().equals(LAST_EVENT),
            PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    BookSnapshot last = p.books(SUSHI).get(p.books(SUSHI).size() - 1);
    assertThat(isLast(last)).as("the replayed top of book: %s", last).isTrue();
    assertThat(last.bidLevels()).isEqualTo(10);
    assertThat(rest.unmatched()).isEmpty();
    // depth 10: the cheapest futures bracket holding 5 x 10 levels is 50, weight 2
    assertThat(rest.seen()).filteredOn(s -> s.path().equals("/fapi/v1/depth"))
        .singleElement().satisfies(s -> assertThat(s.query()).endsWith("limit=50"));
    assertThat(ws.received()).first().asString()
        .isEqualTo("{\"method\":\"SUBSCRIBE\",\"params\":[\"sushiusdt@depth@100ms\","
            + "\"sushiusdt@bookTicker\",\"sushiusdt@ticker\"],\"id\":1}");
  }

  @Test
  void asterdexDocumentedEventsSyncABookAndJoinIntoATicker() {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    Instrument btc = Instrument.perpetual("BTC", "USDT");
    Instrument bnb = Instrument.perpetual("BNB", "USDT");
    String depth = message("asterdex/ws-depthUpdate-doc.json");
    String book = message("asterdex/ws-bookTicker-doc.json");
    String day = message("asterdex/ws-24hrTicker-doc.json");
    // The doc's book ticker is BNBUSDT's and its 24 h ticker BTCUSDT's: each is also sent
    // for the other symbol, so that both halves of each ticker arrive.
    ScriptedWsServer ws = sending(List.of(depth, book, day,
        book.replace("BNBUSDT", "BTCUSDT"), day.replace("BTCUSDT", "BNBUSDT")));
    // The test's own snapshot, shaped like the doc's depth answer: lastUpdateId 158 is inside
    // the doc event's 157..160, its levels below and above the event's.
    WireSampleServer rest = opened(new WireSampleServer().getJson("/fapi/v1/depth",
        "symbol=BTCUSDT", "{\"lastUpdateId\":158,\"E\":123456780,\"T\":123456779,"
            + "\"bids\":[[\"0.0023\",\"5\"]],\"asks\":[[\"0.0027\",\"7\"]]}"));
    MarketSource aster = opened(Venues.asterdex().baseUrl(rest.baseUrl())
        .streamUrl(ws.uri().toString()).build());

    StreamProbe p = opened(StreamProbe.connect(aster.stream().orElseThrow(),
        new StreamRequest(List.of(btc, bnb), 5, true, true), StreamContext.direct()))
        .await("BTC's book, both tickers", q -> !q.books(btc).isEmpty()
            && !q.tickers(btc).isEmpty() && !q.tickers(bnb).isEmpty(), PATIENCE);

    List<BookSnapshot> books = p.books(btc);
    BookSnapshot b = books.get(books.size() - 1);
    assertThat(b.venue()).isEqualTo("asterdex");
    assertThat(b.bestBid()).isEqualTo(0.0024);
    assertThat(b.bidSize(0)).isEqualTo(10);
    assertThat(b.bidPrice(1)).isEqualTo(0.0023);
    assertThat(b.bestAsk()).isEqualTo(0.0026);
    assertThat(b.askSize(0)).isEqualTo(100);
    assertThat(b.exchangeTime()).isEqualTo(Instant.ofEpochMilli(123456789));
    TickerSnapshot t = p.tickers(bnb).get(0);
    assertThat(t.venue()).isEqualTo("asterdex");
    assertThat(t.bid()).isEqualTo(25.3519);
    assertThat(t.ask()).isEqualTo(25.3652);
    assertThat(t.last()).isEqualTo(0.0025);
    assertThat(t.baseVolume24h()).isEqualTo(10000);
    assertThat(t.quoteVolume24h()).isEqualTo(18);
    assertThat(t.change24h()).isEqualTo(2.5);
    // the book ticker's transaction time, as the REST source takes bookTicker's "time"
    assertThat(t.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1568014460891L));
    // received now, on the settings' clock: not the venue's time (2019), which it once was
    assertThat(t.receivedAt()).isAfterOrEqualTo(before);
    assertThat(p.tickers(btc)).singleElement()
        .satisfies(x -> assertThat(x.bid()).isEqualTo(25.3519));
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    // BNB's book has no snapshot here (its requests go unanswered): BTC's was taken once
    assertThat(rest.seen()).filteredOn(s -> s.query().contains("BTCUSDT")).singleElement()
        .satisfies(s -> {
          assertThat(s.path()).isEqualTo("/fapi/v1/depth");
          assertThat(s.query()).isEqualTo("symbol=BTCUSDT&limit=50");
        });
  }
}
