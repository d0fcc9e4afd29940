package dev.scanflux.exchanges.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The simulator's Bybit WebSocket, spot and linear, through a real client socket. */
class BybitWsProtocolTest {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WsClient client = WsClient.ownThreads("bybit");
  private VenueSimulator sim;

  private void start(SimulatedVenue venue) {
    sim = VenueSimulator.builder(venue).instruments(30).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sim.start();
  }

  @AfterEach
  void close() {
    sim.close();
    client.close();
  }

  private Flux<JsonNode> connect(String... frames) {
    return client.connect(WsSpec.of("bybit", URI.create(sim.websocketUrl())), List.of(frames))
        .map(BybitWsProtocolTest::json);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void spotAcksThenSendsASnapshotThenDeltasWhoseUpdateIdsFollowEachOther() {
    start(SimulatedVenue.BYBIT);
    assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/v5/public/spot");

    StepVerifier.create(connect("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],"
            + "\"req_id\":\"7\"}"))
        .assertNext(m -> assertThat(m).isEqualTo(json("{\"success\":true,\"ret_msg\":"
            + "\"subscribe\",\"conn_id\":\"" + m.path("conn_id").asText() + "\",\"req_id\":\"7\","
            + "\"op\":\"subscribe\"}")))
        .assertNext(m -> {
          assertThat(m.path("topic").asText()).isEqualTo("orderbook.50.BTCUSDT");
          assertThat(m.path("type").asText()).isEqualTo("snapshot");
          assertThat(m.path("data").path("b")).hasSize(50);
          assertThat(m.path("data").path("a")).hasSize(50);
          assertThat(m.path("data").path("u").asLong()).isEqualTo(1);
        })
        .assertNext(m -> {
          assertThat(m.path("type").asText()).isEqualTo("delta");
          assertThat(m.path("data").path("u").asLong()).isEqualTo(2);
        })
        .assertNext(m -> assertThat(m.path("data").path("u").asLong()).isEqualTo(3))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void spotRefusesMoreThanTenArgsAndUnknownTopicsAndPongsInItsForm() {
    start(SimulatedVenue.BYBIT);
    String eleven = "{\"op\":\"subscribe\",\"args\":[" + "\"tickers.BTCUSDT\",".repeat(10)
        + "\"tickers.ETHUSDT\"]}";

    StepVerifier.create(connect(eleven,
            "{\"op\":\"subscribe\",\"args\":[\"orderbook.25.BTCUSDT\",\"tickers.FOOUSDT\"]}",
            "{\"op\":\"ping\",\"req_id\":\"p\"}"))
        .assertNext(m -> {
          assertThat(m.path("success").asBoolean()).isFalse();
          assertThat(m.path("ret_msg").asText()).isEqualTo("error:args size >10");
        })
        .assertNext(m -> {
          assertThat(m.path("success").asBoolean()).isFalse();
          assertThat(m.path("ret_msg").asText())
              .contains("orderbook.25.BTCUSDT", "tickers.FOOUSDT");
        })
        .assertNext(m -> {
          assertThat(m.path("op").asText()).isEqualTo("pong");
          assertThat(m.path("req_id").asText()).isEqualTo("p");
          assertThat(m.path("args")).hasSize(1);
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void spotTickersHaveNoBidOrAsk() {
    start(SimulatedVenue.BYBIT);

    StepVerifier.create(connect("{\"op\":\"subscribe\",\"args\":[\"tickers.BTCUSDT\"]}")
            .skip(1).take(3))
        .thenConsumeWhile(m -> {
          assertThat(m.path("type").asText()).isEqualTo("snapshot");
          assertThat(m.path("data").has("lastPrice")).isTrue();
          assertThat(m.path("data").has("bid1Price")).isFalse();
          return true;
        })
        .verifyComplete();
  }

  @Test
  void linearTickersAreASnapshotThenDeltasOfChangedFieldsAndPingsArePongedInItsForm() {
    start(SimulatedVenue.BYBIT_LINEAR);

    StepVerifier.create(connect("{\"op\":\"ping\"}"))
        .assertNext(m -> {
          assertThat(m.path("ret_msg").asText()).isEqualTo("pong");
          assertThat(m.path("op").asText()).isEqualTo("ping");
        })
        .thenCancel()
        .verify(WAIT);
    StepVerifier.create(connect("{\"op\":\"subscribe\",\"args\":[\"tickers.1000PEPEUSDT\"]}"))
        .assertNext(m -> assertThat(m.path("ret_msg").asText()).isEmpty())
        .assertNext(m -> {
          assertThat(m.path("type").asText()).isEqualTo("snapshot");
          assertThat(m.path("data").path("symbol").asText()).isEqualTo("1000PEPEUSDT");
          assertThat(m.path("data").has("bid1Price")).isTrue();
          assertThat(m.path("data").has("volume24h")).isTrue();
        })
        .assertNext(m -> {
          assertThat(m.path("type").asText()).isEqualTo("delta");
          assertThat(m.path("data").size()).isLessThan(15);
        })
        .thenCancel()
        .verify(WAIT);
  }
}
