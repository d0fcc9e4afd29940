package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.BookHealth;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.venue.bybit.internal.BybitSource;
import dev.scanflux.exchanges.venue.bybit.internal.BybitStream;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.StreamingSource;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Bybit's push stream on real sockets, spot and linear: against the simulator's WebSocket side
 * for subscriptions, books kept equal to the simulator's, tickers, every fault and resyncs;
 * against a scripted server for the wire details (fixtures written from Bybit's v5
 * documentation); and under the real engine, which stops polling what the stream keeps live.
 */
class BybitStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PING = "{\"op\":\"ping\"}";
  private static final int DEPTH = 20;

  @RegisterExtension
  final Closer closer = new Closer();

  private <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  private VenueSimulator sim(SimulatedVenue venue) {
    return SimulatedStreams.started(closer, venue, 30);
  }

  private MarketSource source(SimulatedVenue venue, VenueSimulator sim) {
    return closing(SimulatedPresets.of(venue).baseUrl(sim.start()).streamUrl(sim.websocketUrl()).build());
  }

  private MarketStream stream(SimulatedVenue venue, VenueSimulator sim) {
    return source(venue, sim).stream().orElseThrow();
  }

  private StreamProbe connect(MarketStream stream, Instrument... instruments) {
    return closing(StreamProbe.connect(stream, DEPTH, instruments));
  }

  private static Instrument btc(SimulatedVenue venue) {
    return venue.instrument("BTC");
  }

  private static Instrument eth(SimulatedVenue venue) {
    return venue.instrument("ETH");
  }

  /** Waits until the stream emitted the book the simulator streamed last, time included. */
  private static void awaitInSync(StreamProbe probe, VenueSimulator sim, Instrument i) {
    probe.await("a book of " + i, p -> !p.books(i).isEmpty(), PATIENCE);
    BookSnapshot expected = sim.streamedBook(i, DEPTH);
    probe.await(i + " equal to the simulator's " + expected, p -> p.books(i).stream()
        .anyMatch(b -> StreamProbe.sameLevels(b, expected)
            && b.exchangeTime().equals(expected.exchangeTime())), PATIENCE);
  }

  private static void awaitMoreBooks(StreamProbe probe, Instrument i, int more) {
    int seen = probe.books(i).size();
    probe.await(more + " more books of " + i, p -> p.books(i).size() >= seen + more, PATIENCE);
  }

  /** The client's frames, heartbeats left out. */
  private static List<JsonNode> received(VenueSimulator sim) {
    return sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .map(WsEvent::text).filter(t -> !t.equals(PING)).map(BybitStreamTest::json).toList();
  }

  /** The topics of the client's {@code op} frames, in order. */
  private static List<String> topics(VenueSimulator sim, String op) {
    return received(sim).stream().filter(f -> f.path("op").asText().equals(op))
        .flatMap(f -> StreamSupport.stream(f.path("args").spliterator(), false))
        .map(JsonNode::asText).toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<StreamEvent.Resync> resyncs(StreamProbe p, ResyncCause cause) {
    return p.events(StreamEvent.Resync.class).stream().filter(r -> r.cause() == cause).toList();
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void subscribesInFramesOfTenThenKeepsEveryBookEqualToTheVenues(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    List<Instrument> six = List.of("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE").stream()
        .map(venue::instrument).toList();
    StreamProbe probe = connect(stream(venue, sim), six.toArray(Instrument[]::new));
    Instrument btc = btc(venue);

    probe.await("books and tickers of all", p -> six.stream().allMatch(i ->
        p.books(i).size() >= 5 && p.tickers(i).size() >= 3), PATIENCE);
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    List<JsonNode> frames = received(sim);
    assertThat(frames).hasSize(2);
    assertThat(frames).extracting(f -> f.path("args").size()).containsExactly(10, 2);
    assertThat(frames).extracting(f -> f.path("req_id").asText()).containsExactly("1", "2");
    assertThat(topics(sim, "subscribe")).startsWith("orderbook.50.BTCUSDT", "tickers.BTCUSDT",
        "orderbook.50.ETHUSDT").endsWith("orderbook.50.DOGEUSDT", "tickers.DOGEUSDT");
    for (Instrument i : six) {
      awaitInSync(probe, sim, i);
    }
    awaitMoreBooks(probe, btc, 10);
    awaitInSync(probe, sim, btc);
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(btc)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo(venue == SimulatedVenue.BYBIT ? "bybit" : "bybit-linear");
      assertThat(b.bidLevels()).isEqualTo(DEPTH);
      assertThat(b.askLevels()).isEqualTo(DEPTH);
    });

    // Spot's bid and ask are the synced book's, linear's the venue's; both the book's best.
    List<TickerSnapshot> tickers = probe.tickers(btc);
    assertThat(tickers).allSatisfy(t -> {
      assertThat(t.bid()).isLessThan(t.ask());
      assertThat(t.last()).isBetween(t.bid(), t.ask());
      assertThat(t.baseVolume24h()).isPositive();
      assertThat(t.quoteVolume24h()).isPositive();
      assertThat(t.change24h()).isNotNaN();
    });
    TickerSnapshot last = tickers.get(tickers.size() - 1);
    assertThat(probe.books(btc)).anySatisfy(b -> {
      assertThat(b.bestBid()).isEqualTo(last.bid());
      assertThat(b.bestAsk()).isEqualTo(last.ask());
    });
    assertThat(probe.error()).isNull();
  }

  @Test
  void linearMultipliedSymbolsAreTheRestSourcesAndTickerDeltasAreMergedIntoFullTickers() {
    SimulatedVenue venue = SimulatedVenue.BYBIT_LINEAR;
    VenueSimulator sim = sim(venue);
    MarketSource source = source(venue, sim);
    Instrument pepe = Instrument.perpetual("1000PEPE", "USDT");
    assertThat(source.instruments().block(PATIENCE)).contains(pepe);
    StreamProbe probe = connect(source.stream().orElseThrow(), pepe);

    probe.await("10 tickers", p -> p.tickers(pepe).size() >= 10, PATIENCE);
    awaitInSync(probe, sim, pepe);

    assertThat(topics(sim, "subscribe"))
        .containsExactly("orderbook.50.1000PEPEUSDT", "tickers.1000PEPEUSDT");
    // Every ticker after the first came from a delta of a few fields, yet is whole.
    assertThat(probe.tickers(pepe)).allSatisfy(t -> {
      assertThat(t.bid()).isPositive().isLessThan(t.ask());
      assertThat(t.baseVolume24h()).isPositive();
      assertThat(t.change24h()).isNotNaN();
    });
    TickerSnapshot rest = source.ticker(pepe).block(PATIENCE);
    assertThat(probe.tickers(pepe).get(0).baseVolume24h())
        .isCloseTo(Objects.requireNonNull(rest).baseVolume24h(), within(rest.baseVolume24h()));
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void aSequenceGapResyncsByResubscribingTheTopic(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = btc(venue);
    StreamProbe probe = connect(stream(venue, sim), btc, eth(venue));
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    probe.await("a gap resync", p -> !resyncs(p, ResyncCause.SEQUENCE_GAP).isEmpty(), PATIENCE);
    awaitMoreBooks(probe, btc, 3);
    awaitInSync(probe, sim, btc);
    awaitInSync(probe, sim, eth(venue));

    assertThat(resyncs(probe, ResyncCause.SEQUENCE_GAP)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(btc);
      assertThat(r.detail()).matches("expected u \\d+, got \\d+");
    });
    assertThat(topics(sim, "unsubscribe")).containsExactly("orderbook.50.BTCUSDT");
    assertThat(topics(sim, "subscribe")).containsExactly("orderbook.50.BTCUSDT",
        "tickers.BTCUSDT", "orderbook.50.ETHUSDT", "tickers.ETHUSDT", "orderbook.50.BTCUSDT");
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void bybitHasNoChecksumSoAChecksumMismatchFaultChangesNothing(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = btc(venue);
    StreamProbe probe = connect(stream(venue, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.CHECKSUM_MISMATCH, btc);
    awaitMoreBooks(probe, btc, 20);
    awaitInSync(probe, sim, btc);

    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(topics(sim, "unsubscribe")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void aMalformedMessageIsRejectedAndTheStreamGoesOnInSync(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = btc(venue);
    StreamProbe probe = connect(stream(venue, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.MALFORMED, btc);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    awaitMoreBooks(probe, btc, 5);
    awaitInSync(probe, sim, btc);

    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .extracting(StreamEvent.Rejected::detail).asString().startsWith("malformed JSON: <html>");
    // A lost delta breaks the chain (a gap resync); a lost ticker does not.
    assertThat(probe.events(StreamEvent.Resync.class))
        .allSatisfy(r -> assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aDroppedConnectionErrorsTheFluxSoTheScannerReconnects() {
    VenueSimulator sim = sim(SimulatedVenue.BYBIT);
    // A client may miss an abrupt close until it next writes: the heartbeat bounds that.
    MarketSource rest = closing(new BybitSource(settings(sim, "bybit")));
    MarketStream stream = closing(new BybitStream(settings(sim, "bybit"), rest,
        Duration.ofMillis(100)));
    Instrument btc = btc(SimulatedVenue.BYBIT);
    StreamProbe probe = connect(stream, btc);
    awaitInSync(probe, sim, btc);
    probe.await("a heartbeat", p -> sim.wsLog().stream()
        .anyMatch(e -> e.text().equals(PING)), PATIENCE);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining(sim.websocketUrl());
    assertThat(probe.completed()).isFalse();
  }

  private static SourceSettings settings(VenueSimulator sim, String venue) {
    return new SourceSettings(venue, sim.baseUrl(), BybitSource.LIMIT, 8, Duration.ofSeconds(5),
        reactor.core.scheduler.Schedulers.parallel(), sim.websocketUrl());
  }

  @Test
  void anIdleConnectionEmitsNothingAndCarriesOnWhenTheVenueSpeaksAgain() {
    VenueSimulator sim = sim(SimulatedVenue.BYBIT_LINEAR);
    Instrument btc = btc(SimulatedVenue.BYBIT_LINEAR);
    StreamProbe probe = connect(stream(SimulatedVenue.BYBIT_LINEAR, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.IDLE);
    int events = probe.events().size() + 4; // messages already on the wire may still arrive
    assertThatThrownBy(() -> probe.await("an event while idle",
        p -> p.events().size() > events, Duration.ofMillis(500)))
        .isInstanceOf(AssertionError.class);
    assertThat(probe.error()).isNull();
    assertThat(probe.completed()).isFalse();

    sim.clearWsFaults();
    awaitMoreBooks(probe, btc, 3);
    awaitInSync(probe, sim, btc);
  }

  @Test
  void aRefusedConnectionErrorsPromptly() {
    VenueSimulator sim = sim(SimulatedVenue.BYBIT);
    sim.wsFault(WsFault.REFUSE);

    StreamProbe probe = connect(stream(SimulatedVenue.BYBIT, sim), btc(SimulatedVenue.BYBIT))
        .awaitError(Duration.ofSeconds(5));

    assertThat(probe.error()).isInstanceOf(SourceException.class).hasMessageContaining("HTTP");
    assertThat(probe.events()).isEmpty();
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void aResyncRequestResubscribesEveryTopicOfTheInstrument(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = btc(venue);
    Sinks.Many<Instrument> asks = Sinks.many().unicast().onBackpressureBuffer();
    StreamProbe probe = closing(StreamProbe.connect(stream(venue, sim),
        new StreamRequest(List.of(btc, eth(venue)), DEPTH, true, true),
        StreamContext.direct(asks.asFlux())));
    awaitInSync(probe, sim, btc);
    sim.clearWsLog();

    asks.tryEmitNext(venue.instrument("SOL")); // not streamed here: nothing to do
    asks.tryEmitNext(btc);
    probe.await("BTC resubscribed", p -> received(sim).size() == 2, PATIENCE);
    awaitMoreBooks(probe, btc, 5);
    awaitInSync(probe, sim, btc);

    assertThat(received(sim)).extracting(f -> f.path("op").asText())
        .containsExactly("unsubscribe", "subscribe");
    assertThat(topics(sim, "subscribe")).containsExactly("orderbook.50.BTCUSDT",
        "tickers.BTCUSDT");
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(names = {"BYBIT", "BYBIT_LINEAR"})
  void tickersAloneTakeTheBestLevelsFromLevelOneOnSpotOnly(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = btc(venue);
    StreamProbe probe = closing(StreamProbe.connect(stream(venue, sim),
        new StreamRequest(List.of(btc), DEPTH, false, true), StreamContext.direct()));

    probe.await("5 tickers", p -> p.tickers(btc).size() >= 5, PATIENCE);

    assertThat(topics(sim, "subscribe")).containsExactlyElementsOf(
        venue == SimulatedVenue.BYBIT ? List.of("orderbook.1.BTCUSDT", "tickers.BTCUSDT")
            : List.of("tickers.BTCUSDT"));
    assertThat(probe.tickers(btc)).allSatisfy(t -> assertThat(t.bid()).isLessThan(t.ask()));
    assertThat(probe.books(btc)).isEmpty();
  }

  @Test
  void theTopicDepthIsBybitsSmallestCoveringTheRequest() {
    ScriptedWsServer server = closing(new ScriptedWsServer());
    server.onMessage((ws, m) -> ws.send("{\"topic\":\"" + json(m).path("args").get(0).asText()
        + "\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"s\":\"BTCUSDT\","
        + "\"b\":[[\"1\",\"1\"]],\"a\":[[\"2\",\"1\"]],\"u\":1,\"seq\":1}}"));
    for (int depth : new int[] {1, 50, 51, 200, 201, 5000}) {
      MarketStream stream = scriptedStream(server, Venues.bybit());
      closing(StreamProbe.connect(stream, new StreamRequest(List.of(Instrument.spot("BTC",
          "USDT")), depth, true, false), StreamContext.direct()))
          .await(StreamEvent.Update.class, 1, PATIENCE);
    }
    assertThat(server.received()).extracting(f -> json(f).path("args").get(0).asText())
        .containsExactly("orderbook.1.BTCUSDT", "orderbook.50.BTCUSDT", "orderbook.200.BTCUSDT",
            "orderbook.200.BTCUSDT", "orderbook.1000.BTCUSDT", "orderbook.1000.BTCUSDT");
  }

  @Test
  void withoutBybitsTimeTheExchangeTimeIsTheReceiveTimeOneClockReading() {
    Instrument btc = Instrument.spot("BTC", "USDT");
    ScriptedWsServer server = closing(new ScriptedWsServer());
    server.onMessage((ws, m) -> { // a snapshot with no ts
      ws.send("{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"snapshot\",\"data\":{\"s\":"
          + "\"BTCUSDT\",\"b\":[[\"1\",\"1\"]],\"a\":[[\"2\",\"1\"]],\"u\":1,\"seq\":1}}");
    });
    MarketStream stream = scriptedStream(server, Venues.bybit().clock(new TickingClock()));
    StreamProbe probe = closing(StreamProbe.connect(stream, new StreamRequest(List.of(btc), 50,
        true, false), StreamContext.direct()));
    probe.await("a book", p -> !p.books(btc).isEmpty(), PATIENCE);
    BookSnapshot b = probe.books(btc).get(0);
    assertThat(b.exchangeTime()).isEqualTo(b.receivedAt());
  }

  private MarketStream scriptedStream(ScriptedWsServer server, VenueBuilder preset) {
    return closing(preset.baseUrl("http://127.0.0.1:19").streamUrl(server.uri().toString())
        .build()).stream().orElseThrow();
  }

  @Test
  void readsBooksAndTickersAsBybitWritesThemAndNeverEmitsABadBook() {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    Instrument btc = Instrument.perpetual("BTC", "USDT");
    ScriptedWsServer server = closing(new ScriptedWsServer());
    server.onMessage((ws, m) -> {
      int request = json(m).path("req_id").asInt();
      if (request == 7) { // the third resubscription
        ws.send(book("snapshot", 9, "[[\"64300.0\",\"2\"]]", "[[\"64300.5\",\"1\"]]"));
      }
      if (request != 1) {
        return;
      }
      ws.send("{\"success\":true,\"ret_msg\":\"\",\"conn_id\":\"c1\",\"req_id\":\"1\","
          + "\"op\":\"subscribe\"}");
      ws.send(book("snapshot", 100, "[[\"64000.0\",\"1.5\"],[\"63999.5\",\"0.25\"]]",
          "[[\"64000.5\",\"2.0\"],[\"64001.0\",\"0.1\"]]"));
      ws.send(book("delta", 101, "[[\"63999.5\",\"0\"],[\"63999.0\",\"3\"]]", "[]"));
      ws.send(ticker("snapshot", "{\"symbol\":\"BTCUSDT\",\"tickDirection\":\"PlusTick\","
          + "\"price24hPcnt\":\"0.0125\",\"lastPrice\":\"64000.5\",\"prevPrice24h\":\"63210.0\","
          + "\"highPrice24h\":\"64500.0\",\"lowPrice24h\":\"63000.0\",\"markPrice\":\"64000.2\","
          + "\"turnover24h\":\"1500000000.5\",\"volume24h\":\"23500.25\","
          + "\"bid1Price\":\"64000.0\",\"bid1Size\":\"1.5\",\"ask1Price\":\"64000.5\","
          + "\"ask1Size\":\"2.0\"}"));
      ws.send(ticker("delta", "{\"symbol\":\"BTCUSDT\",\"bid1Price\":\"64000.1\","
          + "\"lastPrice\":\"64000.3\"}"));
      ws.send("{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"c1\",\"op\":\"ping\"}");
      ws.send("{\"op\":\"pong\",\"args\":[\"1700000000000\"],\"conn_id\":\"c1\"}");
      ws.send(book("delta", 103, "[[\"64000.0\",\"1\"]]", "[]")); // 102 lost
      ws.send(book("snapshot", 1, "[[\"64100.0\",\"1\"]]", "[[\"64100.5\",\"1\"]]")); // restart
      ws.send(book("delta", 2, "[[\"64101.0\",\"1\"]]", "[]")); // crosses
      ws.send(book("snapshot", 7, "[[\"64200.0\",\"1\"]]", "[[\"64200.5\",\"x\"]]"));
      ws.send("{\"topic\":\"orderbook.50.ETHUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{}}");
      ws.send("{\"success\":false,\"ret_msg\":\"error:invalid topics [tickers.FOOUSDT]\","
          + "\"conn_id\":\"c1\",\"req_id\":\"1\",\"op\":\"subscribe\"}");
    });
    StreamProbe probe = closing(StreamProbe.connect(scriptedStream(server, Venues.bybitLinear()),
        new StreamRequest(List.of(btc, Instrument.spot("BTC", "USDT")), 2, true, true),
        StreamContext.direct()));

    probe.await("the last book", p -> p.books(btc).size() == 4, PATIENCE);

    List<StreamEvent> events = probe.events();
    assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
        "Connected", "Rejected", "Update", "Update", "Update", "Update", "Resync", "Update",
        "Resync", "Resync", "Rejected", "Rejected", "Update");
    assertThat(((StreamEvent.Rejected) events.get(1)).detail())
        .contains("BTC/USDT", "linear perpetuals only");
    assertThat(probe.books(btc).get(0)).isEqualTo(BookSnapshot.builder("bybit-linear", btc)
        .bid(64000.0, 1.5).bid(63999.5, 0.25).ask(64000.5, 2.0).ask(64001.0, 0.1)
        .exchangeTime(Instant.ofEpochMilli(1700000000100L))
        .receivedAt(probe.books(btc).get(0).receivedAt()).build());
    BookSnapshot delta = probe.books(btc).get(1);
    assertThat(delta.bidLevels()).isEqualTo(2);
    assertThat(delta.bidPrice(1)).isEqualTo(63999.0);
    assertThat(delta.bidSize(1)).isEqualTo(3.0);
    TickerSnapshot full = probe.tickers(btc).get(0);
    TickerSnapshot merged = probe.tickers(btc).get(1);
    assertThat(full.bid()).isEqualTo(64000.0);
    assertThat(full.baseVolume24h()).isEqualTo(23500.25);
    assertThat(full.change24h()).isEqualTo(0.0125);
    assertThat(full.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1700000000050L)); // its ts
    // received now, on the settings' clock: not the message's ts (2023), which it once was
    assertThat(full.receivedAt()).isAfterOrEqualTo(before);
    assertThat(merged.bid()).isEqualTo(64000.1);
    assertThat(merged.last()).isEqualTo(64000.3);
    assertThat(merged.ask()).isEqualTo(64000.5);
    assertThat(merged.quoteVolume24h()).isEqualTo(1500000000.5);
    assertThat(((StreamEvent.Resync) events.get(6)).cause()).isEqualTo(ResyncCause.SEQUENCE_GAP);
    assertThat(((StreamEvent.Resync) events.get(6)).detail()).isEqualTo("expected u 102, got 103");
    assertThat(probe.books(btc).get(2).bestBid()).isEqualTo(64100.0); // the u=1 snapshot
    assertThat(((StreamEvent.Resync) events.get(8)).cause()).isEqualTo(ResyncCause.BAD_DATA);
    assertThat(((StreamEvent.Resync) events.get(8)).detail()).contains("crosses the book");
    assertThat(((StreamEvent.Resync) events.get(9)).cause()).isEqualTo(ResyncCause.BAD_DATA);
    assertThat(((StreamEvent.Rejected) events.get(10)).detail())
        .contains("orderbook.50.ETHUSDT");
    assertThat(((StreamEvent.Rejected) events.get(11)).detail())
        .isEqualTo("Bybit refused subscribe: error:invalid topics [tickers.FOOUSDT]");
    assertThat(probe.books(btc).get(3).bestBid()).isEqualTo(64300.0);
    assertThat(server.received()).extracting(BybitStreamTest::json).containsExactly(
        json("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\",\"tickers.BTCUSDT\"],"
            + "\"req_id\":\"1\"}"),
        json("{\"op\":\"unsubscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"2\"}"),
        json("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"3\"}"),
        json("{\"op\":\"unsubscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"4\"}"),
        json("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"5\"}"),
        json("{\"op\":\"unsubscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"6\"}"),
        json("{\"op\":\"subscribe\",\"args\":[\"orderbook.50.BTCUSDT\"],\"req_id\":\"7\"}"));
  }

  private static String book(String type, long u, String bids, String asks) {
    return "{\"topic\":\"orderbook.50.BTCUSDT\",\"type\":\"" + type + "\",\"ts\":"
        + (1700000000000L + u) + ",\"data\":{\"s\":\"BTCUSDT\",\"b\":" + bids + ",\"a\":" + asks
        + ",\"u\":" + u + ",\"seq\":" + (9000 + u) + "},\"cts\":1700000000000}";
  }

  private static String ticker(String type, String data) {
    return "{\"topic\":\"tickers.BTCUSDT\",\"type\":\"" + type + "\",\"ts\":1700000000050,"
        + "\"cs\":9050,\"data\":" + data + "}";
  }

  @Test
  void theScannerStopsPollingWhatTheStreamKeepsLiveAndPollsWhileItIsDown() {
    SimulatedVenue venue = SimulatedVenue.BYBIT_LINEAR;
    VenueSimulator sim = sim(venue);
    List<Instrument> three = List.of(btc(venue), eth(venue), venue.instrument("1000PEPE"));
    Scanner scanner = closing(Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source(venue, sim), VenueOptions.custom().instruments(three)
            .stream(true).streamCycle(Duration.ofMillis(100)).staleAfter(Duration.ofSeconds(2))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .build());
    List<Scan> scans = new CopyOnWriteArrayList<>();
    scanner.scans().subscribe(scans::add);
    scanner.start();

    Scan live = scan(scanner, BybitStreamTest::everythingLive);
    // a poll started before the stream had everything may still reach the venue: let it land
    Scan settled = scan(scanner, s -> s.cycle() >= live.cycle() + 2 && everythingLive(s));
    Flux.interval(Duration.ofMillis(10)).filter(t -> sim.inFlight() == 0).blockFirst(PATIENCE);
    sim.clearRequestLog();
    Scan later = scan(scanner, s -> s.cycle() >= settled.cycle() + 3);
    assertThat(sim.requestLog()).as("nothing polled while the stream keeps all live").isEmpty();
    assertThat(report(later).polled()).isZero();
    // a scan holds what changed in its period; the view holds the latest, here from the stream
    assertThat(scanner.view().health("bybit-linear", three.get(2))).get()
        .extracting(BookHealth::origin, BookHealth::state)
        .containsExactly(BookHealth.Origin.STREAM, BookHealth.State.LIVE);
    assertThat(scanner.view().ticker("bybit-linear", three.get(2))).isPresent();

    sim.wsFault(WsFault.REFUSE); // the reconnections fail until the faults are cleared
    sim.wsFault(WsFault.DROP);
    Scan polling = scan(scanner, s -> sim.requestLog().stream().map(ServedRequest::symbol)
        .filter(Objects::nonNull).distinct().count() == 3);
    assertThat(report(polling).state()).isEqualTo(StreamReport.State.DOWN);

    sim.clearWsFaults();
    Scan liveAgain = scan(scanner, s -> s.cycle() > polling.cycle() && everythingLive(s));
    sim.clearRequestLog();
    scan(scanner, s -> s.cycle() >= liveAgain.cycle() + 3);
    assertThat(sim.requestLog()).as("back on the stream").isEmpty();
    assertThat(scans.stream().mapToLong(s -> report(s).connects()).sum()).isEqualTo(2);
    assertThat(scans.stream().mapToLong(s -> report(s).disconnects()).sum()).isPositive();
  }

  private static StreamReport report(Scan scan) {
    return scan.report().venues().get("bybit-linear").stream();
  }

  private static boolean everythingLive(Scan scan) {
    StreamReport r = report(scan);
    return r.state() == StreamReport.State.CONNECTED && r.liveBooks() == 3
        && r.liveTickers() == 3;
  }

  private static Scan scan(Scanner scanner, Predicate<Scan> condition) {
    Scan s = scanner.scans().filter(condition).blockFirst(PATIENCE);
    assertThat(s).as("a scan in time").isNotNull();
    return s;
  }

  @Test
  void aStreamNeedsBybitsRestSource() {
    VenueSimulator sim = sim(SimulatedVenue.BYBIT);
    StreamingSource hyperliquid = (StreamingSource) closing(Venues.hyperliquid()
        .baseUrl(sim.baseUrl()).streamUrl("ws://127.0.0.1:19/ws").build());
    assertThatThrownBy(() -> new BybitStream(settings(sim, "bybit"), hyperliquid.rest()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BybitSource");
  }
}
