package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.Threads;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Bitstamp's push stream on real sockets: against the simulator's WebSocket and REST sides
 * (channels, books equal to the simulator's, tickers made of the streamed book, trades and the
 * REST ticker, faults, resyncs), against a scripted server for the wire details (fixtures written
 * from Bitstamp's WebSocket v2 documentation), and under the engine for
 * {@code bts:request_reconnect}.
 */
class BitstampStreamTest extends WholeBookStreamContract {

  private static final Instrument BTC = SimulatedVenue.BITSTAMP.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.BITSTAMP.instrument("ETH");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEARTBEAT = "{\"event\":\"bts:heartbeat\"}";

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BITSTAMP;
  }

  @Override
  MarketStream stream(VenueSimulator sim) {
    return closing(Venues.bitstamp().baseUrl(sim.start()).streamUrl(sim.websocketUrl()).build())
        .stream().orElseThrow();
  }

  @Override
  String heartbeatAnswer() {
    return HEARTBEAT;
  }

  @Override
  List<String> btcResubscribed() {
    return List.of(frame("bts:unsubscribe", "order_book_btcusd"),
        frame("bts:unsubscribe", "live_trades_btcusd"),
        frame("bts:subscribe", "order_book_btcusd"), frame("bts:subscribe", "live_trades_btcusd"));
  }

  private static String frame(String event, String channel) {
    return "{\"event\":\"" + event + "\",\"data\":{\"channel\":\"" + channel + "\"}}";
  }

  @Test
  void subscribesBooksAndTradesKeepsBooksEqualToTheVenuesAndMakesTickersOfThem() {
    VenueSimulator sim = sim();
    StreamProbe probe = closing(StreamProbe.connect(stream(sim), 10, BTC, ETH));

    probe.await("books and tickers of both", p -> p.books(BTC).size() >= 10
        && p.books(ETH).size() >= 10 && p.tickers(BTC).size() >= 5
        && p.tickers(ETH).size() >= 5, PATIENCE);
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    assertThat(received(sim)).containsExactly(frame("bts:subscribe", "order_book_btcusd"),
        frame("bts:subscribe", "live_trades_btcusd"), frame("bts:subscribe", "order_book_ethusd"),
        frame("bts:subscribe", "live_trades_ethusd"));
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(BTC)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo("bitstamp");
      assertThat(b.bidLevels()).isEqualTo(10);
      assertThat(b.askLevels()).isEqualTo(10);
    });
    probe.awaitInSync(sim, BTC, 10);
    probe.awaitInSync(sim, ETH, 10);

    // bid and ask: the streamed book's best; last: a streamed trade, at the best bid or ask;
    // 24 h figures: the REST ticker's, fetched once per instrument for the connection
    TickerSnapshot t = SimulatedStreams.assertLastTickerIsTheBooks(probe, BTC);
    assertThat(t.quoteVolume24h()).isPositive();
    assertThat(sim.requestLog()).extracting(ServedRequest::path)
        .containsExactlyInAnyOrder("/api/v2/ticker/btcusd/", "/api/v2/ticker/ethusd/");
    assertThat(probe.error()).isNull();
  }

  @Test
  void readsBitstampsMessagesAndRejectsWhatIsWrong() {
    VenueSimulator rest = sim(); // answers the REST ticker the stream's tickers take 24 h from
    ScriptedWsServer ws = closing(new ScriptedWsServer());
    ws.onMessage((conn, m) -> {
      if (!m.equals(frame("bts:subscribe", "live_trades_btcusd"))) {
        return;
      }
      conn.send("{\"event\":\"bts:subscription_succeeded\",\"channel\":\"order_book_btcusd\","
          + "\"data\":{}}");
      conn.send(book("btcusd", "1700000000123456", "[[\"64000.00\",\"1.5\"],[\"63999.00\","
          + "\"0.25\"]]", "[[\"64002.50\",\"0.1\"],[\"64001.00\",\"2.0\"]]")); // asks worst first
      conn.send(trade("btcusd", "64001.00", "1700000000200000"));
      conn.send(book("btcusd", "1700000000300000", "[[\"64010.00\",\"1\"]]",
          "[[\"64001.00\",\"1\"]]")); // crossed
      conn.send(book("btcusd", "1700000000350000", "[[\"64000.00\",\"x\"]]",
          "[[\"64001.00\",\"1\"]]")); // unreadable size
      conn.send(trade("btcusd", "-1", "1700000000400000"));
      conn.send(book("dogeusd", "1700000000500000", "[]", "[]"));
      conn.send("{\"event\":\"bts:error\",\"channel\":\"\",\"data\":{\"code\":null,"
          + "\"message\":\"Bad subscription string.\"}}");
      conn.send("<html>502</html>");
      conn.send("{\"event\":\"bts:heartbeat\",\"channel\":\"\",\"data\":{\"status\":\"success\"}}");
      conn.send(book("btcusd", "1700000000600000", "[[\"64000.50\",\"3\"]]",
          "[[\"64001.00\",\"1\"]]"));
    });
    MarketStream stream = closing(Venues.bitstamp().baseUrl(rest.start())
        .streamUrl(ws.uri().toString()).build()).stream().orElseThrow();
    StreamProbe probe = closing(StreamProbe.connect(stream,
        new StreamRequest(List.of(BTC, Instrument.perpetual("BTC", "USD")), 20, true, true),
        StreamContext.direct()));

    probe.await("the last book and a ticker", p -> p.books(BTC).size() == 2
        && !p.tickers(BTC).isEmpty() && last(p.tickers(BTC)).bid()
        == 64000.5, PATIENCE);

    assertThat(ws.received()).containsExactly(frame("bts:subscribe", "order_book_btcusd"),
        frame("bts:subscribe", "live_trades_btcusd"));
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .satisfiesExactly(
            d -> assertThat(d).contains("BTC/USD:perp", "spot pairs only"),
            d -> assertThat(d).contains("trade of BTC/USD", "'-1'"),
            d -> assertThat(d).contains("order_book_dogeusd", "did not subscribe"),
            d -> assertThat(d).isEqualTo("Bitstamp refused a request: Bad subscription string."),
            d -> assertThat(d).startsWith("malformed JSON: <html>"));
    assertThat(probe.events(StreamEvent.Resync.class)).satisfiesExactly(
        r -> assertThat(r.detail()).contains("crossed book"),
        r -> assertThat(r.detail()).contains("bid size is not a number: x"));
    assertThat(probe.events(StreamEvent.Resync.class)).allSatisfy(r -> {
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
    });
    BookSnapshot first = probe.books(BTC).get(0);
    assertThat(first).isEqualTo(BookSnapshot.builder("bitstamp", BTC)
        .bid(64000.0, 1.5).bid(63999.0, 0.25).ask(64001.0, 2.0).ask(64002.5, 0.1)
        .exchangeTime(Instant.ofEpochMilli(1700000000123L)).receivedAt(first.receivedAt())
        .build());
    assertThat(probe.books(BTC).get(1).bestBid()).isEqualTo(64000.5);
    // the REST ticker may come before or after the frames: once it came, every book and trade
    // makes a ticker of the latest top of book and trade
    assertThat(probe.tickers(BTC)).allSatisfy(t -> {
      assertThat(t.bid()).isIn(64000.0, 64000.5);
      assertThat(t.ask()).isEqualTo(64001.0);
      assertThat(t.baseVolume24h()).isPositive();
    });
    TickerSnapshot last = last(probe.tickers(BTC));
    assertThat(last.last()).isEqualTo(64001.0); // the trade's
    assertThat(last.quoteVolume24h()).isPositive();
    assertThat(probe.error()).isNull();
  }

  @Test
  void aReconnectionRequestEndsTheConnection() {
    ScriptedWsServer ws = closing(new ScriptedWsServer());
    ws.onMessage((conn, m) -> conn.send(
        "{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":\"\"}"));
    MarketStream stream = closing(Venues.bitstamp().baseUrl("http://127.0.0.1:19")
        .streamUrl(ws.uri().toString()).build()).stream().orElseThrow();
    StreamProbe probe = closing(StreamProbe.connect(stream,
        new StreamRequest(List.of(BTC), 20, true, false), StreamContext.direct()));

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining("bts:request_reconnect");
    assertThat(probe.events()).singleElement().isInstanceOf(StreamEvent.Connected.class);
  }

  @Test
  void theScannerCountsAReconnectionRequestAndReconnects() {
    VenueSimulator rest = sim();
    AtomicInteger connections = new AtomicInteger();
    ScriptedWsServer ws = closing(new ScriptedWsServer());
    ws.onMessage((conn, m) -> {
      if (!m.contains("bts:subscribe") || !m.contains("order_book_")) {
        return;
      }
      if (connections.incrementAndGet() == 1) {
        conn.send("{\"event\":\"bts:request_reconnect\",\"channel\":\"\",\"data\":\"\"}");
      }
    });
    TransitionLog transitions = new TransitionLog();
    Scanner scanner = closing(Scanner.builder().interval(Duration.ofMillis(100))
        .venue(Venues.bitstamp().baseUrl(rest.start()).streamUrl(ws.uri().toString()).build(),
            VenueOptions.custom().instruments(List.of(BTC)).stream(true)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .listener(transitions)
        .build());
    scanner.start();

    Scan counted = scanner.scans().filter(s -> s.report().venues().get("bitstamp").stream()
        .disconnects() > 0).blockFirst(PATIENCE);
    assertThat(counted).isNotNull();
    Threads.await(() -> connections.get() >= 2, PATIENCE, () -> "a second connection");
    Threads.await(() -> transitions.stream()
        .filter(t -> t.type() == StreamTransition.Type.CONNECTED).count() >= 2, PATIENCE,
        () -> "connected again: " + transitions);
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.DISCONNECTED)
        .first().extracting(StreamTransition::detail).asString()
        .contains("bts:request_reconnect");
  }

  private static String book(String pair, String micros, String bids, String asks) {
    return "{\"data\":{\"timestamp\":\"" + micros.substring(0, 10) + "\",\"microtimestamp\":\""
        + micros + "\",\"bids\":" + bids + ",\"asks\":" + asks + "},\"channel\":\"order_book_"
        + pair + "\",\"event\":\"data\"}";
  }

  private static String trade(String pair, String price, String micros) {
    return "{\"data\":{\"id\":301234567,\"timestamp\":\"" + micros.substring(0, 10)
        + "\",\"amount\":0.05,\"amount_str\":\"0.05000000\",\"price\":" + price
        + ",\"price_str\":\"" + price + "\",\"type\":0,\"microtimestamp\":\"" + micros
        + "\",\"buy_order_id\":1700000000000001,\"sell_order_id\":1700000000000002},"
        + "\"channel\":\"live_trades_" + pair + "\",\"event\":\"trade\"}";
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last element of a list read once (a probe's lists grow while a test reads them). */
  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
