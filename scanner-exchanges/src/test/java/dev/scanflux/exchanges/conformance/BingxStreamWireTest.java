package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * BingX's spot WebSocket stream on BingX's own data. No recording of BingX's WebSocket exists in
 * the samples, so the messages are BingX's documented push envelope
 * ({@code {"code":0,"timestamp":…,"dataType":"BTC-USDT@depth20","data":…}}, GZIP-compressed in
 * binary frames as BingX sends every message) around the data of BingX's documented REST
 * examples, whose values look captured live ({@code bingx/market-depth.json}, asks worst first,
 * and {@code bingx/ticker-24hr.json}, prices as JSON numbers, its fields renamed to the push
 * ticker's one-letter keys).
 */
class BingxStreamWireTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
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

  private static JsonNode sample(String name) throws IOException {
    return JSON.readTree(WireSampleServer.sample(name));
  }

  private static String push(String dataType, long timestamp, JsonNode data) {
    ObjectNode o = JSON.createObjectNode().put("code", 0).put("timestamp", timestamp)
        .put("dataType", dataType);
    o.set("data", data);
    return o.toString();
  }

  /** The REST 24 h ticker's fields under the push ticker's keys. */
  private static JsonNode pushTicker(JsonNode t) {
    ObjectNode d = JSON.createObjectNode().put("e", "24hTicker");
    d.set("E", t.path("closeTime"));
    d.set("s", t.path("symbol"));
    String[][] keys = {{"p", "priceChange"}, {"P", "priceChangePercent"}, {"o", "openPrice"},
        {"h", "highPrice"}, {"l", "lowPrice"}, {"c", "lastPrice"}, {"v", "volume"},
        {"q", "quoteVolume"}, {"O", "openTime"}, {"C", "closeTime"}, {"A", "askPrice"},
        {"a", "askQty"}, {"B", "bidPrice"}, {"b", "bidQty"}};
    for (String[] k : keys) {
      d.set(k[0], t.path(k[1]));
    }
    return d;
  }

  @Test
  void readsTheDocumentedDepthAndTickerAsBingxPushesThem() throws IOException {
    JsonNode depth = sample("bingx/market-depth.json");
    JsonNode ticker = sample("bingx/ticker-24hr.json").path("data").path(0);
    String book = push("BTC-USDT@depth5", depth.path("timestamp").asLong(), depth.path("data"));
    String tick = push("BTC-USDT@ticker", ticker.path("closeTime").asLong(), pushTicker(ticker));
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (text.contains("BTC-USDT@depth5")) {
        gzip(conn, "{\"id\":\"1\",\"code\":0,\"msg\":\"\",\"dataType\":\"\",\"data\":null}");
        gzip(conn, book);
      } else if (text.contains("BTC-USDT@ticker")) {
        gzip(conn, tick);
      }
    });
    StreamProbe p = opened(StreamProbe.connect(opened(Venues.bingx()
            .baseUrl("http://127.0.0.1:19").streamUrl(ws.uri().toString()).build()).stream()
            .orElseThrow(),
        new StreamRequest(List.of(BTC), 5, true, true), StreamContext.direct()));

    p.await("the book and the ticker", q -> !q.books(BTC).isEmpty()
        && !q.tickers(BTC).isEmpty(), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    BookSnapshot b = p.books(BTC).get(0);
    // asks sent worst first (42183.23 ... 42183.17): read best first
    WireConformance.assertBook(b, BTC, 42182.22, 0.99114, 42183.17, 4.14752, 5, 5);
    assertThat(b.askPrice(4)).isEqualTo(42183.23);
    assertThat(b.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1702720487674L));
    // received now, on the stream's clock: not the venue's time, which it once was too
    assertThat(b.receivedAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    TickerSnapshot t = p.tickers(BTC).get(0);
    WireConformance.assertTicker(t, BTC, 42214.65, 42215.55, 42215.15);
    assertThat(t.baseVolume24h()).isEqualTo(5099.21);
    assertThat(t.quoteVolume24h()).isEqualTo(214948771.34);
    assertThat(t.change24h()).isCloseTo(0.0291, within(1e-12));
    assertThat(t.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1702720823624L));
  }

  private static void gzip(WebSocket conn, String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    conn.send(out.toByteArray());
  }
}
