package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Binance spot's push stream (and, where marked, the USD-M futures flavour of the same class;
 * the rest of the futures tests are in {@code BinanceFuturesStreamTest}) against the
 * simulator's REST and WebSocket sides on real sockets:
 * books synced on REST snapshots and diff events exactly as the simulator holds them, through
 * every WebSocket fault.
 */
class BinanceStreamTest {

  private static final SimulatedVenue VENUE = SimulatedVenue.BINANCE_SPOT;
  private static final Instrument BTC = VENUE.instrument("BTC");
  private static final Instrument ETH = VENUE.instrument("ETH");
  private static final int DEPTH = 10;

  private final List<AutoCloseable> open = new ArrayList<>();
  private VenueSimulator sim;
  private MarketStream stream;

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  /** A simulator with its WebSocket side and a Binance source on it; returns the stream. */
  private MarketStream start(VenueSimulator.Builder builder) {
    sim = builder.instruments(20).websocket(true).build();
    open.add(sim);
    MarketSource source = SimulatedPresets.of(sim.venue()).baseUrl(sim.start())
        .streamUrl(sim.websocketUrl())
        .build();
    open.add(source);
    stream = source.stream().orElseThrow();
    return stream;
  }

  private MarketStream start() {
    return start(VenueSimulator.builder(VENUE).streamInterval(Duration.ofMillis(20)));
  }

  private StreamProbe probe(StreamProbe probe) {
    open.add(probe);
    return probe;
  }

  private StreamProbe connect(Instrument... instruments) {
    return probe(StreamProbe.connect(stream, DEPTH, instruments));
  }

  private StreamProbe awaitInSync(StreamProbe p, Instrument i) {
    return p.awaitInSync(sim, i, DEPTH);
  }

  private List<StreamEvent.Resync> resyncs(StreamProbe p, ResyncCause cause) {
    return p.events(StreamEvent.Resync.class).stream().filter(r -> r.cause() == cause).toList();
  }

  /**
   * The requests the simulator served after the first {@code from}: one copy of its log, which a
   * second call could find longer.
   */
  private List<ServedRequest> servedSince(int from) {
    List<ServedRequest> log = sim.requestLog();
    return log.subList(from, log.size());
  }

  /** The stream's sync snapshot for books of {@link #DEPTH} levels (the REST source asks 10). */
  private static boolean isStreamSnapshot(ServedRequest r) {
    return r.query().endsWith("limit=100");
  }

  private List<ServedRequest> snapshots(String symbol) {
    return sim.requestLog().stream().filter(r -> r.path().equals("/api/v3/depth"))
        .filter(r -> symbol.equals(r.symbol())).toList();
  }

