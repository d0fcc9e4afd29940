package dev.scanflux.exchanges.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The simulator's USD-M futures WebSocket (Binance futures, AsterDEX) through a plain client
 * socket, read as raw JSON: the combined-stream path, the futures shapes of the diff event
 * ({@code T}, {@code pu}, ids jumping between events), the book ticker and the 24 h ticker, and
 * a sequence gap as a {@code pu} naming an event never sent.
 */
class BinanceFuturesWsProtocolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAMS = "btcusdt@depth@100ms/btcusdt@bookTicker/btcusdt@ticker";

  private final WsClient client = WsClient.ownThreads("binance-futures");
  private final List<VenueSimulator> sims = new ArrayList<>();

  @AfterEach
  void close() {
    sims.forEach(VenueSimulator::close);
    client.close();
  }

  private VenueSimulator sim(SimulatedVenue venue) {
    VenueSimulator sim = VenueSimulator.builder(venue).instruments(5).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sims.add(sim);
    sim.start();
    return sim;
  }

  /** The combined stream of BTC's depth, book ticker and 24 h ticker, events as JSON. */
  private Flux<JsonNode> combined(VenueSimulator sim) {
    URI uri = URI.create(sim.websocketUrl().replace("/ws", "/stream?streams=" + STREAMS));
    return client.connect(WsSpec.of("binance-futures", uri), List.of())
        .map(BinanceFuturesWsProtocolTest::json);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void combinedStreamsCarryTheFuturesShapes() {
    VenueSimulator sim = sim(SimulatedVenue.ASTERDEX);
    List<JsonNode> depth = new ArrayList<>();
    List<JsonNode> bookTickers = new ArrayList<>();
    List<JsonNode> tickers = new ArrayList<>();

    StepVerifier.create(combined(sim))
        .thenConsumeWhile(m -> depth.size() < 10 || bookTickers.isEmpty() || tickers.isEmpty(),
            m -> {
              String stream = m.path("stream").asText();
              JsonNode data = m.path("data");
              if (stream.equals("btcusdt@depth@100ms")) {
                depth.add(data);
              } else if (stream.equals("btcusdt@bookTicker")) {
                bookTickers.add(data);
              } else if (stream.equals("btcusdt@ticker")) {
                tickers.add(data);
              }
            })
        .thenCancel()
        .verify(WAIT);

    for (JsonNode d : depth) {
      assertThat(d.path("e").asText()).isEqualTo("depthUpdate");
      assertThat(d.path("s").asText()).isEqualTo("BTCUSDT");
      assertThat(d.has("E") && d.has("T") && d.has("pu")).as("%s", d).isTrue();
      assertThat(d.path("U").asLong()).isLessThanOrEqualTo(d.path("u").asLong());
    }
    int jumps = 0;
    for (int k = 1; k < depth.size(); k++) {
      assertThat(depth.get(k).path("pu").asLong()).isEqualTo(depth.get(k - 1).path("u").asLong());
      if (depth.get(k).path("U").asLong() != depth.get(k - 1).path("u").asLong() + 1) {
        jumps++;
      }
    }
    assertThat(jumps).as("events whose ids are not contiguous with the previous").isPositive();
    JsonNode book = bookTickers.get(0);
    assertThat(book.path("e").asText()).isEqualTo("bookTicker");
    assertThat(book.has("E") && book.has("T") && book.has("u")).isTrue();
    assertThat(new BigDecimal(book.path("b").asText()))
        .isLessThan(new BigDecimal(book.path("a").asText()));
    JsonNode day = tickers.get(0);
    assertThat(day.path("e").asText()).isEqualTo("24hrTicker");
    assertThat(day.has("c") && day.has("v") && day.has("q") && day.has("P")).isTrue();
    assertThat(day.has("b") || day.has("a") || day.has("x")).as("futures: no bid, ask, prev close")
        .isFalse();
  }

  @Test
  void binanceRoutesDepthAndBookTickersToPublicAndDayTickersToMarketAndTheOldPathIsSilent() {
    VenueSimulator sim = sim(SimulatedVenue.BINANCE_FUTURES);
    assertThat(sim.websocketUrl()).endsWith("/public/ws");
    String url = sim.websocketUrl();
    String root = url.substring(0, url.length() - "/public/ws".length());

    assertThat(streamsSent(root + "/public/stream?streams=" + STREAMS, 20))
        .containsOnly("btcusdt@depth@100ms", "btcusdt@bookTicker")
        .contains("btcusdt@depth@100ms", "btcusdt@bookTicker");
    assertThat(streamsSent(root + "/market/stream?streams=" + STREAMS, 3))
        .containsOnly("btcusdt@ticker");
    // the unrouted path, retired on 2026-04-23: the handshake completes, nothing is sent
    StepVerifier.create(client.connect(WsSpec.of("binance-futures",
            URI.create(root + "/stream?streams=" + STREAMS)), List.of()))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(300))
        .thenCancel()
        .verify(WAIT);
  }

  /** The stream names of the first {@code count} events on a combined-stream URL. */
  private List<String> streamsSent(String url, int count) {
    return client.connect(WsSpec.of("binance-futures", URI.create(url)), List.of())
        .map(t -> json(t).path("stream").asText()).take(count).collectList().block(WAIT);
  }

  @Test
  void aSequenceGapIsAPuNamingAnEventNeverSent() {
    VenueSimulator sim = sim(SimulatedVenue.BINANCE_FUTURES);
    List<JsonNode> depth = new ArrayList<>();

    StepVerifier.create(combined(sim).filter(m -> m.path("stream").asText().contains("@depth"))
            .map(m -> m.path("data")))
        .assertNext(depth::add)
        .then(() -> sim.wsFault(WsFault.SEQUENCE_GAP, SimulatedVenue.BINANCE_FUTURES
            .instrument("BTC")))
        // until the gap and three events after it: how many events were already on their way
        // when the fault was injected depends on the machine's load, so no fixed count
        .thenConsumeWhile(m -> afterGap(depth) < 3, depth::add)
        .thenCancel()
        .verify(WAIT);

    // events already on the wire arrive intact; exactly one names a pu past the last u sent,
    // and the chain goes on from it
    int gaps = 0;
    for (int k = 1; k < depth.size(); k++) {
      long pu = depth.get(k).path("pu").asLong();
      long previous = depth.get(k - 1).path("u").asLong();
      if (pu != previous) {
        gaps++;
        assertThat(pu).isGreaterThan(previous);
        assertThat(depth.get(k).path("U").asLong()).isGreaterThan(pu);
      }
    }
    assertThat(gaps).isEqualTo(1);
  }

  /** Events after the first whose pu is not the previous event's u; -1 before such a gap. */
  private static int afterGap(List<JsonNode> depth) {
    for (int k = 1; k < depth.size(); k++) {
      if (depth.get(k).path("pu").asLong() != depth.get(k - 1).path("u").asLong()) {
        return depth.size() - 1 - k;
      }
    }
    return -1;
  }
}
