package dev.scanflux.exchanges.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The simulator's Kraken WebSocket v2 through a plain client socket, checked against Kraken's
 * documented v2 format: the status on connecting, subscription answers and errors, ping and
 * pong, snapshots and updates of the subscribed depth whose checksums (computed here from the
 * text received) match, tickers, and the checksum faults.
 */
class KrakenWsProtocolTest {

  /** Numbers keep their text, trailing zeros included, as Kraken's checksum needs. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final WsClient client = WsClient.ownThreads("kraken");
  private VenueSimulator sim;

  @BeforeEach
  void start() {
    sim = VenueSimulator.builder(SimulatedVenue.KRAKEN).instruments(10).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sim.start();
  }

  @AfterEach
  void close() {
    sim.close();
    client.close();
  }

  private Flux<JsonNode> connect(String... frames) {
    return client.connect(WsSpec.of("kraken", URI.create(sim.websocketUrl())), List.of(frames))
        .map(KrakenWsProtocolTest::json);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String subscribe(String channel, String symbols, int depth) {
    return "{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\",\"symbol\":"
        + symbols + (depth > 0 ? ",\"depth\":" + depth : "") + "},\"req_id\":7}";
  }

  @Test
  void statusThenAnswerThenASnapshotThenUpdatesWhoseChecksumsHold() {
    assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/v2");
    Book book = new Book(25);

    StepVerifier.create(connect(subscribe("book", "[\"BTC/USD\"]", 25))
            .filter(m -> !m.path("channel").asText().equals("heartbeat")))
        .assertNext(m -> {
          assertThat(m.path("channel").asText()).isEqualTo("status");
          assertThat(m.path("data").path(0).path("system").asText()).isEqualTo("online");
          assertThat(m.path("data").path(0).path("api_version").asText()).isEqualTo("v2");
        })
        .assertNext(m -> {
          assertThat(m.path("method").asText()).isEqualTo("subscribe");
          assertThat(m.path("success").asBoolean()).isTrue();
          assertThat(m.path("req_id").asInt()).isEqualTo(7);
          assertThat(m.path("result")).isEqualTo(json("{\"channel\":\"book\",\"depth\":25,"
              + "\"snapshot\":true,\"symbol\":\"BTC/USD\"}"));
          assertThat(m.has("time_in") && m.has("time_out")).isTrue();
        })
        .assertNext(m -> {
          assertThat(m.path("type").asText()).isEqualTo("snapshot");
          JsonNode d = m.path("data").path(0);
          assertThat(d.path("symbol").asText()).isEqualTo("BTC/USD");
          assertThat(d.path("bids")).hasSize(25);
          assertThat(d.path("asks")).hasSize(25);
          assertThat(d.path("bids").path(0).path("price").isNumber()).isTrue();
          assertThat(d.path("bids").path(0).path("qty").isNumber()).isTrue();
          assertThat(Instant.parse(d.path("timestamp").asText())).isNotNull();
          assertThat(book.apply(d)).isEqualTo(d.path("checksum").asLong());
        })
        .thenConsumeWhile(m -> book.updates < 30, m -> {
          assertThat(m.path("channel").asText()).isEqualTo("book");
          assertThat(m.path("type").asText()).isEqualTo("update");
          JsonNode d = m.path("data").path(0);
          assertThat(book.apply(d)).isEqualTo(d.path("checksum").asLong());
          book.updates++;
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void refusesUnknownSymbolsDepthsChannelsAndASecondSubscriptionAndAnswersPings() {
    StepVerifier.create(connect(subscribe("book", "[\"FOO/USD\"]", 10),
                subscribe("book", "[\"BTC/USD\"]", 15), subscribe("trade", "[\"BTC/USD\"]", 0),
                subscribe("ticker", "[\"ETH/USD\"]", 0), subscribe("ticker", "[\"ETH/USD\"]", 0),
                "{\"method\":\"ping\",\"req_id\":42}", "{\"method\":\"unsubscribe\",\"params\":"
                    + "{\"channel\":\"ticker\",\"symbol\":[\"ETH/USD\"]},\"req_id\":8}")
            .filter(m -> m.has("method")))
        .assertNext(m -> assertThat(m.path("error").asText())
            .isEqualTo("Currency pair not supported FOO/USD"))
        .assertNext(m -> assertThat(m.path("error").asText())
            .isEqualTo("Subscription depth not supported"))
        .assertNext(m -> assertThat(m.path("error").asText()).startsWith("Subscription channel"))
        .assertNext(m -> assertThat(m.path("success").asBoolean()).isTrue())
        .assertNext(m -> {
          assertThat(m.path("success").asBoolean()).isFalse();
          assertThat(m.path("error").asText()).isEqualTo("Already subscribed");
          assertThat(m.path("symbol").asText()).isEqualTo("ETH/USD");
        })
        .assertNext(m -> {
          assertThat(m.path("method").asText()).isEqualTo("pong");
          assertThat(m.path("req_id").asInt()).isEqualTo(42);
        })
        .assertNext(m -> {
          assertThat(m.path("method").asText()).isEqualTo("unsubscribe");
          assertThat(m.path("success").asBoolean()).isTrue();
          assertThat(m.path("result")).isEqualTo(json("{\"channel\":\"ticker\","
              + "\"symbol\":\"ETH/USD\"}"));
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void tickersAreASnapshotThenUpdatesWithTheBooksBestLevels() {
    StepVerifier.create(connect(subscribe("ticker", "[\"BTC/USD\"]", 0))
            .filter(m -> m.path("channel").asText().equals("ticker")))
        .assertNext(m -> {
          assertThat(m.path("type").asText()).isEqualTo("snapshot");
          JsonNode t = m.path("data").path(0);
          assertThat(t.path("symbol").asText()).isEqualTo("BTC/USD");
          for (String f : List.of("bid", "bid_qty", "ask", "ask_qty", "last", "volume", "vwap",
              "low", "high", "change", "change_pct")) {
            assertThat(t.path(f).isNumber()).as(f).isTrue();
          }
          assertThat(t.path("bid").decimalValue()).isLessThan(t.path("ask").decimalValue());
        })
        .assertNext(m -> assertThat(m.path("type").asText()).isEqualTo("update"))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void aChecksumFaultMisstatesALevelAndAGapLosesAnUpdateWhileTheChecksumsStayTrue() {
    Book book = new Book(10);
    List<Boolean> agreed = Collections.synchronizedList(new ArrayList<>());
    StepVerifier.create(connect(subscribe("book", "[\"BTC/USD\"]", 10))
            .filter(m -> m.path("channel").asText().equals("book")))
        .assertNext(m -> assertThat(book.apply(m.path("data").path(0)))
            .isEqualTo(m.path("data").path(0).path("checksum").asLong()))
        .then(() -> sim.wsFault(WsFault.CHECKSUM_MISMATCH))
        .thenConsumeWhile(m -> agreed.size() < 20, m -> {
          JsonNode d = m.path("data").path(0);
          agreed.add(book.apply(d) == d.path("checksum").asLong());
        })
        .thenCancel()
        .verify(WAIT);

    assertThat(agreed).contains(false);
  }

  /** A client's book from v2 messages, cut to its depth, and its checksum. */
  private static final class Book {
    private final int depth;
    private final TreeMap<BigDecimal, String[]> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<BigDecimal, String[]> asks = new TreeMap<>();
    int updates;

    Book(int depth) {
      this.depth = depth;
    }

    long apply(JsonNode data) {
      side(bids, data.path("bids"));
      side(asks, data.path("asks"));
      StringBuilder s = new StringBuilder();
      for (TreeMap<BigDecimal, String[]> side : List.of(asks, bids)) {
        side.values().stream().limit(10).forEach(l -> s.append(digits(l[0]))
            .append(digits(l[1])));
      }
      CRC32 crc = new CRC32();
      crc.update(s.toString().getBytes(StandardCharsets.US_ASCII));
      return crc.getValue();
    }

    private void side(TreeMap<BigDecimal, String[]> side, JsonNode levels) {
      for (JsonNode l : levels) {
        String price = l.path("price").decimalValue().toPlainString();
        String qty = l.path("qty").decimalValue().toPlainString();
        if (new BigDecimal(qty).signum() == 0) {
          side.remove(new BigDecimal(price));
        } else {
          side.put(new BigDecimal(price), new String[] {price, qty});
        }
      }
      while (side.size() > depth) {
        side.pollLastEntry();
      }
    }

    private static String digits(String decimal) {
      return decimal.replace(".", "").replaceFirst("^0+", "");
    }
  }
}
