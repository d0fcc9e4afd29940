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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Binance spot's stream on Binance's recorded session (2021): the REST depth snapshot of NKNUSDT
 * (1,000 levels) and the 150 {@code depthUpdate} events recorded with it, the first of which
 * the snapshot already covers. The events are sent as the raw {@code /ws} endpoint sends them
 * (the recording's combined-stream wrappers taken off). The book must follow every event without
 * a resync and end as the recording does.
 */
class BinanceStreamWireTest {

  private static final Instrument NKN = Instrument.spot("NKN", "USDT");

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

  /** The top of the book after the recording's last event, replayed from the files. */
  private static boolean isLast(BookSnapshot b) {
    return b.bestBid() == 0.3527 && b.bidSize(0) == 9602.0 && b.bestAsk() == 0.3531
        && b.askSize(0) == 152.0;
  }

  @Test
  void syncsOnTheRecordedSnapshotAndFollowsEveryRecordedEvent() {
    List<String> events = new String(
        WireSampleServer.sample("binance/ws-depthUpdate-NKNUSDT.jsonl"), StandardCharsets.UTF_8)
        .lines().filter(l -> !l.isBlank())
        .map(l -> l.substring(l.indexOf("\"data\":") + 7, l.length() - 1)).toList();
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"SUBSCRIBE\"")) {
        String id = text.replaceAll(".*\"id\":(\\d+).*", "$1");
        conn.send("{\"result\":null,\"id\":" + id + "}");
        events.forEach(conn::send);
      }
    });
    WireSampleServer rest = opened(new WireSampleServer()
        .get("/api/v3/exchangeInfo", "binance/exchangeInfo.json")
        .get("/api/v3/depth", "symbol=NKNUSDT", "binance/depth-NKNUSDT-limit1000.json"));
    MarketSource binance = opened(Venues.binance().baseUrl(rest.baseUrl())
        .streamUrl(ws.uri().toString()).build());

    StreamProbe p = opened(StreamProbe.connect(binance.stream().orElseThrow(), 10, NKN))
        .await("the recording's last book", q -> !q.books(NKN).isEmpty()
            && isLast(q.books(NKN).get(q.books(NKN).size() - 1)), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(p.books(NKN).get(p.books(NKN).size() - 1).bidLevels()).isEqualTo(10);
    assertThat(rest.unmatched()).isEmpty();
    assertThat(rest.seen()).filteredOn(s -> s.path().equals("/api/v3/depth"))
        .singleElement().satisfies(s -> assertThat(s.query()).endsWith("limit=100"));
  }
}
