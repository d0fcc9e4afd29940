package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bitstamp's WebSocket v2 stream on Bitstamp's own data. No recording of Bitstamp's WebSocket
 * exists in the samples, so the messages are Bitstamp's documented envelopes
 * ({@code {"data":…,"channel":"order_book_ethusd","event":"data"}}, {@code "event":"trade"})
 * around real data: the {@code order_book} data is the live 2022 REST book
 * ({@code bitstamp/order_book-ethusd.json}: the channel sends the same fields, cut to its top 100
 * levels), the 24 h figures the live 2024 REST ticker ({@code bitstamp/ticker.json}), and the
 * trade has the fields Bitstamp's documentation lists for {@code live_trades}.
 */
class BitstampStreamWireTest {

  private static final Instrument ETH_USD = Instrument.spot("ETH", "USD");
  private static final Instrument BTC_USDT = Instrument.spot("BTC", "USDT");
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** The recorded REST book as the {@code order_book} channel sends it: top 100 per side. */
  private static String recordedBookMessage() throws IOException {
    JsonNode rest = JSON.readTree(WireSampleServer.sample("bitstamp/order_book-ethusd.json"));
    ObjectNode data = JSON.createObjectNode()
        .put("timestamp", rest.path("timestamp").asText())
        .put("microtimestamp", rest.path("microtimestamp").asText());
    for (String side : List.of("bids", "asks")) {
      ArrayNode levels = data.putArray(side);
      for (int k = 0; k < 100; k++) {
        levels.add(rest.path(side).path(k));
      }
    }
    ObjectNode message = JSON.createObjectNode();
    message.set("data", data);
    return message.put("channel", "order_book_ethusd").put("event", "data").toString();
  }

  @Test
  void readsTheRecordedBookAndMakesTickersOfTheRecordedRestTicker() throws IOException {
    String book = recordedBookMessage();
    WireSampleServer rest = opened(new WireSampleServer())
        .get("/api/v2/ticker/btcusdt/", "bitstamp/ticker.json");
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("order_book_ethusd")) {
        conn.send("{\"event\":\"bts:subscription_succeeded\",\"channel\":\"order_book_ethusd\","
            + "\"data\":{}}");
        conn.send(book);
      } else if (text.contains("live_trades_btcusdt")) {
        // a top of book around the recorded ticker's bid and ask (a fixture), then a trade
        conn.send("{\"data\":{\"timestamp\":\"1710328242\",\"microtimestamp\":"
            + "\"1710328242000001\",\"bids\":[[\"73353\",\"0.5\"]],\"asks\":[[\"73367\","
            + "\"0.25\"]]},\"channel\":\"order_book_btcusdt\",\"event\":\"data\"}");
        conn.send("{\"data\":{\"id\":324571836,\"timestamp\":\"1710328243\",\"amount\":0.0012,"
            + "\"amount_str\":\"0.00120000\",\"price\":73360,\"price_str\":\"73360\",\"type\":1,"
            + "\"microtimestamp\":\"1710328243123000\",\"buy_order_id\":1725917238280192,"
            + "\"sell_order_id\":1725917241769984},\"channel\":\"live_trades_btcusdt\","
            + "\"event\":\"trade\"}");
      }
    });
    StreamProbe p = opened(StreamProbe.connect(opened(Venues.bitstamp().baseUrl(rest.baseUrl())
            .streamUrl(ws.uri().toString()).build()).stream().orElseThrow(),
        new StreamRequest(List.of(ETH_USD, BTC_USDT), 100, true, true), StreamContext.direct()));

    p.await("the recorded book, a ticker after the trade and both REST tickers asked for",
        q -> !q.books(ETH_USD).isEmpty() && rest.seen().size() >= 2
            && q.tickers(BTC_USDT).stream().anyMatch(t -> t.last() == 73360.0), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    BookSnapshot b = p.books(ETH_USD).get(0);
    WireConformance.assertBook(b, ETH_USD, 3802.90, 0.6, 3805.47, 8.26964788, 100, 100);
    assertThat(b.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1641343695681L));
    // received now, on the stream's clock: not the venue's time, which it once was too
    assertThat(b.receivedAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    TickerSnapshot t = last(p.tickers(BTC_USDT));
    WireConformance.assertTicker(t, BTC_USDT, 73353.0, 73367.0, 73360.0);
    assertThat(t.baseVolume24h()).isEqualTo(135.29692054);
    assertThat(t.quoteVolume24h()).isCloseTo(135.29692054 * 70853, within(1e-6));
    assertThat(t.change24h()).isCloseTo((73360.0 - 71448) / 71448, within(1e-12));
    assertThat(t.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1710328243123L));
    // ETH/USD's REST ticker has no sample here (404): without its 24 h figures it has no
    // streamed ticker (the scanner polls it), while its books stream
    assertThat(rest.seen()).extracting(WireSampleServer.Seen::path)
        .containsExactlyInAnyOrder("/api/v2/ticker/ethusd/", "/api/v2/ticker/btcusdt/");
    assertThat(p.tickers(ETH_USD)).isEmpty();
  }

  /** The last element of a list read once (a probe's lists grow while a test reads them). */
  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
