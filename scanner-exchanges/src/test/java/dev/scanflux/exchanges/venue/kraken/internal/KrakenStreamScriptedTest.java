package dev.scanflux.exchanges.venue.kraken.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.exchanges.internal.SourceSettings;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * {@code KrakenStream} against a scripted Kraken server, for what the simulator never sends: a
 * delta without a checksum that crosses the book, which XChange then passes on unchecked.
 */
class KrakenStreamScriptedTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instrument BTC = Instrument.spot("BTC", "USD");

  @Test
  void aBookThatWouldBeCrossedIsAResyncAndTheBookIsSubscribedAgain() throws Exception {
    AtomicInteger channels = new AtomicInteger();
    try (ScriptedWsServer server = new ScriptedWsServer().onMessage((ws, m) -> answer(ws,
        json(m), channels.incrementAndGet()));
        KrakenStream stream = new KrakenStream(new SourceSettings("kraken",
            "http://127.0.0.1:1", KrakenVenues.LIMIT, 1, Duration.ofSeconds(1),
            Schedulers.parallel(), server.uri().toString()))) {

      StepVerifier.create(stream.connect(new StreamRequest(List.of(BTC), 2, true, false),
                  StreamContext.direct())
              .filter(e -> !(e instanceof StreamEvent.Connected))) // may come before a book
          .assertNext(e -> assertThat(book(e).bestBid()).isEqualTo(100.0))
          .assertNext(e -> assertThat(e).isInstanceOfSatisfying(StreamEvent.Resync.class, r -> {
            assertThat(r.instrument()).isEqualTo(BTC);
            assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
            assertThat(r.detail()).contains("crossed");
          }))
          .assertNext(e -> assertThat(book(e).bestBid()).isEqualTo(100.0))
          .thenCancel()
          .verify(Duration.ofSeconds(10));

      assertThat(server.received()).extracting(m -> json(m).path("event").asText() + ' '
              + json(m).path("pair").get(0).asText())
          .startsWith("subscribe XBT/USD", "unsubscribe XBT/USD", "subscribe XBT/USD");
    }
  }

  /** Kraken's answers: a status, then a snapshot; the first time also a crossing delta. */
  private static void answer(WebSocket ws, JsonNode request, int channel) {
    String event = request.path("event").asText();
    ws.send("{\"channelID\":" + channel + ",\"channelName\":\"book-10\",\"event\":"
        + "\"subscriptionStatus\",\"pair\":\"XBT/USD\",\"reqid\":" + request.path("reqid")
        + ",\"status\":\"" + event + "d\",\"subscription\":{\"depth\":10,\"name\":\"book\"}}");
    if (!event.equals("subscribe")) {
      return;
    }
    String tail = ",\"book-10\",\"XBT/USD\"]";
    ws.send("[" + channel + ",{\"as\":[[\"101.00000\",\"1.00000000\",\"1.000000\"],"
        + "[\"102.00000\",\"2.00000000\",\"1.000000\"]],\"bs\":[[\"100.00000\",\"1.00000000\","
        + "\"1.000000\"],[\"99.00000\",\"2.00000000\",\"1.000000\"]]}" + tail);
    if (channel == 1) {
      ws.send("[" + channel + ",{\"b\":[[\"103.00000\",\"1.00000000\",\"2.000000\"]]}" + tail);
    }
  }

  private static BookSnapshot book(StreamEvent e) {
    assertThat(e).isInstanceOf(StreamEvent.Update.class);
    return (BookSnapshot) ((StreamEvent.Update) e).snapshot();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
