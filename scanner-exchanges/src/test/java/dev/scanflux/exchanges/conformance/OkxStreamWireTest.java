package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * OKX's stream on OKX's recorded {@code books} and {@code tickers} session (2022): a snapshot
 * and 97 updates with checksums but no {@code seqId}/{@code prevSeqId}, which OKX added later.
 * The stream follows such a session by its checksums, with no resync; and a venue whose updates
 * keep failing is resubscribed with a growing backoff, not in a storm.
 */
class OkxStreamWireTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

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

  private static List<String> lines(String resource) {
    return new String(WireSampleServer.sample(resource), StandardCharsets.UTF_8).lines()
        .filter(l -> !l.isBlank()).toList();
  }

  private MarketSource source(ScriptedWsServer ws, VirtualTimeScheduler clock) {
    WireSampleServer rest = opened(new WireSampleServer()
        .get("/api/v5/public/instruments", "instType=SPOT", "okx/instruments-SPOT.json")
        .get("/api/v5/public/instruments", "instType=SWAP", "okx-swap/instruments-SWAP.json"));
    var builder = Venues.okx().baseUrl(rest.baseUrl()).streamUrl(ws.uri().toString());
    return opened((clock == null ? builder : builder.clock(clock)).build());
  }

  @Test
  void followsTheRecordedSessionByItsChecksums() {
    List<String> books = lines("okx/ws-books-BTC-USDT.jsonl");
    List<String> tickers = lines("okx/ws-tickers-BTC-USDT.jsonl");
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"subscribe\"")) {
        books.forEach(conn::send);
        tickers.forEach(conn::send);
      }
    });
    MarketSource okx = source(ws, null);

    StreamProbe p = opened(StreamProbe.connect(okx.stream().orElseThrow(), 5, BTC))
        .await("every recorded book and ticker", q -> q.books(BTC).size() == books.size()
            && q.tickers(BTC).size() == tickers.size(), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    BookSnapshot last = p.books(BTC).get(books.size() - 1);
    assertThat(last.bestBid()).isEqualTo(30236.1);
    assertThat(last.bidSize(0)).isEqualTo(0.18050747);
    assertThat(last.bestAsk()).isEqualTo(30236.2);
    assertThat(last.askSize(0)).isEqualTo(0.001);
    var ticker = p.tickers(BTC).get(tickers.size() - 1);
    assertThat(ticker.bid()).isEqualTo(30230.2);
    assertThat(ticker.ask()).isEqualTo(30230.3);
    assertThat(ticker.last()).isEqualTo(30227.6);
  }

  @Test
  void booksThatKeepFailingAreResubscribedWithABackoff() {
    List<String> books = lines("okx/ws-books-BTC-USDT.jsonl");
    // The snapshot, then the third update: a gap its checksum catches, on every subscription.
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"op\":\"subscribe\"") && text.contains("\"books\"")) {
        conn.send(books.get(0));
        conn.send(books.get(3));
      }
    });
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    MarketSource okx = source(ws, clock);
    StreamProbe p = opened(StreamProbe.connect(okx.stream().orElseThrow(), 5, BTC));

    // The first resync resubscribes at once; the second waits a second.
    p.await("two resyncs", q -> q.events(StreamEvent.Resync.class).size() >= 2, PATIENCE);
    assertThat(subscriptions(ws)).isEqualTo(2);
    clock.advanceTimeBy(Duration.ofMillis(999));
    assertThat(subscriptions(ws)).isEqualTo(2);
    clock.advanceTimeBy(Duration.ofMillis(1));
    p.await("the third resync", q -> q.events(StreamEvent.Resync.class).size() >= 3, PATIENCE);
    assertThat(subscriptions(ws)).isEqualTo(3);
    // The third waits two seconds.
    clock.advanceTimeBy(Duration.ofMillis(1999));
    assertThat(subscriptions(ws)).isEqualTo(3);
    clock.advanceTimeBy(Duration.ofMillis(1));
    p.await("the fourth resync", q -> q.events(StreamEvent.Resync.class).size() >= 4, PATIENCE);
    assertThat(p.events(StreamEvent.Resync.class)).allSatisfy(r ->
        assertThat(r.cause()).isEqualTo(dev.scanflux.core.spi.ResyncCause.CHECKSUM_MISMATCH));
  }

  /** Subscription frames for books the server received. */
  private static long subscriptions(ScriptedWsServer ws) {
    return ws.received().stream()
        .filter(t -> t.contains("\"op\":\"subscribe\"") && t.contains("\"books\"")).count();
  }
}
