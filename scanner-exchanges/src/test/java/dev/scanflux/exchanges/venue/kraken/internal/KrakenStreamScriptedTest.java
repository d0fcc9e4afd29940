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
import dev.scanflux.exchanges.internal.stream.SnapshotWait;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@link KrakenStream} against a scripted Kraken v2 server, for what the simulator never sends
 * (orders of messages around a resubscription: a reader lagging far behind, a snapshot lost
 * after Kraken answered, one during the backoff), and its checksum, depth and backoff rules on
 * their own. The answers' shape is Kraken's documented v2 one (book channel page).
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
    return stream(server, pingEvery, Schedulers.parallel());
  }

  /** With {@code clock} timing the resync backoff. */
  private KrakenStream stream(ScriptedWsServer server, Duration pingEvery, Scheduler clock) {
    KrakenStream s = new KrakenStream(new SourceSettings("kraken", "http://127.0.0.1:11",
        KrakenVenues.LIMIT, 1, Duration.ofSeconds(5), clock, server.uri().toString()),
        pingEvery);
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

  /** On the connection's first subscription there is no old one: any update first is a loss. */
  @Test
  void anUpdateBeforeTheFirstSnapshotIsALostSnapshotAtOnce() {
    AtomicInteger subscribes = new AtomicInteger();
    ScriptedWsServer server = server((ws, m) -> {
      if (!m.path("method").asText().equals("subscribe")) {
        return;
      }
      if (subscribes.incrementAndGet() == 1) {
        // Neither the answer nor the snapshot: as after a stretch where Kraken sent nothing.
        ws.send(stale());
      } else {
        ws.send(answer("subscribe"));
        ws.send(snapshot("100.0"));
      }
    });

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20)), false)
        .await("a book", q -> !q.books(BTC).isEmpty(), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP);
      assertThat(r.detail()).isEqualTo("an update before the snapshot of the subscription:"
          + " the snapshot was lost");
    });
    assertThat(p.books(BTC)).extracting(b -> b.bidPrice(0)).containsExactly(100.0);
  }

  /**
   * A server that answers the first book subscription, sends the snapshot of bid 100.0, then an
   * update its checksum shows lost (a resync, resubscribing at once); answers each
   * unsubscription, the first after {@code oldUpdates} updates of the old subscription (what a
   * lagging reader finds queued); answers the second subscription, then sends {@code second},
   * and any later one, then sends {@code later}.
   */
  private ScriptedWsServer resubscribing(int oldUpdates, List<String> second,
      List<String> later) {
    AtomicInteger subscribes = new AtomicInteger();
    return server((ws, m) -> {
      String method = m.path("method").asText();
      if (method.equals("unsubscribe")) {
        for (int k = 0; subscribes.get() == 1 && k < oldUpdates; k++) {
          ws.send(stale());
        }
        ws.send(answer("unsubscribe"));
      } else if (method.equals("subscribe")) {
        int n = subscribes.incrementAndGet();
        ws.send(answer("subscribe"));
        (n == 1 ? List.of(snapshot("100.0"), stale()) : n == 2 ? second : later)
            .forEach(ws::send);
      }
    });
  }

  /**
   * The reader is so far behind that many more updates of the old subscription than the 50 the
   * stream once allowed come after a resubscription was sent: they are dropped, and the book is
   * rebuilt from the snapshot after Kraken's answers, without a second resync. Before, the 51st
   * of them was taken for a lost snapshot, and the snapshot that then came, during the backoff,
   * dropped.
   */
  @Test
  void updatesOfTheOldSubscriptionBeforeKrakensAnswerAreDroppedHoweverMany() {
    ScriptedWsServer server = resubscribing(SnapshotWait.MAX_UNANSWERED / 5,
        List.of(snapshot("110.0"), update("110.0", "111.0")), List.of());

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20), VirtualTimeScheduler.create()),
        false).await("a book from the new snapshot", q -> q.books(BTC).stream()
            .anyMatch(b -> b.bidPrice(0) == 111), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).singleElement().satisfies(r ->
        assertThat(r.cause()).isEqualTo(ResyncCause.CHECKSUM_MISMATCH));
    assertThat(p.books(BTC)).extracting(b -> b.bidPrice(0)).containsExactly(100.0, 110.0, 111.0);
    assertThat(p.error()).isNull();
  }

  /** After Kraken answered the resubscription, the next book message must be its snapshot. */
  @Test
  void anUpdateAfterKrakenAnsweredTheResubscriptionMeansTheSnapshotWasLost() {
    // One old update before the answers: dropped; one after them: the snapshot was lost.
    ScriptedWsServer server = resubscribing(1, List.of(update("100.0", "101.0")),
        List.of(snapshot("120.0")));
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();

    StreamProbe p = connect(stream(server, Duration.ofSeconds(20), clock), false)
        .await(StreamEvent.Resync.class, 2, PATIENCE);
    clock.advanceTimeBy(Duration.ofSeconds(1)); // the second resync's backoff
    p.await("a book from the third snapshot", q -> q.books(BTC).stream()
        .anyMatch(b -> b.bidPrice(0) == 120), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).extracting(StreamEvent.Resync::cause)
        .containsExactly(ResyncCause.CHECKSUM_MISMATCH, ResyncCause.SEQUENCE_GAP);
    assertThat(p.events(StreamEvent.Resync.class).get(1).detail())
        .isEqualTo("an update before the snapshot of the resubscription, which Kraken answered:"
            + " the snapshot was lost");
    assertThat(p.books(BTC)).extracting(b -> b.bidPrice(0)).containsExactly(100.0, 120.0);
  }

  /**
   * The reader lags so far that more updates than the fallback's count come before Kraken's
   * answers: the book is resynced, and its resubscription waits for the backoff. The snapshot
   * that comes meanwhile is taken, and the waiting resubscription is not sent when its time
   * comes. Before, a snapshot arriving during the backoff was dropped.
   */
  @Test
  void aSnapshotArrivingWhileTheResubscriptionWaitsForItsBackoffIsTaken() {
    ScriptedWsServer server = resubscribing(SnapshotWait.MAX_UNANSWERED + 1,
        List.of(snapshot("110.0"), update("110.0", "111.0")), List.of(snapshot("130.0")));
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    Sinks.Many<Instrument> resyncs = Sinks.many().multicast().directBestEffort();
    StreamProbe p = StreamProbe.connect(stream(server, Duration.ofSeconds(20), clock),
        new StreamRequest(List.of(BTC), 10, true, false), StreamContext.direct(resyncs.asFlux()));
    open.add(p);

    p.await("a book from the snapshot that came during the backoff", q -> q.books(BTC).stream()
        .anyMatch(b -> b.bidPrice(0) == 111), PATIENCE);
    clock.advanceTimeBy(Duration.ofSeconds(1)); // the backoff passes: nothing to send
    // A resubscription the scanner asks for now: frames sent after any of the backoff's.
    resyncs.tryEmitNext(BTC);
    p.await("a book from the snapshot asked for", q -> q.books(BTC).stream()
        .anyMatch(b -> b.bidPrice(0) == 130), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).extracting(StreamEvent.Resync::cause)
        .containsExactly(ResyncCause.CHECKSUM_MISMATCH, ResyncCause.SEQUENCE_GAP);
    assertThat(p.events(StreamEvent.Resync.class).get(1).detail())
        .isEqualTo("no snapshot and no answer to the resubscription after "
            + SnapshotWait.MAX_UNANSWERED + " updates");
    assertThat(p.books(BTC)).extracting(b -> b.bidPrice(0))
        .containsExactly(100.0, 110.0, 111.0, 130.0);
    // The backoff's resubscription would have come before the one asked for: none did.
    assertThat(server.received()).extracting(f -> json(f).path("method").asText())
        .filteredOn(method -> !method.equals("ping"))
        .containsExactly("subscribe", "unsubscribe", "subscribe", "unsubscribe", "subscribe");
  }

  /** Kraken's answer to a (un)subscription of the book of BTC/USD. */
  private static String answer(String method) {
    return "{\"method\":\"" + method + "\",\"result\":{\"channel\":\"book\",\"depth\":10,"
        + (method.equals("subscribe") ? "\"snapshot\":true," : "")
        + "\"symbol\":\"BTC/USD\"},\"success\":true,"
        + "\"time_in\":\"2026-12-06T05:00:00.000001Z\","
        + "\"time_out\":\"2026-12-06T05:00:00.000002Z\"}";
  }

  /** A snapshot of one level a side: bid {@code bid} x 1.0, ask 1000.0 x 1.0. */
  private static String snapshot(String bid) {
    return book("snapshot", "[{\"price\":" + bid + ",\"qty\":1.0}]",
        "[{\"price\":1000.0,\"qty\":1.0}]", 0, true);
  }

  /** An update moving the one bid from {@code was} to {@code bid}, with the book's checksum. */
  private static String update(String was, String bid) {
    return "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
        + "\"bids\":[{\"price\":" + was + ",\"qty\":0.0},{\"price\":" + bid + ",\"qty\":1.0}],"
        + "\"asks\":[],\"checksum\":" + checksumOf(bid) + "}]}";
  }

  /** An update whose checksum (1) no book of these scripts has. */
  private static String stale() {
    return "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\","
        + "\"bids\":[{\"price\":99.0,\"qty\":1.0}],\"asks\":[],\"checksum\":1}]}";
  }

  /** The checksum of the book of bid {@code bid} x 1.0 and ask 1000.0 x 1.0. */
  private static long checksumOf(String bid) {
    LocalBook b = new LocalBook();
    b.bid(bid, "1.0");
    b.ask("1000.0", "1.0");
    return KrakenStream.checksum(b);
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
  void theHeartbeatPingIsSentAndItsPongSwallowed() throws Exception {
    AtomicInteger pings = new AtomicInteger();
    CompletableFuture<Void> twoPings = new CompletableFuture<>();
    ScriptedWsServer server = server((ws, m) -> {
      if (m.toString().equals("{\"method\":\"ping\"}")) {
        ws.send("{\"method\":\"pong\",\"time_in\":\"2026-12-06T05:00:00.000001Z\","
            + "\"time_out\":\"2026-12-06T05:00:00.000002Z\"}");
        if (pings.incrementAndGet() == 2) {
          twoPings.complete(null); // the first pong went out a heartbeat (50 ms) before
        }
      }
    });

    StreamProbe p = connect(stream(server, Duration.ofMillis(50)), false);
    // Awaited on the server's side: a swallowed pong makes no event the probe could wait on.
    twoPings.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);

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
