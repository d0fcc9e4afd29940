package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.LoopbackServer;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * KuCoin's push streams, through the presets, on KuCoin's documented messages
 * ({@code src/test/resources/kucoin-ws}, written from KuCoin's WebSocket documentation: no live
 * WebSocket recording of KuCoin exists in the wire samples): the documented bullet's token is
 * taken and used, the welcome awaited, and the 50-level books, tickers and snapshots read as
 * documented, with nothing rejected.
 */
class KucoinStreamWireTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument XBT = Instrument.perpetual("BTC", "USDT");

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

  private static String resource(String name) {
    try (InputStream in = KucoinStreamWireTest.class.getResourceAsStream(name)) {
      Objects.requireNonNull(in, () -> "no test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** KuCoin's REST side: the documented bullet and the documented futures contracts. */
  private LoopbackServer rest() {
    String bullet = resource("/kucoin-ws/bullet-public.json");
    String contracts = resource("/wire-samples/kucoin-futures/contracts-active-doc.json");
    return opened(new LoopbackServer((req, res) -> {
      String path = req.uri();
      String body = path.startsWith("/api/v1/bullet-public") ? bullet
          : path.startsWith("/api/v1/contracts/active") ? contracts : null;
      if (body == null || (body == bullet && !req.method().name().equals("POST"))) {
        return res.status(404).sendString(Mono.just("{\"code\":\"404000\"}")).then();
      }
      return res.header("Content-Type", "application/json")
          .sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    }));
  }

  /**
   * Welcomes the client, then answers its first subscription with every documented message (the
   * documented ack, of request 1, among them) and acks the others, as KuCoin acks every request
   * sent with {@code response:true}.
   */
  private ScriptedWsServer ws(String messages) {
    List<String> lines = resource(messages).lines().filter(l -> !l.isBlank()).toList();
    ScriptedWsServer ws = opened(new ScriptedWsServer());
    ws.opened().thenAccept(socket -> socket.send(lines.get(0)));
    ws.onMessage((socket, frame) -> {
      if (ws.received().size() == 1) {
        lines.subList(1, lines.size()).forEach(socket::send);
      } else {
        String id = frame.replaceAll("(?s).*\"id\":\"([^\"]*)\".*", "$1");
        socket.send("{\"id\":\"" + id + "\",\"type\":\"ack\"}");
      }
    });
    return ws;
  }

  @Test
  void spotReadsTheDocumentedBookTickerAndSnapshot() {
    ScriptedWsServer ws = ws("/kucoin-ws/spot.jsonl");
    MarketSource source = opened(Venues.kucoin().baseUrl(rest().url())
        .streamUrl(ws.uri().toString()).build());
    StreamProbe p = opened(StreamProbe.connect(source.stream().orElseThrow(), 5, BTC));

    p.await("the book and the ticker", q -> !q.books(BTC).isEmpty() && !q.tickers(BTC).isEmpty(),
        PATIENCE);

    BookSnapshot b = p.books(BTC).get(0);
    assertThat(b.bidLevels()).isEqualTo(5);
    assertThat(b.bestBid()).isEqualTo(95964.2);
    assertThat(b.bidSize(0)).isEqualTo(1.35483359);
    assertThat(b.bestAsk()).isEqualTo(95964.3);
    assertThat(b.askSize(4)).isEqualTo(0.12531139);
    assertThat(b.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1734422035043L));
    // received now, on the stream's clock: not the venue's time, which it once was too
    assertThat(b.receivedAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    TickerSnapshot t = p.tickers(BTC).get(0);
    assertThat(t.bid()).isEqualTo(0.049);
    assertThat(t.ask()).isEqualTo(0.08);
    assertThat(t.last()).isEqualTo(0.08);
    assertThat(t.baseVolume24h()).isEqualTo(25812.30261);
    assertThat(t.quoteVolume24h()).isEqualTo(1603.97426);
    assertThat(t.change24h()).isEqualTo(-0.0148);
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
  }

  @Test
  void futuresReadsTheDocumentedBookAndTickersInContracts() {
    ScriptedWsServer ws = ws("/kucoin-ws/futures.jsonl");
    MarketSource source = opened(Venues.kucoinFutures().baseUrl(rest().url())
        .streamUrl(ws.uri().toString()).build());
    StreamProbe p = opened(StreamProbe.connect(source.stream().orElseThrow(), 5, XBT));

    p.await("the book and a ticker", q -> !q.books(XBT).isEmpty() && !q.tickers(XBT).isEmpty(),
        PATIENCE);

    BookSnapshot b = p.books(XBT).get(0);
    assertThat(b.contractSize()).isEqualTo(0.001); // the documented contract's multiplier
    assertThat(b.bestBid()).isEqualTo(89778.6);
    assertThat(b.bidSize(0)).isEqualTo(1534 * 0.001);
    assertThat(b.bestAsk()).isEqualTo(89778.7);
    assertThat(b.askLevels()).isEqualTo(5);
    TickerSnapshot t = p.tickers(XBT).get(p.tickers(XBT).size() - 1);
    // tickerV2's best prices (the newer sequence), the trade's last price
    assertThat(t.bid()).isEqualTo(62985.9);
    assertThat(t.ask()).isEqualTo(62986.0);
    assertThat(t.last()).isEqualTo(62985.9);
    assertThat(t.baseVolume24h()).isNaN();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
  }
}
