package dev.scanflux.exchanges.venue.kraken.internal;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.LocalBook;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * {@link KrakenStream} against a scripted Kraken v2 server, for what the simulator never sends,
 * and its checksum, depth and backoff rules on their own.
 */
class KrakenStreamScriptedTest {

  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
  private static final Instrument BTC = Instrument.spot("BTC", "USD");
  /** Kraken's documented v2 snapshot (book checksum guide): its checksum is 3310070434. */
  private static final String DOCS_BIDS = "[{\"price\":45283.5,\"qty\":0.10000000},"
      + "{\"price\":45283.4,\"qty\":1.54582015},{\"price\":45282.1,\"qty\":0.10000000},"
      + "{\"price\":45281.0,\"qty\":0.10000000},{\"price\":45280.3,\"qty\":1.54592586},"
      + "{\"price\":45279.0,\"qty\":0.07990000},{\"price\":45277.6,\"qty\":0.03310103},"
      + "{\"price\":45277.5,\"qty\":0.30000000},{\"price\":45277.3,\"qty\":1.54602737},"
      + "{\"price\":45276.6,\"qty\":0.15445238}]";
  private static final String DOCS_ASKS = "[{\"price\":45285.2,\"qty\":0.00100000},"
      + "{\"price\":45286.4,\"qty\":1.54571953},{\"price\":45286.6,\"qty\":1.54571109},"
      + "{\"price\":45289.6,\"qty\":1.54560911},{\"price\":45290.2,\"qty\":0.15890660},"
      + "{\"price\":45291.8,\"qty\":1.54553491},{\"price\":45294.7,\"qty\":0.04454749},"
      + "{\"price\":45296.1,\"qty\":0.35380000},{\"price\":45297.5,\"qty\":0.09945542},"
      + "{\"price\":45299.5,\"qty\":0.18772827}]";

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  private KrakenStream stream(ScriptedWsServer server, Duration pingEvery) {
    KrakenStream s = new KrakenStream(new SourceSettings("kraken", "http://127.0.0.1:11",
        KrakenVenues.LIMIT, 1, Duration.ofSeconds(5), Schedulers.parallel(),
        server.uri().toString()), pingEvery);
    open.add(s);
    return s;
  }

  private ScriptedWsServer server(BiConsumer<WebSocket, JsonNode> script) {
    ScriptedWsServer s = new ScriptedWsServer().onMessage((ws, m) -> script.accept(ws, json(m)));
    open.add(s);
    return s;
  }

  private StreamProbe connect(KrakenStream stream, boolean tickers) {
    StreamProbe p = StreamProbe.connect(stream, new StreamRequest(List.of(BTC), 10, true,
        tickers), StreamContext.direct());
    open.add(p);
    return p;
  }

  @Test
  void theChecksumOfKrakensDocumentedSnapshotIsTheDocumentedOne() {
    LocalBook book = new LocalBook();
    for (JsonNode l : json(DOCS_BIDS)) {
      book.bid(KrakenStream.decimalText(l.get("price"), "price"),
          KrakenStream.decimalText(l.get("qty"), "qty"));
    }
    for (JsonNode l : json(DOCS_ASKS)) {
      book.ask(KrakenStream.decimalText(l.get("price"), "price"),
          KrakenStream.decimalText(l.get("qty"), "qty"));
    }

    assertThat(book.bidSizeText(0)).isEqualTo("0.10000000"); // trailing zeros kept
    assertThat(book.bidPriceText(3)).isEqualTo("45281.0");
    assertThat(KrakenStream.checksum(book)).isEqualTo(3310070434L);
    book.ask("45285.2", "0.001"); // the same quantity, written shorter: another checksum
    assertThat(KrakenStream.checksum(book)).isNotEqualTo(3310070434L);
  }

  @Test
  void booksAreSubscribedAtTheSmallestKrakenDepthCoveringTheRequest() {
    assertThat(KrakenStream.krakenDepth(1)).isEqualTo(10);
    assertThat(KrakenStream.krakenDepth(10)).isEqualTo(10);
    assertThat(KrakenStream.krakenDepth(11)).isEqualTo(25);
    assertThat(KrakenStream.krakenDepth(400)).isEqualTo(500);
    assertThat(KrakenStream.krakenDepth(5000)).isEqualTo(1000);
    assertThat(KrakenStream.symbol(Instrument.spot("DOGE", "EUR"))).isEqualTo("DOGE/EUR");
  }

