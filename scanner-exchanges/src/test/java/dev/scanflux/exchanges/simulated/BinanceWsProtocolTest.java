package dev.scanflux.exchanges.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's Binance WebSocket requests, answers and diff events, through a real socket. */
class BinanceWsProtocolTest {

  private static final String DEPTH_UPDATE = "{\"e\":\"depthUpdate\",\"E\":";

  private final WsClient client = WsClient.ownThreads("binance");

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void requestsAreAnsweredByIdAndDiffEventsChainTheirUpdateIds() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).instruments(5)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build()) {
      sim.start();
      assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/ws");

      List<String> messages = client.connect(
              WsSpec.of("binance", URI.create(sim.websocketUrl())), List.of(
                  "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@depth@100ms\","
                      + "\"nopeusdt@depth\"],\"id\":7}",
                  "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":8}",
                  "{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":9}",
                  "{\"method\":\"PING\",\"id\":10}"))
          .scan(List.<String>of(), (seen, m) -> append(seen, m))
          .filter(seen -> seen.stream().filter(m -> m.startsWith(DEPTH_UPDATE)).count() == 10)
          .blockFirst(Duration.ofSeconds(10));

      assertThat(messages).filteredOn(m -> !m.startsWith(DEPTH_UPDATE)).satisfiesExactly(
          m -> assertThat(m).isEqualTo("{\"result\":null,\"id\":7}"),
          m -> assertThat(m).isEqualTo(
              "{\"result\":[\"btcusdt@depth@100ms\",\"nopeusdt@depth\"],\"id\":8}"),
          m -> assertThat(m).isEqualTo("{\"result\":false,\"id\":9}"),
          m -> assertThat(m).startsWith("{\"code\":2,\"msg\":\"Invalid request: ")
              .endsWith("\"id\":10}"));
      List<String> events = messages.stream().filter(m -> m.startsWith(DEPTH_UPDATE)).toList();
      assertThat(events).allSatisfy(m -> assertThat(m).contains("\"s\":\"BTCUSDT\""));
      for (int k = 1; k < events.size(); k++) {
        assertThat(id(events.get(k), "U")).isEqualTo(id(events.get(k - 1), "u") + 1);
        assertThat(id(events.get(k), "u")).isGreaterThanOrEqualTo(id(events.get(k), "U"));
      }
    }
  }

  @Test
  void streamsNamedInThePathAreRawAndCombinedStreamsAreWrapped() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).instruments(5)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build()) {
      sim.start();
      String base = sim.websocketUrl().replaceAll("/ws$", "");

      List<String> raw = client.connect(WsSpec.of("binance",
              URI.create(base + "/ws/btcusdt@bookTicker")), List.of())
          .take(3).collectList().block(Duration.ofSeconds(10));
      assertThat(raw).allSatisfy(m -> assertThat(m).startsWith("{\"u\":")
          .contains("\"s\":\"BTCUSDT\"", "\"b\":", "\"A\":"));

      List<String> wrapped = client.connect(WsSpec.of("binance", URI.create(base
              + "/stream?streams=btcusdt@depth@100ms/ethusdt@miniTicker")),
              List.of("{\"method\":\"GET_PROPERTY\",\"params\":[\"combined\"],\"id\":1}"))
          .scan(List.<String>of(), (seen, m) -> append(seen, m))
          // the answer to GET_PROPERTY may come after both streams' first messages
          .filter(seen -> seen.stream().anyMatch(m -> m.contains("@miniTicker"))
              && seen.stream().anyMatch(m -> m.contains("@depth@100ms"))
              && seen.contains("{\"result\":true,\"id\":1}"))
          .blockFirst(Duration.ofSeconds(10));
      assertThat(wrapped).contains("{\"result\":true,\"id\":1}");
      assertThat(wrapped).filteredOn(m -> m.startsWith("{\"stream\":")).allSatisfy(m ->
          assertThat(m).matches("\\{\"stream\":\"(btcusdt@depth@100ms\",\"data\":\\{\"e\":"
              + "\"depthUpdate\"|ethusdt@miniTicker\",\"data\":\\{\"e\":\"24hrMiniTicker\").*"));
    }
  }

  @Test
  void aStreamOfATypeNotServedIsRefusedNotAcknowledged() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).instruments(5)
        .websocket(true).build()) {
      sim.start();
      List<String> answers = client.connect(
              WsSpec.of("binance", URI.create(sim.websocketUrl())), List.of(
                  "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@kline_1m\"],\"id\":1}",
                  "{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":2}"))
          .take(2).collectList().block(Duration.ofSeconds(10));
      assertThat(answers).satisfiesExactly(
          m -> assertThat(m).startsWith("{\"code\":2,\"msg\":\"Invalid request: unknown stream")
              .endsWith("\"id\":1}"),
          m -> assertThat(m).isEqualTo("{\"result\":[],\"id\":2}"));
    }
  }

  private static List<String> append(List<String> seen, String message) {
    List<String> out = new java.util.ArrayList<>(seen);
    out.add(message);
    return out;
  }

  private static long id(String event, String field) {
    return Long.parseLong(event.replaceAll(".*\"" + field + "\":(\\d+).*", "$1"));
  }
}
