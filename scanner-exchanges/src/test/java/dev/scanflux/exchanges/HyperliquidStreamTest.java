package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.BookHealth;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.venue.hyperliquid.internal.HyperliquidSource;
import dev.scanflux.exchanges.venue.hyperliquid.internal.HyperliquidStream;
import dev.scanflux.exchanges.internal.SourceSettings;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Hyperliquid's push stream on real sockets: against the simulator's WebSocket side for the
 * subscriptions, books kept equal to the simulator's, tickers, every fault and resyncs; against
 * a scripted server for the wire details (fixtures written from Hyperliquid's documentation);
 * and under the real engine, which stops polling what the stream keeps live.
 */
class HyperliquidStreamTest {

  private static final Instrument BTC = SimulatedVenue.HYPERLIQUID.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.HYPERLIQUID.instrument("ETH");
  private static final Instrument SOL = SimulatedVenue.HYPERLIQUID.instrument("SOL");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PING = "{\"method\":\"ping\"}";

  @RegisterExtension
  final Closer closer = new Closer();

  private <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  private VenueSimulator sim() {
    return SimulatedStreams.started(closer, SimulatedVenue.HYPERLIQUID, 20);
  }

  private MarketSource source(VenueSimulator sim) {
    return closing(Venues.hyperliquid().baseUrl(sim.start()).streamUrl(sim.websocketUrl())
        .build());
  }

  private MarketStream stream(VenueSimulator sim) {
    return source(sim).stream().orElseThrow();
  }

  private StreamProbe connect(MarketStream stream, int depth, Instrument... instruments) {
    return closing(StreamProbe.connect(stream, depth, instruments));
  }

  /**
   * Waits until the stream emitted the book the simulator streamed last: same levels, same
   * exchange time. Every book the simulator sends reaches the client, so this is "in sync".
   */
  private static void awaitInSync(StreamProbe probe, VenueSimulator sim, Instrument i,
      int depth) {
    probe.await("a book of " + i, p -> !p.books(i).isEmpty(), PATIENCE);
    BookSnapshot expected = sim.streamedBook(i, depth);
    probe.await(i + " equal to the simulator's " + expected, p -> p.books(i).stream()
        .anyMatch(b -> b.withReceivedAt(expected.receivedAt()).equals(expected)), PATIENCE);
  }

  /** Waits for {@code more} books of {@code i} beyond those seen so far. */
  private static void awaitMoreBooks(StreamProbe probe, Instrument i, int more) {
    int seen = probe.books(i).size();
    probe.await(more + " more books of " + i, p -> p.books(i).size() >= seen + more, PATIENCE);
  }

  private static List<JsonNode> received(VenueSimulator sim) {
    return sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .map(WsEvent::text).filter(t -> !t.equals(PING)).map(HyperliquidStreamTest::json)
        .toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode frame(String method, String type, String coin) {
    return json("{\"method\":\"" + method + "\",\"subscription\":{\"type\":\"" + type
        + "\",\"coin\":\"" + coin + "\"}}");
  }

  @Test
  void subscribesEachCoinsBookAndContextThenKeepsEveryBookEqualToTheVenues() {
    VenueSimulator sim = sim();
    StreamProbe probe = connect(stream(sim), 5, BTC, ETH);

    probe.await("books and tickers of both", p -> p.books(BTC).size() >= 10
        && p.books(ETH).size() >= 10 && p.tickers(BTC).size() >= 3, PATIENCE);
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    assertThat(received(sim)).containsExactly(frame("subscribe", "l2Book", "BTC"),
        frame("subscribe", "activeAssetCtx", "BTC"), frame("subscribe", "l2Book", "ETH"),
        frame("subscribe", "activeAssetCtx", "ETH"));
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(BTC)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo("hyperliquid");
      assertThat(b.bidLevels()).isEqualTo(5);
      assertThat(b.askLevels()).isEqualTo(5);
    });
    awaitInSync(probe, sim, BTC, 5);
    awaitInSync(probe, sim, ETH, 5);
    awaitMoreBooks(probe, BTC, 10);
    awaitInSync(probe, sim, BTC, 5);

    // The simulator's impact prices are its book's best levels, its mark the last trade within.
    TickerSnapshot t = SimulatedStreams.assertLastTickerIsTheBooks(probe, BTC);
    assertThat(t.quoteVolume24h()).isPositive();
    assertThat(probe.error()).isNull();
  }

  @Test
  void sequenceGapsAndChecksumMismatchesDoNotApplyToFullBooks() {
    VenueSimulator sim = sim();
    StreamProbe probe = connect(stream(sim), 20, BTC);
    awaitInSync(probe, sim, BTC, 20);

    sim.wsFault(WsFault.SEQUENCE_GAP, BTC);
    sim.wsFault(WsFault.CHECKSUM_MISMATCH, BTC);
    sim.wsFault(WsFault.SEQUENCE_GAP);
    awaitMoreBooks(probe, BTC, 20);

    awaitInSync(probe, sim, BTC, 20);
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.books(BTC)).allSatisfy(b -> assertThat(b.bidLevels()).isEqualTo(20));
  }

  @Test
  void aMalformedMessageIsRejectedAndTheStreamGoesOn() {
    VenueSimulator sim = sim();
    StreamProbe probe = connect(stream(sim), 20, BTC, ETH);
    awaitInSync(probe, sim, BTC, 20);

    sim.wsFault(WsFault.MALFORMED, BTC);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    awaitMoreBooks(probe, BTC, 5);

    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .satisfies(r -> assertThat(r.detail()).startsWith("malformed JSON: <html>"));
    awaitInSync(probe, sim, BTC, 20);
    awaitInSync(probe, sim, ETH, 20);
    assertThat(probe.error()).isNull();
  }

  @Test
  void aDroppedConnectionErrorsTheConnectionSoTheScannerReconnects() {
    VenueSimulator sim = sim();
    // A client may miss an abrupt close until it next writes: the heartbeat bounds that.
    MarketStream stream = closing(new HyperliquidStream(new SourceSettings("hyperliquid",
        sim.baseUrl(), HyperliquidSource.LIMIT, 4, Duration.ofSeconds(5), Schedulers.parallel(),
        sim.websocketUrl()), Duration.ofMillis(100)));
    StreamProbe probe = connect(stream, 20, BTC);
    awaitInSync(probe, sim, BTC, 20);
    probe.await("a heartbeat", p -> sim.wsLog().stream()
        .anyMatch(e -> e.text().equals(PING)), PATIENCE);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining(sim.websocketUrl());
    assertThat(probe.completed()).isFalse();
  }

  @Test
  void anIdleConnectionEmitsNothingAndCarriesOnWhenTheVenueSpeaksAgain() {
    VenueSimulator sim = sim();
    sim.wsFault(WsFault.IDLE);
    MarketStream stream = stream(sim);

    StepVerifier.create(stream.connect(new StreamRequest(List.of(BTC), 20, true, true),
            StreamContext.direct()))
        .expectNextMatches(e -> e instanceof StreamEvent.Connected)
        .expectNoEvent(Duration.ofMillis(300)) // fifteen ticks unanswered
        .then(() -> assertThat(received(sim)).hasSize(2))
        .then(sim::clearWsFaults)
        .expectNextMatches(e -> e instanceof StreamEvent.Update)
        .thenCancel()
        .verify(PATIENCE);
  }

  @Test
  void aStreamThatCannotConnectErrorsPromptly() {
    VenueSimulator sim = sim();
    sim.wsFault(WsFault.REFUSE);

    StepVerifier.create(stream(sim).connect(new StreamRequest(List.of(BTC), 20, true, true),
            StreamContext.direct()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("cannot open"))
        .verify(PATIENCE);
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);
  }

  @Test
  void aResyncRequestResubscribesTheCoinWhichBringsAFreshBook() {
    VenueSimulator sim = sim();
    Sinks.Many<Instrument> resyncs = Sinks.many().unicast().onBackpressureBuffer();
    StreamProbe probe = closing(StreamProbe.connect(stream(sim),
        new StreamRequest(List.of(BTC, ETH), 20, true, true),
        StreamContext.direct(resyncs.asFlux())));
    awaitInSync(probe, sim, BTC, 20);
    // ETH's subscriptions too, or one landing after the log is cleared is counted below
    awaitInSync(probe, sim, ETH, 20);
    sim.clearWsLog();

    resyncs.tryEmitNext(SOL); // not streamed here: nothing to do
    resyncs.tryEmitNext(BTC);
    probe.await("BTC resubscribed", p -> received(sim).size() >= 4, PATIENCE);

    assertThat(received(sim)).containsExactly(frame("unsubscribe", "l2Book", "BTC"),
        frame("unsubscribe", "activeAssetCtx", "BTC"), frame("subscribe", "l2Book", "BTC"),
        frame("subscribe", "activeAssetCtx", "BTC"));
    awaitMoreBooks(probe, BTC, 5);
    awaitInSync(probe, sim, BTC, 20);
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void readsBooksAndContextsAsHyperliquidWritesThemAndNeverEmitsABadBook() {
    ScriptedWsServer server = closing(new ScriptedWsServer());
    server.onMessage((ws, m) -> {
      if (!json(m).path("subscription").path("type").asText().equals("l2Book")) {
        return;
      }
      ws.send("{\"channel\":\"subscriptionResponse\",\"data\":" + m + "}");
      ws.send(book("BTC", 1700000000123L, "[{\"px\":\"64000.0\",\"sz\":\"1.5\",\"n\":3},"
          + "{\"px\":\"63999.0\",\"sz\":\"0.25\",\"n\":1}]",
          "[{\"px\":\"64001.0\",\"sz\":\"2.0\",\"n\":4},{\"px\":\"64002.5\",\"sz\":\"0.1\",\"n\":1}]"));
      ws.send("{\"channel\":\"activeAssetCtx\",\"data\":{\"coin\":\"BTC\",\"ctx\":{"
          + "\"funding\":\"0.0000125\",\"openInterest\":\"12000.5\",\"prevDayPx\":\"62000.0\","
          + "\"dayNtlVlm\":\"1500000000.0\",\"premium\":\"0.0001\",\"oraclePx\":\"64010.0\","
          + "\"markPx\":\"64005.0\",\"midPx\":\"64000.5\",\"impactPxs\":[\"63998.0\",\"64003.0\"],"
          + "\"dayBaseVlm\":\"23500.25\"}}}");
      ws.send(book("BTC", 1700000000200L, "[{\"px\":\"64010.0\",\"sz\":\"1\",\"n\":1}]",
          "[{\"px\":\"64001.0\",\"sz\":\"1\",\"n\":1}]")); // crossed
      ws.send(book("BTC", 1700000000300L, "[{\"px\":\"63990.0\",\"sz\":\"1\",\"n\":1},"
          + "{\"px\":\"64000.0\",\"sz\":\"1\",\"n\":1}]",
          "[{\"px\":\"64001.0\",\"sz\":\"1\",\"n\":1}]")); // bids worst first: sorted
      ws.send(book("DOGE", 1700000000400L, "[]", "[]"));
      ws.send("{\"channel\":\"activeAssetCtx\",\"data\":{\"coin\":\"BTC\",\"ctx\":{"
          + "\"markPx\":\"64005.0\",\"prevDayPx\":\"62000.0\"}}}");
      ws.send("{\"channel\":\"error\",\"data\":\"Invalid subscription {\\\"type\\\":\\\"l2Book\\\","
          + "\\\"coin\\\":\\\"XYZ\\\"}\"}");
      ws.send("{\"channel\":\"pong\"}");
      ws.send(book("BTC", 1700000000500L, "[{\"px\":\"64000.5\",\"sz\":\"3\",\"n\":2}]",
          "[{\"px\":\"64001.0\",\"sz\":\"1\",\"n\":1}]"));
    });
    MarketStream stream = closing(Venues.hyperliquid().baseUrl("http://127.0.0.1:19")
        .streamUrl(server.uri().toString()).build()).stream().orElseThrow();
    StreamProbe probe = closing(StreamProbe.connect(stream,
        new StreamRequest(List.of(BTC, Instrument.spot("BTC", "USDT")), 20, true, true),
        StreamContext.direct()));

    probe.await("the last book", p -> p.books(BTC).size() == 3, PATIENCE);

    List<StreamEvent> events = probe.events();
    assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
        "Connected", "Rejected", "Update", "Update", "Resync", "Update", "Rejected", "Rejected",
        "Rejected", "Update");
    // Levels in another order than best first are put in order, never rejected for it.
    assertThat(probe.books(BTC).get(1).bestBid()).isEqualTo(64000.0);
    assertThat(probe.books(BTC).get(1).bidPrice(1)).isEqualTo(63990.0);
    assertThat(((StreamEvent.Rejected) events.get(1)).detail())
        .contains("BTC/USDT", "perpetuals quoted in USDC only");
    BookSnapshot first = probe.books(BTC).get(0);
    assertThat(first).isEqualTo(BookSnapshot.builder("hyperliquid", BTC)
        .bid(64000.0, 1.5).bid(63999.0, 0.25).ask(64001.0, 2.0).ask(64002.5, 0.1)
        .exchangeTime(Instant.ofEpochMilli(1700000000123L)).receivedAt(first.receivedAt())
        .build());
    TickerSnapshot t = probe.tickers(BTC).get(0);
    assertThat(t.bid()).isEqualTo(63998.0);
    assertThat(t.ask()).isEqualTo(64003.0);
    assertThat(t.last()).isEqualTo(64005.0);
    assertThat(t.baseVolume24h()).isEqualTo(23500.25);
    assertThat(t.quoteVolume24h()).isEqualTo(1.5e9);
    assertThat(t.change24h()).isCloseTo(64005.0 / 62000.0 - 1, within(1e-12));
    StreamEvent.Resync r = (StreamEvent.Resync) events.get(4);
    assertThat(r.instrument()).isEqualTo(BTC);
    assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
    assertThat(r.detail()).contains("crossed");
    assertThat(((StreamEvent.Rejected) events.get(6)).detail()).contains("DOGE");
    assertThat(((StreamEvent.Rejected) events.get(7)).detail()).contains("impact prices");
    assertThat(((StreamEvent.Rejected) events.get(8)).detail()).contains("Invalid subscription");
    assertThat(probe.books(BTC).get(2).bestBid()).isEqualTo(64000.5);
    assertThat(server.received()).containsExactly(
        frame("subscribe", "l2Book", "BTC").toString(),
        frame("subscribe", "activeAssetCtx", "BTC").toString());
  }

  private static String book(String coin, long time, String bids, String asks) {
    return "{\"channel\":\"l2Book\",\"data\":{\"coin\":\"" + coin + "\",\"time\":" + time
        + ",\"levels\":[" + bids + "," + asks + "]}}";
  }

  @Test
  void theScannerStopsPollingWhatTheStreamKeepsLiveAndPollsWhileItIsDown() {
    VenueSimulator sim = sim();
    TransitionLog transitions = new TransitionLog();
    List<Scan> scans = new CopyOnWriteArrayList<>();
    Scanner scanner = closing(Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source(sim), VenueOptions.custom().instruments(List.of(BTC, ETH, SOL))
            .stream(true).streamCycle(Duration.ofMillis(100)).staleAfter(Duration.ofSeconds(2))
            .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build())
        .listener(transitions)
        .build());
    scanner.scans().subscribe(scans::add);
    scanner.start();

    Scan live = scan(scanner, s -> everythingLive(s));
    sim.clearRequestLog();
    Scan later = scan(scanner, s -> s.cycle() >= live.cycle() + 3);
    assertThat(sim.requestLog()).as("nothing polled while the stream keeps all live").isEmpty();
    assertThat(report(later).polled()).isZero();
    // a scan holds what changed in its period; the view holds the latest, here from the stream
    assertThat(scanner.view().health("hyperliquid", BTC)).get()
        .extracting(BookHealth::origin, BookHealth::state)
        .containsExactly(BookHealth.Origin.STREAM, BookHealth.State.LIVE);
    assertThat(scanner.view().ticker("hyperliquid", BTC)).isPresent();

    sim.wsFault(WsFault.REFUSE); // the reconnections fail until the faults are cleared
    sim.wsFault(WsFault.DROP);
    Scan polling = scan(scanner, s -> polledBooks(sim).containsAll(List.of("BTC", "ETH", "SOL")));
    assertThat(report(polling).state()).isEqualTo(StreamReport.State.DOWN);

    sim.clearWsFaults();
    Scan liveAgain = scan(scanner, s -> s.cycle() > polling.cycle() && everythingLive(s));
    sim.clearRequestLog();
    scan(scanner, s -> s.cycle() >= liveAgain.cycle() + 3);
    assertThat(sim.requestLog()).as("back on the stream").isEmpty();
    assertThat(scans.stream().mapToLong(s -> report(s).connects()).sum()).isEqualTo(2);
    assertThat(scans.stream().mapToLong(s -> report(s).disconnects()).sum()).isPositive();
    List<StreamTransition.Type> types = transitions.stream().map(StreamTransition::type)
        .filter(t -> t != StreamTransition.Type.RESYNC).toList();
    assertThat(types).first().isEqualTo(StreamTransition.Type.CONNECTED);
    assertThat(types).last().isEqualTo(StreamTransition.Type.CONNECTED);
    assertThat(types).filteredOn(t -> t == StreamTransition.Type.CONNECTED).hasSize(2);
    assertThat(types).doesNotContain(StreamTransition.Type.REJECTED);
  }

  private static StreamReport report(Scan scan) {
    return scan.report().venues().get("hyperliquid").stream();
  }

  private static boolean everythingLive(Scan scan) {
    StreamReport r = report(scan);
    return r.state() == StreamReport.State.CONNECTED && r.liveBooks() == 3
        && r.liveTickers() == 3;
  }
  private static List<String> polledBooks(VenueSimulator sim) {
    return sim.requestLog().stream().map(ServedRequest::symbol)
        .filter(java.util.Objects::nonNull).distinct().toList();
  }

  private static Scan scan(Scanner scanner, Predicate<Scan> condition) {
    Scan s = scanner.scans().filter(condition).blockFirst(PATIENCE);
    assertThat(s).as("a scan in time").isNotNull();
    return s;
  }
}