  @Test
  void aBookCrossedByAnUpdateIsABadDataResyncAndTheBookIsSubscribedAgain() {
    // The update's checksum is the crossed book's own: only the crossing is wrong.
    LocalBook crossed = new LocalBook();
    crossed.bid("101.0", "1.0");
    crossed.bid("100.0", "1.0");
    crossed.bid("99.0", "2.0");
    crossed.ask("101.0", "1.0");
    crossed.ask("102.0", "2.0");
    List<String> books = new ArrayList<>();
    ScriptedWsServer server = server((ws, m) -> {
      if (!m.path("method").asText().equals("subscribe")) {
        return;
      }
      ws.send(book("snapshot", "[{\"price\":100.0,\"qty\":1.0},{\"price\":99.0,\"qty\":2.0}]",
          "[{\"price\":101.0,\"qty\":1.0},{\"price\":102.0,\"qty\":2.0}]", 0, true));
      if (books.isEmpty()) {
        ws.send("{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
            + "\"bids\":[{\"price\":101.0,\"qty\":1.0}],\"asks\":[],\"checksum\":"
            + KrakenStream.checksum(crossed) + "}]}");
      }
      books.add(m.toString());
    });

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20)), false)
        .await("a book after the resubscription", q -> q.books(BTC).size() >= 2, PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
      assertThat(r.detail()).contains("crossed after a update");
    });
    assertThat(p.books(BTC)).allSatisfy(b -> assertThat(b.bestBid()).isEqualTo(100.0));
    assertThat(server.received()).extracting(f -> json(f).path("method").asText() + ' '
            + json(f).path("params").path("symbol"))
        .startsWith("subscribe [\"BTC/USD\"]", "unsubscribe [\"BTC/USD\"]",
            "subscribe [\"BTC/USD\"]");
  }

  /** A snapshot with the checksum of its levels, computed here, or a wrong one. */
  private static String book(String type, String bids, String asks, long wrong, boolean right) {
    LocalBook b = new LocalBook();
    for (JsonNode l : json(bids)) {
      b.bid(KrakenStream.decimalText(l.get("price"), "p"), KrakenStream.decimalText(l.get("qty"),
          "q"));
    }
    for (JsonNode l : json(asks)) {
      b.ask(KrakenStream.decimalText(l.get("price"), "p"), KrakenStream.decimalText(l.get("qty"),
          "q"));
    }
    return "{\"channel\":\"book\",\"type\":\"" + type + "\",\"data\":[{\"symbol\":\"BTC/USD\","
        + "\"bids\":" + bids + ",\"asks\":" + asks + ",\"checksum\":"
        + (right ? KrakenStream.checksum(b) : wrong) + ",\"timestamp\":"
        + "\"2026-12-06T05:00:00.000001Z\"}]}";
  }

  @Test
  void answersHeartbeatsAndStatusAreSwallowedWhatIsNotForUsIsRejected() {
    ScriptedWsServer server = server((ws, m) -> {
      if (!m.path("params").path("channel").asText().equals("book")) {
        return;
      }
      ws.send("{\"channel\":\"status\",\"type\":\"update\",\"data\":[{\"system\":\"online\"}]}");
      ws.send("{\"method\":\"subscribe\",\"result\":{\"channel\":\"book\",\"depth\":10,"
          + "\"snapshot\":true,\"symbol\":\"BTC/USD\"},\"success\":true,\"req_id\":1}");
      ws.send("{\"channel\":\"heartbeat\"}");
      ws.send("{\"error\":\"Currency pair not supported FOO/USD\",\"method\":\"subscribe\","
          + "\"success\":false,\"symbol\":\"FOO/USD\",\"req_id\":2}");
      ws.send(book("snapshot", DOCS_BIDS, DOCS_ASKS, 0, true).replace("BTC/USD", "ETH/USD"));
      ws.send("<html>");
      ws.send("{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
          + "\"bid\":1.0}]}");
      ws.send(book("snapshot", DOCS_BIDS, DOCS_ASKS, 0, true));
    });

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20)), true)
        .await("a book", q -> !q.books(BTC).isEmpty(), PATIENCE);

    assertThat(p.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactly("Kraken refused subscribe of FOO/USD: Currency pair not supported "
                + "FOO/USD",
            "a book message for 'ETH/USD', not subscribed here", "not JSON: <html>",
            "ticker BTC/USD: missing ask");
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.error()).isNull();
  }

  @Test
  void updatesWithoutASnapshotAreDroppedThenTakenAsALostSnapshot() {
    String update = "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
        + "\"bids\":[{\"price\":100.0,\"qty\":1.0}],\"asks\":[],\"checksum\":1}]}";
    ScriptedWsServer server = server((ws, m) -> {
      if (m.path("method").asText().equals("subscribe")) {
        for (int k = 0; k <= KrakenStream.MAX_UNSYNCED; k++) {
          ws.send(update);
        }
      }
    });

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20)), false)
        .await(StreamEvent.Resync.class, 1, PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class).get(0).cause())
        .isEqualTo(ResyncCause.SEQUENCE_GAP);
    assertThat(p.books(BTC)).isEmpty();
  }

  @Test
  void aMessageRateErrorEndsTheConnectionAsThrottled() {
    ScriptedWsServer server = server((ws, m) -> ws.send("{\"error\":\"Exceeded msg rate\","
        + "\"method\":\"subscribe\",\"success\":false,\"symbol\":\"BTC/USD\"}"));

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20)), false)
        .awaitError(PATIENCE);

    assertThat(p.error()).isInstanceOf(ThrottledException.class)
        .hasMessageContaining("Exceeded msg rate");
  }

  @Test
  void theHeartbeatPingIsSentAndItsPongSwallowed() {
    ScriptedWsServer server = server((ws, m) -> {
      if (m.path("method").asText().equals("ping")) {
        ws.send("{\"method\":\"pong\",\"time_in\":\"2026-12-06T05:00:00.000001Z\","
            + "\"time_out\":\"2026-12-06T05:00:00.000002Z\"}");
      }
    });

    StreamProbe p = connect(stream(server, Duration.ofMillis(50)), false)
        .await("two pings", q -> server.received().stream()
            .filter(f -> f.equals("{\"method\":\"ping\"}")).count() >= 2, PATIENCE);

    assertThat(p.events()).containsExactly(StreamEvent.connected());
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