  @Test
  void subscribesThenSyncsEachBookOnARestSnapshotAndKeepsItInStepWithTheDeltas() {
    start();
    StreamProbe p = connect(BTC, ETH);

    p.await(StreamEvent.Connected.class, 1, PATIENCE);
    awaitInSync(p, BTC);
    awaitInSync(p, ETH);
    int seen = p.books(BTC).size();
    p.await("30 more BTC books", q -> q.books(BTC).size() >= seen + 30, PATIENCE);
    awaitInSync(p, BTC);

    assertThat(p.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    assertThat(sim.wsLog()).filteredOn(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .extracting(WsEvent::text).first().isEqualTo("{\"method\":\"SUBSCRIBE\",\"params\":["
            + "\"btcusdt@depth@100ms\",\"btcusdt@ticker\",\"ethusdt@depth@100ms\","
            + "\"ethusdt@ticker\"],\"id\":1}");
    assertThat(snapshots("BTCUSDT")).singleElement().satisfies(r -> {
      // depth 10: the cheapest bracket holding 5 x 10 levels is 100, weight 5
      assertThat(r.query()).endsWith("limit=100");
      assertThat(r.weight()).isEqualTo(5);
    });
    assertThat(snapshots("ETHUSDT")).hasSize(1);
    assertThat(p.books(BTC)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo("binance");
      assertThat(b.bidLevels()).isEqualTo(DEPTH);
      assertThat(b.askLevels()).isEqualTo(DEPTH);
    });
    assertThat(p.tickers(ETH)).isNotEmpty().allSatisfy(t -> {
      assertThat(t.bid()).isLessThan(t.ask());
      assertThat(t.last()).isPositive();
      assertThat(t.baseVolume24h()).isPositive();
    });
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(p.error()).isNull();
  }

  @Test
  void deltasArrivingWhileTheSnapshotLoadsAreBufferedAndApplied() {
    start(VenueSimulator.builder(VENUE).streamInterval(Duration.ofMillis(20))
        .latency(Duration.ofMillis(300)));
    StreamProbe p = connect(BTC);

    p.await("the first BTC book", q -> !q.books(BTC).isEmpty(), PATIENCE);
    BookSnapshot first = p.books(BTC).get(0);
    awaitInSync(p, BTC);

    // The snapshot was answered 300 ms after it was taken, while ~15 deltas streamed; they
    // were buffered and bridged: dropping them would have broken the update-id chain at the
    // first live delta (a gap resync and a second snapshot), and the book is the simulator's.
    ServedRequest snapshot = snapshots("BTCUSDT").get(0);
    assertThat(first.exchangeTime()).isAfter(snapshot.time());
    assertThat(snapshots("BTCUSDT")).hasSize(1);
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
  }

  @Test
  void aSequenceGapResyncsOnANewSnapshot() {
    start();
    StreamProbe p = connect(BTC, ETH);
    awaitInSync(p, BTC);

    sim.wsFault(WsFault.SEQUENCE_GAP, BTC);
    p.await("a gap resync", q -> !resyncs(q, ResyncCause.SEQUENCE_GAP).isEmpty(), PATIENCE);
    int books = p.books(BTC).size();
    // The book before the gap may still equal the simulator's (a gap fault skips an update
    // id): in sync means a book rebuilt after the resync.
    p.await("a BTC book rebuilt after the resync", q -> q.books(BTC).size() > books, PATIENCE);
    awaitInSync(p, BTC);

    assertThat(resyncs(p, ResyncCause.SEQUENCE_GAP)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.detail()).startsWith("expected an update from ");
    });
    assertThat(p.books(BTC).size()).isGreaterThan(books);
    assertThat(snapshots("BTCUSDT")).hasSize(2);
    assertThat(snapshots("ETHUSDT")).hasSize(1);
  }

  @Test
  void binanceHasNoChecksumSoAChecksumMismatchFaultChangesNothing() {
    start();
    StreamProbe p = connect(BTC);
    awaitInSync(p, BTC);

    sim.wsFault(WsFault.CHECKSUM_MISMATCH, BTC);
    int books = p.books(BTC).size();
    p.await("20 more BTC books", q -> q.books(BTC).size() >= books + 20, PATIENCE);
    awaitInSync(p, BTC);

    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(snapshots("BTCUSDT")).hasSize(1);
  }

  /** Spot, and the USD-M futures stream of Binance and AsterDEX (the same class). */
  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"BINANCE_SPOT", "BINANCE_FUTURES", "ASTERDEX"})
  void aMalformedMessageIsRejectedAndTheStreamGoesOnInSync(SimulatedVenue venue) {
    start(VenueSimulator.builder(venue).streamInterval(Duration.ofMillis(20)));
    Instrument btc = venue.instrument("BTC");
    StreamProbe p = connect(btc);
    awaitInSync(p, btc);

    sim.wsFault(WsFault.MALFORMED, btc);
    p.await(StreamEvent.Rejected.class, 1, PATIENCE);
    int books = p.books(btc).size();
    p.await("more BTC books", q -> q.books(btc).size() > books, PATIENCE);
    awaitInSync(p, btc);

    assertThat(p.events(StreamEvent.Rejected.class)).singleElement()
        .extracting(StreamEvent.Rejected::detail).asString().startsWith("not JSON: <html>");
    // A lost delta breaks the chain (a gap resync); a lost ticker does not.
    assertThat(p.events(StreamEvent.Resync.class))
        .allSatisfy(r -> assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP));
    assertThat(p.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"BINANCE_SPOT", "ASTERDEX"})
  void aDroppedConnectionErrorsTheFlux(SimulatedVenue venue) {
    start(VenueSimulator.builder(venue).streamInterval(Duration.ofMillis(20)));
    Instrument btc = venue.instrument("BTC");
    StreamProbe p = connect(btc);
    awaitInSync(p, btc);

    sim.wsFault(WsFault.DROP);

    assertThat(p.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class);
    assertThat(p.completed()).isFalse();
  }

  @Test
  void anIdleConnectionEmitsNothingAndThenResyncsWhenDataFlowsAgain() {
    start();
    StreamProbe p = connect(BTC);
    awaitInSync(p, BTC);

    sim.wsFault(WsFault.IDLE);
    int events = p.events().size() + 2; // deltas already on the wire may still arrive
    assertThatThrownBy(() -> p.await("an event while idle", q -> q.events().size() > events,
        Duration.ofMillis(500))).isInstanceOf(AssertionError.class);
    assertThat(p.error()).isNull();
    assertThat(p.completed()).isFalse();

    sim.clearWsFaults();
    p.await("a gap resync", q -> !resyncs(q, ResyncCause.SEQUENCE_GAP).isEmpty(), PATIENCE);
    awaitInSync(p, BTC);
  }

  @Test
  void aRefusedConnectionErrorsPromptly() {
    start();
    sim.wsFault(WsFault.REFUSE);

    StreamProbe p = connect(BTC).awaitError(Duration.ofSeconds(5));

    assertThat(p.error()).isInstanceOf(SourceException.class).hasMessageContaining("HTTP");
    assertThat(p.events()).isEmpty();
  }

  @Test
  void aFailedSnapshotIsRetriedAndTheBookThenSyncs() {
    start();
    sim.failNext(Fault.SERVER_ERROR);
    StreamProbe p = connect(BTC);

    awaitInSync(p, BTC);

    assertThat(snapshots("BTCUSDT")).extracting(ServedRequest::status).containsExactly(503, 200);
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
  }

  @Test
  void aCrossedSnapshotIsBadDataAndTakenAgain() {
    start();
    sim.failNext(Fault.CROSSED_BOOK);
    StreamProbe p = connect(BTC);

    p.await("a bad-data resync", q -> !resyncs(q, ResyncCause.BAD_DATA).isEmpty(), PATIENCE);
    awaitInSync(p, BTC);

    assertThat(resyncs(p, ResyncCause.BAD_DATA)).singleElement()
        .extracting(StreamEvent.Resync::detail).asString().contains("crosses the book");
    assertThat(p.books(BTC).get(0)).satisfies(b -> assertThat(b.bestBid()).isLessThan(b.bestAsk()));
    assertThat(snapshots("BTCUSDT")).hasSize(2);
  }

  @Test
  void aResyncRequestRebuildsTheInstrumentOnANewSnapshot() {
    start();
    Sinks.Many<Instrument> asks = Sinks.many().multicast().directBestEffort();
    StreamProbe p = probe(StreamProbe.connect(stream, new StreamRequest(List.of(BTC, ETH),
        DEPTH, true, false), StreamContext.direct(asks.asFlux())));
    awaitInSync(p, BTC);
    awaitInSync(p, ETH);

    asks.tryEmitNext(BTC);
    p.await("a second BTC snapshot", q -> snapshots("BTCUSDT").size() == 2, PATIENCE);
    int books = p.books(BTC).size();
    p.await("a BTC book after it", q -> q.books(BTC).size() > books, PATIENCE);
    awaitInSync(p, BTC);

    assertThat(snapshots("ETHUSDT")).hasSize(1);
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.tickers(BTC)).isEmpty();
  }

  @Test
  void tickersAloneNeedNoSnapshot() {
    start();
    StreamProbe p = probe(StreamProbe.connect(stream, new StreamRequest(List.of(BTC), DEPTH,
        false, true), StreamContext.direct()));

    p.await("3 tickers", q -> q.tickers(BTC).size() >= 3, PATIENCE);

    TickerSnapshot t = p.tickers(BTC).get(0);
    assertThat(t.venue()).isEqualTo("binance");
    assertThat(t.bid()).isLessThan(t.ask());
    assertThat(snapshots("BTCUSDT")).isEmpty();
    assertThat(p.books(BTC)).isEmpty();
  }

  @Test
  void eventsOfSymbolsNotAskedForAndErrorAnswersAreRejectedAndPingsArePonged() throws Exception {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    String ticker = "{\"e\":\"24hrTicker\",\"E\":1700000000000,\"s\":\"%s\",\"p\":\"1.0\","
        + "\"P\":\"2.500\",\"c\":\"41.0\",\"b\":\"40.9\",\"B\":\"1\",\"a\":\"41.1\","
        + "\"A\":\"2\",\"o\":\"40.0\",\"h\":\"42\",\"l\":\"39\",\"v\":\"1000\","
        + "\"q\":\"41000\"}";
    try (ScriptedWsServer server = new ScriptedWsServer()) {
      server.onMessage((ws, frame) -> {
        ws.sendPing();
        ws.send("{\"result\":null,\"id\":1}");
        ws.send(ticker.formatted("FOOUSDT"));
        ws.send("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"FOOUSDT\",\"U\":1,\"u\":2,"
            + "\"b\":[],\"a\":[]}");
        ws.send("{\"code\":2,\"msg\":\"Invalid request: unknown variant\",\"id\":1}");
        ws.send(ticker.formatted("BTCUSDT"));
      });
      MarketSource source = Venues.binance().baseUrl("http://127.0.0.1:19")
          .streamUrl(server.uri().toString()).build();
      open.add(source);
      StreamProbe p = probe(StreamProbe.connect(source.stream().orElseThrow(),
          new StreamRequest(List.of(BTC), DEPTH, false, true), StreamContext.direct()));

      p.await("a BTC ticker", q -> !q.tickers(BTC).isEmpty(), PATIENCE);

      assertThat(p.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
          .containsExactly("ticker for unknown symbol FOOUSDT",
              "depth update for unknown symbol FOOUSDT",
              "error answer: {\"code\":2,\"msg\":\"Invalid request: unknown variant\",\"id\":1}");
      TickerSnapshot t = p.tickers(BTC).get(0);
      assertThat(t.bid()).isEqualTo(40.9);
      assertThat(t.ask()).isEqualTo(41.1);
      assertThat(t.last()).isEqualTo(41.0);
      assertThat(t.baseVolume24h()).isEqualTo(1000);
      assertThat(t.quoteVolume24h()).isEqualTo(41000);
      assertThat(t.change24h()).isEqualTo(0.025);
      assertThat(t.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1700000000000L));
      // received now, on the settings' clock: not the event's time (2023), which it once was
      assertThat(t.receivedAt()).isAfterOrEqualTo(before);
      // Binance drops connections that do not answer its pings: the client does, itself.
      assertThat(server.pong().get(5, java.util.concurrent.TimeUnit.SECONDS)).isEmpty();
      assertThat(server.received()).containsExactly("{\"method\":\"SUBSCRIBE\","
          + "\"params\":[\"btcusdt@ticker\"],\"id\":1}");
    }
  }

  @Test
  void theScannerStopsPollingWhatIsStreamedAndPollsAgainWhileTheStreamIsDown() {
    start();
    TransitionLog transitions = new TransitionLog();
    MarketSource source = Venues.binance().baseUrl(sim.baseUrl())
        .streamUrl(sim.websocketUrl()).build();
    Scanner scanner = Scanner.builder().interval(Duration.ofMillis(100))
        .venue(source, VenueOptions.custom().stream(true).instruments(List.of(BTC, ETH))
            .depth(DEPTH).streamCycle(Duration.ofMillis(100))
            // A client may not notice an abrupt drop before its next send (Binance's
            // heartbeat is 30 s): the engine's idle timeout is what catches it then.
            .staleAfter(Duration.ofSeconds(2))
            // Long enough to poll every book while the stream is down: the bulk tickers (weight
            // 80) alone take 0.8 s of the venue's paced budget.
            .reconnectBackoff(Duration.ofSeconds(3), Duration.ofSeconds(4)).build())
        .listener(transitions)
        .build();
    open.add(scanner);
    open.add(source);
    scanner.start();

    Scan live = awaitScan(scanner, s -> stream(s).state() == StreamReport.State.CONNECTED
        && stream(s).liveBooks() == 2 && stream(s).liveTickers() == 2 && stream(s).polled() == 0);
    int logged = sim.requestLog().size();
    // a scan with updates: on a loaded machine one 100 ms cycle may pass without any
    Scan later = awaitScan(scanner, s -> s.cycle() >= live.cycle() + 3
        && stream(s).updates() > 0);
    assertThat(servedSince(logged))
        .as("requests while everything is streamed").isEmpty();
    assertThat(scanner.view().health("binance", BTC)).get().extracting(BookHealth::origin)
        .isEqualTo(BookHealth.Origin.STREAM);

    int beforeDrop = sim.requestLog().size();
    sim.wsFault(WsFault.DROP);
    // requests are counted in the scan in which they complete
    Scan polled = awaitScan(scanner, s -> s.cycle() > later.cycle()
        && s.report().venues().get("binance").requests() > 0);
    // BTC's book polled while the stream is down
    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> servedSince(beforeDrop).stream()
                .anyMatch(r -> r.path().equals("/api/v3/depth") && "BTCUSDT".equals(r.symbol())
                    && r.status() == 200 && !isStreamSnapshot(r)))
            .next())
        .expectNextCount(1).expectComplete().verify(PATIENCE);
    Scan back = awaitScan(scanner, s -> s.cycle() > polled.cycle()
        && stream(s).state() == StreamReport.State.CONNECTED && stream(s).liveBooks() == 2
        && stream(s).polled() == 0);

    assertThat(scanner.view().book("binance", BTC)).isPresent();
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.CONNECTED)
        .hasSize(2);
    assertThat(transitions).filteredOn(t -> t.type() == StreamTransition.Type.DISCONNECTED)
        .hasSize(1);
    assertThat(sim.requestLog()).filteredOn(r -> r.path().equals("/api/v3/ticker/24hr"))
        .isNotEmpty();
    assertThat(snapshots("BTCUSDT")).filteredOn(BinanceStreamTest::isStreamSnapshot)
        .hasSize(2);
    assertThat(stream(back).resynced()).isZero();
  }

  private static Scan awaitScan(Scanner scanner, Predicate<Scan> condition) {
    Scan scan = scanner.scans().filter(condition).blockFirst(PATIENCE);
    assertThat(scan).as("a scan in time").isNotNull();
    return scan;
  }

  private static StreamReport stream(Scan scan) {
    return scan.report().venues().get("binance").stream();
  }
}
