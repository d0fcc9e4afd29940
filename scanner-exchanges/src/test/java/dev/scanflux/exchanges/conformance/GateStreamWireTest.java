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
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Gate's streams on Gate's own WebSocket v4 examples. No live recording of Gate's WebSocket
 * exists in the samples, so the messages are the notification examples of Gate's spot and
 * futures WebSocket documentation: spot's verbatim ({@code spot.order_book},
 * {@code spot.tickers}); futures' with the documented shapes and fields, their contract and
 * prices changed from the documentation's {@code BTC_USD} to {@code OMG_USDT} so that the delta
 * chains on the recorded REST base book ({@code gate-futures/order_book-OMG_USDT.json}, live,
 * 2023, with its {@code id}), with the contract sizes of the recorded contract list.
 */
class GateStreamWireTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument OMG = Instrument.perpetual("OMG", "USDT");
  /** The recorded futures base book's id. */
  private static final long BASE_ID = 3132789259L;

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

  /** Gate's documented {@code spot.order_book} notification (BTC_USDT, 5 levels). */
  static final String SPOT_ORDER_BOOK = "{\"time\":1606295412,\"time_ms\":1606295412213,"
      + "\"channel\":\"spot.order_book\",\"event\":\"update\",\"result\":{"
      + "\"t\":1606295412123,\"lastUpdateId\":48791820,\"s\":\"BTC_USDT\",\"bids\":["
      + "[\"19079.55\",\"0.0195\"],[\"19079.07\",\"0.7341\"],[\"19076.23\",\"0.00011808\"],"
      + "[\"19073.9\",\"0.105\"],[\"19068.83\",\"0.1009\"]],\"asks\":["
      + "[\"19080.24\",\"0.1638\"],[\"19080.91\",\"0.1366\"],[\"19080.92\",\"0.01\"],"
      + "[\"19081.29\",\"0.01\"],[\"19083.8\",\"0.097\"]]}}";

  /** Gate's documented {@code spot.tickers} notification. */
  static final String SPOT_TICKERS = "{\"time\":1669107766,\"time_ms\":1669107766406,"
      + "\"channel\":\"spot.tickers\",\"event\":\"update\",\"result\":{"
      + "\"currency_pair\":\"BTC_USDT\",\"last\":\"19106.55\",\"lowest_ask\":\"19108.71\","
      + "\"highest_bid\":\"19106.55\",\"change_percentage\":\"3.66\","
      + "\"base_volume\":\"2811.3042155865\",\"quote_volume\":\"53441606.52411221454\","
      + "\"high_24h\":\"19417.74\",\"low_24h\":\"18434.21\"}}";

  static final String SUBSCRIBED = "{\"time\":1545404023,\"time_ms\":1545404023123,"
      + "\"channel\":\"%s\",\"event\":\"subscribe\",\"result\":{\"status\":\"success\"}}";

  @Test
  void spotReadsGatesDocumentedSnapshotAndTicker() {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"spot.order_book\"")) {
        conn.send(String.format(SUBSCRIBED, "spot.order_book"));
        conn.send(SPOT_ORDER_BOOK);
      } else if (text.contains("\"spot.tickers\"")) {
        conn.send(String.format(SUBSCRIBED, "spot.tickers"));
        conn.send(SPOT_TICKERS);
      }
    });
    MarketSource gate = opened(Venues.gate().baseUrl("http://127.0.0.1:19")
        .streamUrl(ws.uri().toString()).build());

    StreamProbe p = opened(StreamProbe.connect(gate.stream().orElseThrow(), 5, BTC))
        .await("the book and the ticker", q -> q.books(BTC).size() == 1
            && q.tickers(BTC).size() == 1, PATIENCE);

    BookSnapshot book = p.books(BTC).get(0);
    assertThat(book.bidLevels()).isEqualTo(5);
    assertThat(book.bidPrice(0)).isEqualTo(19079.55);
    assertThat(book.bidSize(1)).isEqualTo(0.7341);
    assertThat(book.bidPrice(4)).isEqualTo(19068.83);
    assertThat(book.askPrice(0)).isEqualTo(19080.24);
    assertThat(book.askSize(4)).isEqualTo(0.097);
    assertThat(book.exchangeTime().toEpochMilli()).isEqualTo(1606295412123L);
    TickerSnapshot t = p.tickers(BTC).get(0);
    assertThat(t.bid()).isEqualTo(19106.55);
    assertThat(t.ask()).isEqualTo(19108.71);
    assertThat(t.last()).isEqualTo(19106.55);
    assertThat(t.baseVolume24h()).isEqualTo(2811.3042155865);
    assertThat(t.quoteVolume24h()).isCloseTo(53441606.52411221454, within(1e-6));
    assertThat(t.change24h()).isCloseTo(0.0366, within(1e-12));
    assertThat(t.exchangeTime().toEpochMilli()).isEqualTo(1669107766406L);
    // received now, on the settings' clock: not the message's time (2022), which it once was
    assertThat(t.receivedAt()).isAfterOrEqualTo(before);
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
  }

  /** A {@code futures.order_book_update} notification as documented, for OMG_USDT. */
  private static String delta(long first, long last, String bids, String asks) {
    return "{\"time\":1684930167,\"time_ms\":1684930167123,\"channel\":"
        + "\"futures.order_book_update\",\"event\":\"update\",\"result\":{"
        + "\"t\":1684930167117,\"s\":\"OMG_USDT\",\"U\":" + first + ",\"u\":" + last
        + ",\"b\":" + bids + ",\"a\":" + asks + "}}";
  }

  @Test
  void futuresChainsGatesDocumentedDeltasOnTheRecordedBaseBook() {
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("\"futures.order_book_update\"")) {
        conn.send(String.format(SUBSCRIBED, "futures.order_book_update"));
        // already in the base book: dropped
        conn.send(delta(BASE_ID - 3, BASE_ID, "[{\"p\":\"0.5\",\"s\":1}]", "[]"));
        conn.send(delta(BASE_ID + 1, BASE_ID + 4,
            "[{\"p\":\"0.7703\",\"s\":0},{\"p\":\"0.7704\",\"s\":58}]",
            "[{\"p\":\"0.7711\",\"s\":0},{\"p\":\"0.771\",\"s\":95}]"));
      } else if (text.contains("\"futures.tickers\"")) {
        conn.send(String.format(SUBSCRIBED, "futures.tickers"));
        conn.send("{\"time\":1684930167,\"time_ms\":1684930167223,\"channel\":"
            + "\"futures.tickers\",\"event\":\"update\",\"result\":[{\"contract\":\"OMG_USDT\","
            + "\"last\":\"0.7707\",\"change_percentage\":\"1.25\",\"funding_rate\":\"0.0001\","
            + "\"funding_rate_indicative\":\"0.0001\",\"mark_price\":\"0.7706\","
            + "\"index_price\":\"0.7705\",\"total_size\":\"1840233\","
            + "\"volume_24h\":\"2911240\",\"volume_24h_btc\":\"0.08\","
            + "\"volume_24h_usd\":\"2243693\",\"quanto_base_rate\":\"\","
            + "\"volume_24h_quote\":\"2243693\",\"volume_24h_settle\":\"2243693\","
            + "\"volume_24h_base\":\"2911240\",\"low_24h\":\"0.7512\","
            + "\"high_24h\":\"0.7898\"}]}");
      } else if (text.contains("\"futures.book_ticker\"")) {
        conn.send(String.format(SUBSCRIBED, "futures.book_ticker"));
        conn.send("{\"time\":1684930167,\"time_ms\":1684930167323,\"channel\":"
            + "\"futures.book_ticker\",\"event\":\"update\",\"result\":{\"t\":1684930167317,"
            + "\"u\":" + (BASE_ID + 4) + ",\"s\":\"OMG_USDT\",\"b\":\"0.7704\",\"B\":58,"
            + "\"a\":\"0.771\",\"A\":95}}");
      }
    });
    WireSampleServer rest = opened(new WireSampleServer()
        .get("/api/v4/futures/usdt/contracts", "gate-futures/contracts.json")
        .get("/api/v4/futures/usdt/order_book", "with_id=true",
            "gate-futures/order_book-OMG_USDT.json"));
    MarketSource gate = opened(Venues.gateFutures().baseUrl(rest.baseUrl())
        .streamUrl(ws.uri().toString()).build());

    StreamProbe p = opened(StreamProbe.connect(gate.stream().orElseThrow(), 5, OMG))
        .await("the delta applied and a ticker", q -> q.books(OMG).stream()
            .anyMatch(b -> b.bestBid() == 0.7704) && !q.tickers(OMG).isEmpty(), PATIENCE);

    BookSnapshot book = p.books(OMG).get(p.books(OMG).size() - 1);
    assertThat(book.contractSize()).isEqualTo(1.0);
    assertThat(book.bidPrice(0)).isEqualTo(0.7704);
    assertThat(book.bidSize(0)).isEqualTo(58);
    assertThat(book.bidPrice(1)).isEqualTo(0.7699);
    assertThat(book.bidSize(1)).isEqualTo(619);
    assertThat(book.askPrice(0)).isEqualTo(0.771);
    assertThat(book.askSize(0)).isEqualTo(95);
    assertThat(book.askPrice(1)).isEqualTo(0.7712);
    assertThat(book.askSize(1)).isEqualTo(229);
    assertThat(book.exchangeTime().toEpochMilli()).isEqualTo(1684930167117L);
    TickerSnapshot t = p.tickers(OMG).get(p.tickers(OMG).size() - 1);
    assertThat(t.bid()).isEqualTo(0.7704);
    assertThat(t.ask()).isEqualTo(0.771);
    assertThat(t.last()).isEqualTo(0.7707);
    assertThat(t.baseVolume24h()).isEqualTo(2911240);
    assertThat(t.quoteVolume24h()).isEqualTo(2243693);
    assertThat(t.change24h()).isCloseTo(0.0125, within(1e-12));
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
  }
}
