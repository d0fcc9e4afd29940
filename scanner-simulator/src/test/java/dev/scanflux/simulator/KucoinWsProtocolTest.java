package dev.scanflux.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The simulator's KuCoin WebSocket answers subscriptions as KuCoin documents its topics: symbol
 * lists ({@code {symbol},{symbol}}, up to 100) on spot's {@code level2Depth50} and
 * {@code ticker}, one symbol on spot's {@code /market/snapshot} and on every futures topic; a
 * request it takes is acked, one it does not take gets an {@code error} with the request's id.
 */
class KucoinWsProtocolTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void spotTakesListsOnBooksAndTickersAndOneSymbolOnSnapshots() throws Exception {
    String hundredAndOne = IntStream.range(0, 101).mapToObj(k -> "BTC-USDT")
        .collect(Collectors.joining(","));
    Map<String, JsonNode> answers = answers(SimulatedVenue.KUCOIN, Map.of(
        "1", "/spotMarket/level2Depth50:BTC-USDT,ETH-USDT",
        "2", "/market/ticker:BTC-USDT,ETH-USDT",
        "3", "/market/snapshot:BTC-USDT",
        "4", "/market/snapshot:BTC-USDT,ETH-USDT",
        "5", "/market/ticker:" + hundredAndOne));
    assertThat(answers.get("1").path("type").asText()).isEqualTo("ack");
    assertThat(answers.get("2").path("type").asText()).isEqualTo("ack");
    assertThat(answers.get("3").path("type").asText()).isEqualTo("ack");
    assertThat(answers.get("4").path("type").asText()).isEqualTo("error");
    assertThat(answers.get("4").path("code").asInt()).isEqualTo(400);
    assertThat(answers.get("5").path("type").asText()).isEqualTo("error");
  }

  @Test
  void futuresTakesOneSymbolATopic() throws Exception {
    Map<String, JsonNode> answers = answers(SimulatedVenue.KUCOIN_FUTURES, Map.of(
        "1", "/contractMarket/level2Depth50:XBTUSDTM",
        "2", "/contractMarket/level2Depth50:XBTUSDTM,ETHUSDTM",
        "3", "/contractMarket/ticker:XBTUSDTM,ETHUSDTM",
        "4", "/contractMarket/tickerV2:ETHUSDTM"));
    assertThat(answers.get("1").path("type").asText()).isEqualTo("ack");
    assertThat(answers.get("2").path("type").asText()).isEqualTo("error");
    assertThat(answers.get("2").path("code").asInt()).isEqualTo(400);
    assertThat(answers.get("3").path("type").asText()).isEqualTo("error");
    assertThat(answers.get("4").path("type").asText()).isEqualTo("ack");
  }

  /** Takes a token, connects, subscribes each topic by id and returns the answers by id. */
  private static Map<String, JsonNode> answers(SimulatedVenue venue, Map<String, String> topics)
      throws Exception {
    try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(5).websocket(true)
        .build()) {
      String base = sim.start();
      HttpClient http = HttpClient.newHttpClient();
      JsonNode bullet = JSON.readTree(http.send(HttpRequest.newBuilder(
              URI.create(base + "/api/v1/bullet-public"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString()).body()).path("data");
      String endpoint = bullet.path("instanceServers").path(0).path("endpoint").asText();
      String token = URLEncoder.encode(bullet.path("token").asText(), StandardCharsets.UTF_8);
      Map<String, JsonNode> answers = new ConcurrentHashMap<>();
      WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(endpoint + "?token="
          + token + "&connectId=1"), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              text.append(data);
              if (last) {
                JsonNode m = read(text.toString());
                text.setLength(0);
                String type = m.path("type").asText();
                if (type.equals("ack") || type.equals("error")) {
                  answers.put(m.path("id").asText(), m);
                }
              }
              w.request(1);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      for (Map.Entry<String, String> t : topics.entrySet()) {
        ws.sendText(JSON.createObjectNode().put("id", t.getKey()).put("type", "subscribe")
            .put("topic", t.getValue()).put("response", true).toString(), true)
            .get(10, TimeUnit.SECONDS);
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (answers.size() < topics.size()) {
        assertThat(System.nanoTime()).as("answers to %s: %s", topics, answers).isLessThan(end);
        Thread.sleep(20); // a test thread waiting for the server's answers
      }
      ws.abort();
      return answers;
    }
  }

  private static JsonNode read(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
