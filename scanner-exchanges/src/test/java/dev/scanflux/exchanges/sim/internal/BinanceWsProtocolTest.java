package dev.scanflux.exchanges.sim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.sim.SimulatedVenue;
import dev.scanflux.exchanges.sim.VenueSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's Binance WebSocket requests, answers and diff events, through a real socket. */
class BinanceWsProtocolTest {

  private static final String DEPTH_UPDATE = "{\"e\":\"depthUpdate\",\"E\":";

  @Test
  void requestsAreAnsweredByIdAndDiffEventsChainTheirUpdateIds() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).instruments(5)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build()) {
      sim.start();
      assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/ws");

      List<String> messages = new WsClient(HttpClient.newHttpClient()).connect(
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

  private static List<String> append(List<String> seen, String message) {
    List<String> out = new java.util.ArrayList<>(seen);
    out.add(message);
    return out;
  }

  private static long id(String event, String field) {
    return Long.parseLong(event.replaceAll(".*\"" + field + "\":(\\d+).*", "$1"));
  }
}
