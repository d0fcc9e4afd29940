package dev.scanflux.exchanges.simulated;

import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The simulator's WebSocket side, OKX's public channels, through a real client socket. */
class VenueSimulatorWebSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUBSCRIBE_BTC = "{\"op\":\"subscribe\",\"args\":["
      + "{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},"
      + "{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"}]}";

  private final WsClient client = WsClient.ownThreads("okx");
  private final List<VenueSimulator> sims = new ArrayList<>();

  @AfterEach
  void close() {
    sims.forEach(VenueSimulator::close);
    client.close();
  }

  private VenueSimulator sim(SimulatedVenue venue) {
    VenueSimulator sim = VenueSimulator.builder(venue).instruments(20).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sims.add(sim);
    sim.start();
    return sim;
  }

  private Flux<String> connect(VenueSimulator sim, String... frames) {
    return client.connect(WsSpec.of("okx", URI.create(sim.websocketUrl())), List.of(frames));
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isJson(String text) {
    try {
      JSON.readTree(text);
      return true;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return false;
    }
  }

  private static boolean isBook(JsonNode m) {
    return m.path("arg").path("channel").asText().equals("books") && m.has("data");
  }

  @Test
  void subscribeIsAnsweredThenASnapshotThenDeltasInSequenceWithTrueChecksums() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    assertThat(sim.websocketUrl()).matches("ws://127\\.0\\.0\\.1:\\d+/ws/v5/public");
    TestBook book = new TestBook();

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC).map(VenueSimulatorWebSocketTest::json))
        .assertNext(m -> {
          assertThat(m.path("event").asText()).isEqualTo("subscribe");
          assertThat(m.path("arg").path("channel").asText()).isEqualTo("books");
          assertThat(m.path("arg").path("instId").asText()).isEqualTo("BTC-USDT");
          assertThat(m.path("connId").asText()).isNotEmpty();
        })
        .assertNext(m -> {
          assertThat(m.path("action").asText()).isEqualTo("snapshot");
          JsonNode d = m.path("data").get(0);
          assertThat(d.path("bids")).hasSize(400);
          assertThat(d.path("asks")).hasSize(400);
          assertThat(d.path("bids").get(0)).hasSize(4);
          assertThat(d.path("prevSeqId").asLong()).isEqualTo(-1);
          assertThat(d.path("ts").asText()).matches("\\d{13}");
          book.apply(d);
          assertThat(d.path("checksum").asInt()).isEqualTo(book.checksum());
        })
        .assertNext(m -> assertThat(m.path("event").asText()).isEqualTo("subscribe"))
        .thenConsumeWhile(m -> !isBook(m) || book.updates < 30, m -> {
          if (isBook(m)) {
            assertThat(m.path("action").asText()).isEqualTo("update");
            JsonNode d = m.path("data").get(0);
            assertThat(d.path("prevSeqId").asLong()).isEqualTo(book.seqId);
            book.apply(d);
            assertThat(d.path("checksum").asInt()).isEqualTo(book.checksum());
            assertThat(book.bestBid()).isLessThan(book.bestAsk());
          } else {
            JsonNode t = m.path("data").get(0);
            assertThat(m.path("arg").path("channel").asText()).isEqualTo("tickers");
            assertThat(t.path("instId").asText()).isEqualTo("BTC-USDT");
            assertThat(new BigDecimal(t.path("bidPx").asText()))
                .isLessThan(new BigDecimal(t.path("askPx").asText()));
            for (String f : List.of("last", "lastSz", "askSz", "bidSz", "open24h", "high24h",
                "low24h", "vol24h", "volCcy24h", "ts")) {
              assertThat(t.path(f).asText()).as(f).isNotEmpty();
            }
          }
        })
        .thenCancel()
        .verify(WAIT);
    assertThat(book.updates).isEqualTo(30);
  }

  @Test
  void swapBooksAreInWholeContractsAroundTheRestPrice() {
    VenueSimulator sim = sim(SimulatedVenue.OKX_SWAP);
    BookSnapshot rest;
    try (MarketSource source = Venues.okxSwap().baseUrl(sim.baseUrl()).build()) {
      rest = source.book(SimulatedVenue.OKX_SWAP.instrument("BTC"), 5).block(WAIT);
    }
    assertThat(rest).isNotNull();
    double restMid = rest.mid();

    StepVerifier.create(connect(sim, "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"books\","
            + "\"instId\":\"BTC-USDT-SWAP\"}]}").map(VenueSimulatorWebSocketTest::json))
        .assertNext(m -> assertThat(m.path("arg").path("instId").asText())
            .isEqualTo("BTC-USDT-SWAP"))
        .assertNext(m -> {
          JsonNode d = m.path("data").get(0);
          for (JsonNode level : d.path("bids")) {
            assertThat(level.get(1).asText()).matches("[1-9]\\d*");
          }
          double bid = d.path("bids").get(0).get(0).asDouble();
          assertThat(bid).isCloseTo(restMid, org.assertj.core.data.Percentage.withPercentage(1));
        })
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void pingIsAnsweredPongAndUnknownInstrumentsAnError() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);

    StepVerifier.create(connect(sim, "ping", "{\"op\":\"subscribe\",\"args\":[{\"channel\":"
        + "\"books\",\"instId\":\"NOPE-USDT\"}]}", "not json"))
        .expectNext("pong")
        .assertNext(m -> {
          assertThat(json(m).path("event").asText()).isEqualTo("error");
          assertThat(json(m).path("code").asText()).isEqualTo("60018");
        })
        .assertNext(m -> assertThat(json(m).path("code").asText()).isEqualTo("60012"))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void sequenceGapSkipsOneIdInTheNextDeltaOnly() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    List<long[]> ids = new ArrayList<>();

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC).map(VenueSimulatorWebSocketTest::json)
            .filter(VenueSimulatorWebSocketTest::isBook))
        .assertNext(snapshot -> ids.add(ids(snapshot)))
        .then(() -> sim.wsFault(WsFault.SEQUENCE_GAP, SimulatedVenue.OKX.instrument("BTC")))
        .thenConsumeWhile(m -> ids.size() < 12, m -> ids.add(ids(m)))
        .thenCancel()
        .verify(WAIT);

    // Deltas already on the wire when the fault was given arrive intact; exactly one after
    // them names a previous id one past the last one sent, and the ones after it follow on.
    int gaps = 0;
    for (int k = 1; k < ids.size(); k++) {
      if (ids.get(k)[0] != ids.get(k - 1)[1]) {
        gaps++;
        assertThat(ids.get(k)[0]).isEqualTo(ids.get(k - 1)[1] + 1);
      }
      assertThat(ids.get(k)[1]).isEqualTo(ids.get(k)[0] + 1);
    }
    assertThat(gaps).isEqualTo(1);
  }

  @Test
  void checksumMismatchHitsTheNextDeltaOnly() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    TestBook book = new TestBook();
    List<Boolean> matches = new ArrayList<>();

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC).map(VenueSimulatorWebSocketTest::json)
            .filter(VenueSimulatorWebSocketTest::isBook))
        .assertNext(snapshot -> book.apply(snapshot.path("data").get(0)))
        .then(() -> sim.wsFault(WsFault.CHECKSUM_MISMATCH, SimulatedVenue.OKX.instrument("BTC")))
        .thenConsumeWhile(m -> matches.size() < 12, m -> {
          JsonNode d = m.path("data").get(0);
          book.apply(d);
          matches.add(d.path("checksum").asInt() == book.checksum());
        })
        .thenCancel()
        .verify(WAIT);

    // Deltas already on the wire when the fault was given are intact; one after them is not.
    assertThat(matches).containsOnlyOnce(false);
    assertThat(matches.subList(matches.indexOf(false) + 1, matches.size())).isNotEmpty()
        .containsOnly(true);
  }

  @Test
  void malformedReplacesTheNextMessageWithTextThatIsNotJson() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC))
        .expectNextCount(3)
        .then(() -> sim.wsFault(WsFault.MALFORMED))
        // Messages already on the wire arrive intact; then one is not JSON, then JSON again.
        .thenConsumeWhile(VenueSimulatorWebSocketTest::isJson)
        .assertNext(m -> assertThat(isJson(m)).isFalse())
        .assertNext(m -> assertThat(json(m).has("arg")).isTrue())
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void dropClosesEveryConnectionAndTheClientSeesIt() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);

    StepVerifier.create(Flux.merge(connect(sim, SUBSCRIBE_BTC), connect(sim, SUBSCRIBE_BTC)))
        .expectNextCount(6)
        .then(() -> sim.wsFault(WsFault.DROP))
        .thenConsumeWhile(m -> true)
        .expectError(TransientSourceException.class)
        .verify(WAIT);
    await(() -> sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.CLOSED).count() == 2
        && sim.wsConnections() == 0);
  }

  @Test
  void idleKeepsTheConnectionOpenButSilentUntilCleared() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    sim.wsFault(WsFault.IDLE);

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC, "ping"))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(300))
        .then(() -> {
          assertThat(sim.wsConnections()).isEqualTo(1);
          assertThat(sim.wsMessagesSent()).isZero();
          assertThat(sim.wsLog()).filteredOn(e -> e.kind() == WsEvent.Kind.RECEIVED)
              .extracting(WsEvent::text).containsExactly(SUBSCRIBE_BTC, "ping");
          sim.clearWsFaults();
        })
        .assertNext(m -> assertThat(json(m).path("arg").path("instId").asText())
            .isEqualTo("BTC-USDT"))
        .thenCancel()
        .verify(WAIT);
  }

  @Test
  void refuseRejectsEveryConnectionUntilCleared() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    sim.wsFault(WsFault.REFUSE);

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("cannot open"))
        .verify(WAIT);
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);

    sim.clearWsFaults();
    StepVerifier.create(connect(sim, SUBSCRIBE_BTC).take(1))
        .expectNextCount(1)
        .verifyComplete();
  }

  @Test
  void theLogHoldsConnectionsAndClientFramesAndCountsWhatWasSent() {
    VenueSimulator sim = sim(SimulatedVenue.OKX);

    StepVerifier.create(connect(sim, SUBSCRIBE_BTC).take(5))
        .expectNextCount(5)
        .verifyComplete();

    assertThat(sim.wsMessagesSent()).isGreaterThanOrEqualTo(5);
    List<WsEvent> log = sim.wsLog();
    assertThat(log.get(0).kind()).isEqualTo(WsEvent.Kind.OPENED);
    assertThat(log.get(0).text()).isEqualTo("/ws/v5/public");
    assertThat(log.get(1).kind()).isEqualTo(WsEvent.Kind.RECEIVED);
    assertThat(log.get(1).text()).isEqualTo(SUBSCRIBE_BTC);
    assertThat(log).extracting(WsEvent::connection).containsOnly(1);
    sim.clearWsLog();
    assertThat(sim.wsLog()).isEmpty();
  }

  @Test
  void theWebSocketSideMustBeAskedForAndExist() {
    assertThatThrownBy(() -> VenueSimulator.builder(SimulatedVenue.LIGHTER).websocket(true))
        .isInstanceOf(IllegalArgumentException.class);
    try (VenueSimulator plain = VenueSimulator.builder(SimulatedVenue.OKX).instruments(5)
        .build()) {
      assertThatThrownBy(plain::websocketUrl).isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(() -> VenueSimulator.builder(SimulatedVenue.OKX)
        .streamInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    VenueSimulator sim = sim(SimulatedVenue.OKX);
    assertThatThrownBy(() -> sim.wsFault(WsFault.DROP, SimulatedVenue.OKX.instrument("BTC")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sim.wsFault(WsFault.MALFORMED,
        SimulatedVenue.OKX.instrument("NOTLISTED"))).isInstanceOf(IllegalArgumentException.class);
  }

  /** Waits, without sleeping, until the condition holds; polls every 10 ms. */
  private static void await(java.util.function.BooleanSupplier condition) {
    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> condition.getAsBoolean()).next())
        .expectNextCount(1)
        .expectComplete()
        .verify(WAIT);
  }

  private static long[] ids(JsonNode m) {
    JsonNode d = m.path("data").get(0);
    return new long[] {d.path("prevSeqId").asLong(), d.path("seqId").asLong()};
  }

  /** The test's own book: BigDecimal prices, the texts as received, OKX's checksum rule. */
  private static final class TestBook {
    final TreeMap<BigDecimal, String[]> bids = new TreeMap<>(Collections.reverseOrder());
    final TreeMap<BigDecimal, String[]> asks = new TreeMap<>();
    long seqId;
    int updates = -1;

    void apply(JsonNode data) {
      side(bids, data.path("bids"));
      side(asks, data.path("asks"));
      seqId = data.path("seqId").asLong();
      updates++;
    }

    private static void side(TreeMap<BigDecimal, String[]> side, JsonNode levels) {
      for (JsonNode l : levels) {
        BigDecimal px = new BigDecimal(l.get(0).asText());
        if (new BigDecimal(l.get(1).asText()).signum() == 0) {
          side.remove(px);
        } else {
          side.put(px, new String[] {l.get(0).asText(), l.get(1).asText()});
        }
      }
    }

    BigDecimal bestBid() {
      return bids.firstKey();
    }

    BigDecimal bestAsk() {
      return asks.firstKey();
    }

    int checksum() {
      List<String> parts = new ArrayList<>();
      List<String[]> b = new ArrayList<>(bids.values());
      List<String[]> a = new ArrayList<>(asks.values());
      for (int i = 0; i < 25; i++) {
        if (i < b.size()) {
          parts.add(b.get(i)[0] + ":" + b.get(i)[1]);
        }
        if (i < a.size()) {
          parts.add(a.get(i)[0] + ":" + a.get(i)[1]);
        }
      }
      CRC32 crc = new CRC32();
      crc.update(String.join(":", parts).getBytes(StandardCharsets.US_ASCII));
      return (int) crc.getValue();
    }
  }
}
