package dev.scanflux.exchanges.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The simulator's Hyperliquid WebSocket, through a real client socket. */
class HyperliquidWsProtocolTest {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instrument BTC = SimulatedVenue.HYPERLIQUID.instrument("BTC");
  private static final String BOOK_BTC =
      "{\"method\":\"subscribe\",\"subscription\":{\"type\":\"l2Book\",\"coin\":\"BTC\"}}";
  private static final String CONTEXT_BTC =
      "{\"method\":\"subscribe\",\"subscription\":{\"type\":\"activeAssetCtx\",\"coin\":\"BTC\"}}";

  private final WsClient client = WsClient.ownThreads("hyperliquid");
  private VenueSimulator sim;

  @BeforeEach
  void start() {
    sim = VenueSimulator.builder(SimulatedVenue.HYPERLIQUID).instruments(20).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sim.start();
  }

  @AfterEach
  void close() {
    sim.close();
    client.close();
  }

  private Flux<JsonNode> connect(String... frames) {
    return client.connect(WsSpec.of("hyperliquid", URI.create(sim.websocketUrl())),
        List.of(frames)).map(HyperliquidWsProtocolTest::json);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigDecimal px(JsonNode level) {
    return new BigDecimal(level.path("px").asText());
  }

  @Test
  void aSubscriptionIsAckedThenAFullSortedBookComesEveryTick() {
    assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/ws");

    StepVerifier.create(connect(BOOK_BTC))
        .assertNext(m -> {
          assertThat(m.path("channel").asText()).isEqualTo("subscriptionResponse");
          assertThat(m.path("data")).isEqualTo(json(BOOK_BTC));
        })
        .assertNext(HyperliquidWsProtocolTest::assertFullBook) // at once
        .assertNext(HyperliquidWsProtocolTest::assertFullBook)
        .assertNext(m -> {
          assertFullBook(m);
          BookSnapshot streamed = sim.streamedBook(BTC, 20);
          assertThat(streamed.bidLevels()).isEqualTo(20);
          assertThat(streamed.bestBid()).isLessThan(streamed.bestAsk());
        })
        .thenCancel()
        .verify(WAIT);
  }

  private static void assertFullBook(JsonNode m) {
    assertThat(m.path("channel").asText()).isEqualTo("l2Book");
    JsonNode d = m.path("data");
    assertThat(d.path("coin").asText()).isEqualTo("BTC");
    assertThat(d.path("time").asText()).matches("\\d{13}");
    JsonNode bids = d.path("levels").path(0);
    JsonNode asks = d.path("levels").path(1);
    assertThat(bids).hasSize(20);
    assertThat(asks).hasSize(20);
    for (int k = 1; k < 20; k++) {
      assertThat(px(bids.get(k))).isLessThan(px(bids.get(k - 1)));
      assertThat(px(asks.get(k))).isGreaterThan(px(asks.get(k - 1)));
    }
    assertThat(px(bids.get(0))).isLessThan(px(asks.get(0)));
    assertThat(bids.get(0).path("sz").asText()).matches("\\d+(\\.\\d+)?");
    assertThat(bids.get(0).path("n").isInt()).isTrue();
  }

  @Test
  void anAssetContextCarriesImpactPricesAroundTheMark() {
    StepVerifier.create(connect(CONTEXT_BTC))
        .assertNext(m -> assertThat(m.path("channel").asText()).isEqualTo("subscriptionResponse"))
        .assertNext(m -> {
          assertThat(m.path("channel").asText()).isEqualTo("activeAssetCtx");
          assertThat(m.path("data").path("coin").asText()).isEqualTo("BTC");
          JsonNode ctx = m.path("data").path("ctx");
          for (String f : List.of("funding", "openInterest", "prevDayPx", "dayNtlVlm", "premium",
              "oraclePx", "markPx", "midPx", "dayBaseVlm")) {
            assertThat(ctx.path(f).asText()).as(f).matches("\\d+(\\.\\d+)?");
          }
          BigDecimal bid = new BigDecimal(ctx.path("impactPxs").get(0).asText());
          BigDecimal ask = new BigDecimal(ctx.path("impactPxs").get(1).asText());
          assertThat(bid).isLessThan(ask);
          assertThat(new BigDecimal(ctx.path("markPx").asText())).isBetween(bid, ask);
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void pingIsAnsweredPongAndBadRequestsAnError() {
    StepVerifier.create(connect("{\"method\":\"ping\"}",
            "{\"method\":\"subscribe\",\"subscription\":{\"type\":\"l2Book\",\"coin\":\"NOPE\"}}",
            "not json", "{\"method\":\"unsubscribe\",\"subscription\":{\"type\":\"l2Book\","
                + "\"coin\":\"BTC\"}}"))
        .expectNext(json("{\"channel\":\"pong\"}"))
        .assertNext(m -> {
          assertThat(m.path("channel").asText()).isEqualTo("error");
          assertThat(m.path("data").asText()).contains("Invalid subscription", "NOPE");
        })
        .assertNext(m -> assertThat(m.path("data").asText()).contains("not json"))
        .assertNext(m -> assertThat(m.path("data").asText()).startsWith("Already unsubscribed"))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void theStreamedBookIsKnownOnlyWhileAClientSubscribesIt() {
    assertThatThrownBy(() -> sim.streamedBook(BTC, 20))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("BTC/USDC:perp");
    assertThatThrownBy(() -> sim.streamedBook(Instrument.perpetual("NOPE", "USDC"), 20))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
