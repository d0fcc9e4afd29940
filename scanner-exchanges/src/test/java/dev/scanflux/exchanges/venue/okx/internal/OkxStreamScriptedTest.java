package dev.scanflux.exchanges.venue.okx.internal;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.exchanges.internal.stream.SnapshotWait;
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
 * {@link OkxStream} against a scripted OKX server, for the orders of messages the simulator
 * rarely produces: a reader lagging far behind a resubscription, and a snapshot lost after OKX
 * answered the subscription. Checksums are 0 (not checked) so that the scripts stay short; the
 * books chain by {@code seqId}.
 */
class OkxStreamScriptedTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  private StreamProbe connect(BiConsumer<WebSocket, JsonNode> script) {
    ScriptedWsServer server = new ScriptedWsServer().onMessage((ws, m) -> {
      if (!m.equals("ping")) {
        ws.setAttachment(received(ws) + 1);
        script.accept(ws, json(m));
      }
    });
    open.add(server);
    SourceSettings settings = new SourceSettings("okx", "http://127.0.0.1:11",
        OkxVenues.SPOT_LIMIT, 1, Duration.ofSeconds(5), Schedulers.parallel(),
        server.uri().toString());
    OkxSpotSource rest = new OkxSpotSource(settings);
    open.add(rest);
    OkxStream stream = OkxStream.spot(settings, rest);
    open.add(stream);
    StreamProbe probe = StreamProbe.connect(stream, new StreamRequest(List.of(BTC), 5, true,
        false), StreamContext.direct());
    open.add(probe);
    return probe;
  }

  /**
   * The reader is so far behind that more updates of the old subscription than the fallback's
   * count come after the resubscription was sent: they are dropped, and the book is rebuilt from
   * the snapshot after OKX's answers, without a second resync. Before, the 51st of them was
   * taken for a lost snapshot, and the snapshot that then came, during the backoff, dropped.
   */
  @Test
  void updatesOfTheOldSubscriptionBeforeOkxsAnswerAreDroppedHoweverMany() {
    StreamProbe probe = connect((ws, frame) -> {
      String op = frame.path("op").asText();
      if (op.equals("subscribe") && received(ws) == 1) {
        ws.send(answer("subscribe"));
        ws.send(books("snapshot", -1, 10, "100"));
        ws.send(books("update", 10, 11, "101"));
        ws.send(books("update", 12, 13, "102")); // a gap
      } else if (op.equals("unsubscribe")) {
        // What a lagging reader finds queued before the answers: many more than 50.
        for (int k = 0; k < SnapshotWait.MAX_UNANSWERED / 5; k++) {
          ws.send(books("update", 13 + k, 14 + k, "103"));
        }
        ws.send(answer("unsubscribe"));
      } else if (op.equals("subscribe")) {
        ws.send(answer("subscribe"));
        ws.send(books("snapshot", -1, 200, "110"));
        ws.send(books("update", 200, 201, "111"));
      }
    });

    probe.await("a book from the new snapshot", p -> p.books(BTC).stream()
        .anyMatch(b -> b.bidPrice(0) == 111), PATIENCE);
    assertThat(probe.events(StreamEvent.Resync.class)).singleElement()
        .satisfies(r -> assertThat(r.detail()).isEqualTo("expected prevSeqId 11, got 12"));
    assertThat(probe.books(BTC)).extracting(b -> b.bidPrice(0))
        .containsExactly(100.0, 101.0, 110.0, 111.0);
    assertThat(probe.error()).isNull();
  }

  /** After OKX answered the resubscription, the next books message must be its snapshot. */
  @Test
  void anUpdateAfterOkxAnsweredTheResubscriptionMeansTheSnapshotWasLost() {
    StreamProbe probe = connect((ws, frame) -> {
      String op = frame.path("op").asText();
      if (op.equals("subscribe") && received(ws) == 1) {
        ws.send(answer("subscribe"));
        ws.send(books("snapshot", -1, 10, "100"));
        ws.send(books("update", 11, 12, "101")); // a gap
      } else if (op.equals("unsubscribe")) {
        ws.send(books("update", 12, 13, "102")); // still the old subscription's: dropped
        ws.send(answer("unsubscribe"));
      } else if (op.equals("subscribe") && received(ws) == 3) {
        ws.send(answer("subscribe"));
        ws.send(books("update", 13, 14, "103")); // its snapshot lost on the way
      } else if (op.equals("subscribe")) {
        ws.send(answer("subscribe"));
        ws.send(books("snapshot", -1, 300, "120"));
      }
    });

    probe.await("a book from the third snapshot", p -> p.books(BTC).stream()
        .anyMatch(b -> b.bidPrice(0) == 120), Duration.ofSeconds(15)); // after a 1 s backoff
    assertThat(probe.events(StreamEvent.Resync.class)).hasSize(2).allSatisfy(r ->
        assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP));
    assertThat(probe.events(StreamEvent.Resync.class).get(1).detail())
        .isEqualTo("an update before the snapshot of the resubscription, which OKX answered:"
            + " the snapshot was lost");
    assertThat(probe.books(BTC)).extracting(b -> b.bidPrice(0)).containsExactly(100.0, 120.0);
  }

  /** On the connection's first subscription there is no old one: any update first is a loss. */
  @Test
  void anUpdateBeforeTheFirstSnapshotIsALostSnapshotAtOnce() {
    StreamProbe probe = connect((ws, frame) -> {
      String op = frame.path("op").asText();
      if (op.equals("subscribe") && received(ws) == 1) {
        // Neither the answer nor the snapshot: as after a stretch where OKX sent nothing.
        ws.send(books("update", 9, 10, "99"));
      } else if (op.equals("subscribe")) {
        ws.send(answer("subscribe"));
        ws.send(books("snapshot", -1, 20, "100"));
      }
    });

    probe.await("a book", p -> !p.books(BTC).isEmpty(), PATIENCE);
    assertThat(probe.events(StreamEvent.Resync.class)).singleElement().satisfies(r ->
        assertThat(r.detail()).isEqualTo("an update before the snapshot of the subscription:"
            + " the snapshot was lost"));
  }

  /** Frames this connection received so far, the one being handled included, pings left out. */
  private static int received(WebSocket ws) {
    Integer n = ws.getAttachment();
    return n == null ? 0 : n;
  }

  private static String answer(String op) {
    return "{\"event\":\"" + op + "\",\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},"
        + "\"connId\":\"a4d3ae55\"}";
  }

  /** A books message whose book is one level a side: bid {@code bid}, ask 1000. */
  private static String books(String action, long prevSeqId, long seqId, String bid) {
    return "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"" + action
        + "\",\"data\":[{\"asks\":[[\"1000\",\"1\",\"0\",\"1\"]],\"bids\":[[\"" + bid
        + "\",\"1\",\"0\",\"1\"]],\"ts\":\"1700000000000\",\"checksum\":0,\"prevSeqId\":"
        + prevSeqId + ",\"seqId\":" + seqId + "}]}";
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
