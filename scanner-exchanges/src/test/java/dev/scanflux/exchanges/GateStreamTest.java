package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Gate's push stream on real sockets, spot and futures: against the simulator's WebSocket side
 * for subscriptions, books kept equal to the simulator's, tickers, faults and resyncs; against a
 * scripted server for the wire details (fixtures written from Gate's WebSocket v4
 * documentation); and under the real engine, which counts what the stream rejected and resynced.
 */
class GateStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEPTH = 20;

  @RegisterExtension
  final Closer closer = new Closer();

  private <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  private VenueSimulator sim(SimulatedVenue venue) {
    VenueSimulator sim = closing(VenueSimulator.builder(venue).instruments(30)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build());
    sim.start();
    return sim;
  }

  private MarketStream stream(SimulatedVenue venue, VenueSimulator sim) {
    MarketSource source = closing(SimulatedPresets.of(venue).baseUrl(sim.start())
        .streamUrl(sim.websocketUrl()).build());
    return source.stream().orElseThrow();
  }

  private StreamProbe connect(MarketStream stream, Instrument... instruments) {
    return closing(StreamProbe.connect(stream, DEPTH, instruments));
  }

  /**
   * Waits until the stream emitted the book the simulator streamed last, time included. A
   * futures book can come first from its REST base book, before the simulator has taken the
   * subscription: the simulator's book is read once it streams one.
   */
  private static void awaitInSync(StreamProbe probe, VenueSimulator sim, Instrument i) {
    probe.await("a book of " + i, p -> !p.books(i).isEmpty(), PATIENCE);
    await("the simulator streaming the book of " + i, () -> {
      try {
        return sim.streamedBook(i, DEPTH) != null;
      } catch (IllegalStateException notYet) { // "no client streams the book"
        return false;
      }
    });
    BookSnapshot expected = sim.streamedBook(i, DEPTH);
    probe.await(i + " equal to the simulator's " + expected, p -> p.books(i).stream()
        .anyMatch(b -> StreamProbe.sameLevels(b, expected)
            && b.exchangeTime().equals(expected.exchangeTime())), PATIENCE);
  }

  private static void awaitMoreBooks(StreamProbe probe, Instrument i, int more) {
    int seen = probe.books(i).size();
    probe.await(more + " more books of " + i, p -> p.books(i).size() >= seen + more, PATIENCE);
  }

  /** The client's subscription frames as {@code channel event payload}, pings left out. */
  private static List<String> requests(VenueSimulator sim) {
    return sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .map(e -> json(e.text())).filter(f -> !f.path("channel").asText().endsWith(".ping"))
        .map(f -> f.path("channel").asText() + ' ' + f.path("event").asText() + ' '
            + f.path("payload")).toList();
  }

  private static List<ServedRequest> baseBooks(VenueSimulator sim) {
    return sim.requestLog().stream().filter(r -> r.path().endsWith("/order_book")).toList();
  }

  private static long baseBooks(VenueSimulator sim, String contract) {
    return baseBooks(sim).stream().filter(r -> r.query().contains("contract=" + contract))
        .count();
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
  @EnumSource(names = {"GATE", "GATE_FUTURES"})
  void subscribesEveryChannelThenKeepsEveryBookEqualToTheVenues(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    boolean futures = venue == SimulatedVenue.GATE_FUTURES;
    List<Instrument> three = List.of("BTC", "ETH", "SOL").stream().map(venue::instrument)
        .toList();
    StreamProbe probe = connect(stream(venue, sim), three.toArray(Instrument[]::new));
    Instrument btc = venue.instrument("BTC");

    probe.await("books and tickers of all", p -> three.stream().allMatch(i ->
        p.books(i).size() >= 5 && p.tickers(i).size() >= 3), PATIENCE);
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    for (Instrument i : three) {
      awaitInSync(probe, sim, i);
    }
    awaitMoreBooks(probe, btc, 10);
    awaitInSync(probe, sim, btc);
    String books = futures
        ? "futures.order_book_update subscribe [\"BTC_USDT\",\"100ms\",\"20\"]"
        : "spot.order_book subscribe [\"BTC_USDT\",\"20\",\"100ms\"]";
    assertThat(requests(sim)).startsWith(books).contains((futures ? "futures" : "spot")
        + ".tickers subscribe [\"BTC_USDT\",\"ETH_USDT\",\"SOL_USDT\"]");
    if (futures) {
      assertThat(requests(sim)).hasSize(5)
          .contains("futures.book_ticker subscribe [\"BTC_USDT\",\"ETH_USDT\",\"SOL_USDT\"]");
      // a base book per contract, the documented way (another only if one was older than
      // the stream, which a loaded machine can make happen)
      assertThat(baseBooks(sim)).hasSizeGreaterThanOrEqualTo(3).allSatisfy(r -> assertThat(
          r.query()).contains("limit=20").contains("with_id=true"));
      for (String c : List.of("BTC_USDT", "ETH_USDT", "SOL_USDT")) {
        assertThat(baseBooks(sim)).anySatisfy(r -> assertThat(r.query())
            .contains("contract=" + c));
      }
    } else {
      assertThat(requests(sim)).hasSize(4);
      assertThat(baseBooks(sim)).as("spot books are full snapshots: no REST").isEmpty();
    }
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(btc)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo(futures ? "gate-futures" : "gate");
      assertThat(b.bidLevels()).isEqualTo(DEPTH);
      assertThat(b.askLevels()).isEqualTo(DEPTH);
      assertThat(b.contractSize()).isEqualTo(futures ? 0.0001 : 1);
    });
    List<TickerSnapshot> tickers = probe.tickers(btc);
    assertThat(tickers).allSatisfy(t -> {
      assertThat(t.venue()).isEqualTo(futures ? "gate-futures" : "gate");
      assertThat(t.bid()).isLessThan(t.ask());
      if (futures) {
        // last and the best levels come on two channels, each ticker after either of them
        assertThat(t.last()).isCloseTo(t.bid(), within(t.bid() / 100));
      } else {
        assertThat(t.last()).isBetween(t.bid(), t.ask());
      }
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
  void aFuturesGapFetchesANewBaseBookAndResumesInSync() {
    SimulatedVenue venue = SimulatedVenue.GATE_FUTURES;
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    Instrument eth = venue.instrument("ETH");
    StreamProbe probe = connect(stream(venue, sim), btc, eth);
    awaitInSync(probe, sim, btc);
    awaitInSync(probe, sim, eth);
    long btcBaseBooks = baseBooks(sim, "BTC_USDT");

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    probe.await("a gap resync", p -> !resyncs(p, ResyncCause.SEQUENCE_GAP).isEmpty(), PATIENCE);
    awaitMoreBooks(probe, btc, 3);
    awaitInSync(probe, sim, btc);
    awaitInSync(probe, sim, eth);

    assertThat(resyncs(probe, ResyncCause.SEQUENCE_GAP)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(btc);
      assertThat(r.detail()).matches("expected an update from id \\d+, got U \\d+");
    });
    assertThat(baseBooks(sim, "BTC_USDT")).as("BTC's new base book").isGreaterThan(btcBaseBooks);
    assertThat(requests(sim)).noneMatch(r -> r.contains("unsubscribe"));
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
  }

  @Test
  void spotBooksAreSnapshotsSoAGapFaultHasNothingToBreak() {
    SimulatedVenue venue = SimulatedVenue.GATE;
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    StreamProbe probe = connect(stream(venue, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    sim.wsFault(WsFault.CHECKSUM_MISMATCH, btc);
    awaitMoreBooks(probe, btc, 20);
    awaitInSync(probe, sim, btc);

    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(sim.wsFaultsApplied().get(WsFault.SEQUENCE_GAP)).isZero();
  }

  @ParameterizedTest
  @EnumSource(names = {"GATE", "GATE_FUTURES"})
  void aMalformedMessageIsRejectedAndTheStreamGoesOnInSync(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    StreamProbe probe = connect(stream(venue, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.MALFORMED, btc);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    awaitMoreBooks(probe, btc, 5);
    awaitInSync(probe, sim, btc);

    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .extracting(StreamEvent.Rejected::detail).asString()
        .startsWith("unreadable message: <html>");
    // A lost futures delta breaks the chain (a gap resync); a lost snapshot or ticker does not.
    assertThat(probe.events(StreamEvent.Resync.class))
        .allSatisfy(r -> assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP));
    assertThat(probe.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(names = {"GATE", "GATE_FUTURES"})
  void aDroppedConnectionErrorsTheFluxSoTheScannerReconnects(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    StreamProbe probe = connect(stream(venue, sim), btc);
    awaitInSync(probe, sim, btc);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining(sim.websocketUrl());
  }

  @ParameterizedTest
  @EnumSource(names = {"GATE", "GATE_FUTURES"})
  void theEngineCountsWhatTheStreamRejectedAndResyncedAndKeepsStreaming(
      SimulatedVenue venue) {
    VenueSimulator sim = closing(VenueSimulator.builder(venue).instruments(3)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build());
    Instrument btc = venue.instrument("BTC");
    Scanner scanner = closing(Scanner.builder()
        .venue(SimulatedPresets.of(venue).baseUrl(sim.start()).streamUrl(sim.websocketUrl())
            .build(), VenueOptions.custom().stream(true).streamCycle(Duration.ofMillis(200))
            .build())
        .interval(Duration.ofMillis(100)).build());
    scanner.start();
    awaitReport(scanner, "streamed", GateStreamTest::allStreamed);

    sim.wsFault(WsFault.MALFORMED, btc);
    if (venue == SimulatedVenue.GATE_FUTURES) {
      sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    }
    VenueReport counted = awaitReport(scanner, "the fault counted",
        r -> r.stream().rejected() >= 1);
    if (venue == SimulatedVenue.GATE_FUTURES) {
      awaitReport(scanner, "a gap resync counted",
          r -> r.stream().resyncs(ResyncCause.SEQUENCE_GAP) >= 1);
    }
    assertThat(counted.stream().rejected()).isEqualTo(1);
    awaitReport(scanner, "streamed again", GateStreamTest::allStreamed);
  }

  private static boolean allStreamed(VenueReport r) {
    return r.requests() == 0 && r.stream().state() == StreamReport.State.CONNECTED
        && r.stream().liveBooks() == r.instruments() && r.instruments() > 0;
  }

  private static VenueReport awaitReport(Scanner scanner, String what,
      java.util.function.Predicate<VenueReport> condition) {
    Scan scan = scanner.scans()
        .filter(s -> condition.test(s.report().venues().values().iterator().next()))
        .next().block(Duration.ofSeconds(30));
    assertThat(scan).as(what).isNotNull();
    return scan.report().venues().values().iterator().next();
  }

  // --- scripted: the wire as Gate's documentation writes it ---

  private MarketStream scripted(ScriptedWsServer server, VenueBuilder preset, String restUrl) {
    return closing(preset.baseUrl(restUrl).streamUrl(server.uri().toString()).build()).stream()
        .orElseThrow();
  }

  private static String spotBook(long id, String bids, String asks) {
    return "{\"time\":1606295412,\"time_ms\":1606295412213,\"channel\":\"spot.order_book\","
        + "\"event\":\"update\",\"result\":{\"t\":1606295412123,\"lastUpdateId\":" + id
        + ",\"s\":\"BTC_USDT\",\"l\":\"5\",\"bids\":" + bids + ",\"asks\":" + asks + "}}";
  }

  private static void onSubscribe(ScriptedWsServer server, String channel,
      BiConsumer<WebSocket, JsonNode> script) {
    server.onMessage((ws, m) -> {
      JsonNode f = json(m);
      if (f.path("channel").asText().equals(channel)
          && f.path("event").asText().equals("subscribe")) {
        script.accept(ws, f);
      }
    });
  }

  @Test
  void readsSpotSnapshotsAsGateWritesThemAndNeverEmitsABadBook() {
    Instrument btc = Instrument.spot("BTC", "USDT");
    ScriptedWsServer server = closing(new ScriptedWsServer());
    onSubscribe(server, "spot.order_book", (ws, f) -> {
      ws.send("{\"time\":1606295412,\"time_ms\":1606295412213,\"channel\":\"spot.order_book\","
          + "\"event\":\"subscribe\",\"result\":{\"status\":\"success\"}}");
      ws.send(spotBook(48791820, "[[\"19079.55\",\"0.0195\"],[\"19079.07\",\"0.7341\"]]",
          "[[\"19080.24\",\"0.1638\"],[\"19080.91\",\"0.1366\"]]"));
      // crossed: a bad-data resync, never emitted
      ws.send(spotBook(48791821, "[[\"19081\",\"1\"]]", "[[\"19080.24\",\"0.1638\"]]"));
      // unreadable size
      ws.send(spotBook(48791822, "[[\"19079.55\",\"x\"]]", "[[\"19080.24\",\"0.1638\"]]"));
      // healed by the next snapshot
      ws.send(spotBook(48791823, "[[\"19079.60\",\"0.5\"]]", "[[\"19080.20\",\"0.25\"]]"));
      // older than the last one applied: stale, dropped
      ws.send(spotBook(48791800, "[[\"19000\",\"1\"]]", "[[\"19100\",\"1\"]]"));
      ws.send("{\"time\":1606295412,\"time_ms\":1606295412300,\"channel\":\"spot.order_book\","
          + "\"event\":\"update\",\"result\":{\"t\":1,\"lastUpdateId\":5,\"s\":\"ETH_USDT\","
          + "\"bids\":[],\"asks\":[]}}");
      ws.send("{\"time\":1606295412,\"time_ms\":1606295412300,\"channel\":\"spot.order_book\","
          + "\"event\":\"subscribe\",\"error\":{\"code\":2,\"message\":\"unknown currency pair"
          + " FOO_USDT\"},\"result\":{\"status\":\"fail\"}}");
      ws.send("{\"time\":1606295412,\"time_ms\":1606295412301,\"channel\":\"spot.pong\","
          + "\"event\":\"\",\"result\":null}");
      ws.send(spotBook(48791824, "[[\"19079.61\",\"0.5\"]]", "[[\"19080.20\",\"0.25\"]]"));
    });
    StreamProbe probe = closing(StreamProbe.connect(scripted(server, Venues.gate(),
        "http://127.0.0.1:19"), new StreamRequest(List.of(btc), 5, true, false),
        StreamContext.direct()));

    probe.await("the last book", p -> p.books(btc).size() == 3, PATIENCE);
    assertThat(probe.books(btc)).extracting(BookSnapshot::bestBid)
        .containsExactly(19079.55, 19079.60, 19079.61);
    assertThat(probe.books(btc).get(0).bidSize(1)).isEqualTo(0.7341);
    assertThat(probe.books(btc).get(0).exchangeTime().toEpochMilli()).isEqualTo(1606295412123L);
    assertThat(probe.events(StreamEvent.Resync.class)).extracting(StreamEvent.Resync::cause)
        .containsExactly(ResyncCause.BAD_DATA, ResyncCause.BAD_DATA);
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactly("a spot.order_book message for 'ETH_USDT', not subscribed here",
            "Gate refused subscribe on spot.order_book: 2 unknown currency pair FOO_USDT");
    assertThat(json(server.received().get(0)).path("payload").toString())
        .isEqualTo("[\"BTC_USDT\",\"5\",\"100ms\"]");
  }

  @Test
  void withoutGatesTimeTheExchangeTimeIsTheReceiveTimeOneClockReading() {
    Instrument btc = Instrument.spot("BTC", "USDT");
    ScriptedWsServer server = closing(new ScriptedWsServer());
    onSubscribe(server, "spot.order_book", (ws, f) -> ws.send("{\"channel\":"
        + "\"spot.order_book\",\"event\":\"update\",\"result\":{\"lastUpdateId\":1,\"s\":"
        + "\"BTC_USDT\",\"l\":\"5\",\"bids\":[[\"1\",\"1\"]],\"asks\":[[\"2\",\"1\"]]}}"));
    StreamProbe probe = closing(StreamProbe.connect(scripted(server,
        Venues.gate().clock(new TickingClock()), "http://127.0.0.1:19"),
        new StreamRequest(List.of(btc), 5, true, false), StreamContext.direct()));
    probe.await("a book", p -> !p.books(btc).isEmpty(), PATIENCE); // no time_ms, no t
    BookSnapshot b = probe.books(btc).get(0);
    assertThat(b.exchangeTime()).isEqualTo(b.receivedAt());
  }

  @Test
  void theBookLevelIsGatesSmallestCoveringTheRequest() {
    ScriptedWsServer server = closing(new ScriptedWsServer());
    onSubscribe(server, "spot.order_book", (ws, f) -> ws.send(spotBook(1,
        "[[\"1\",\"1\"]]", "[[\"2\",\"1\"]]")));
    for (int depth : new int[] {1, 5, 6, 20, 21, 100, 500}) {
      closing(StreamProbe.connect(scripted(server, Venues.gate(), "http://127.0.0.1:19"),
          new StreamRequest(List.of(Instrument.spot("BTC", "USDT")), depth, true, false),
          StreamContext.direct())).await(StreamEvent.Update.class, 1, PATIENCE);
    }
    assertThat(server.received()).extracting(f -> json(f).path("payload").get(1).asText())
        .containsExactly("5", "5", "10", "20", "50", "100", "100");
  }

  /**
   * A context that records the kind of every request; its base-book requests never answer,
   * their subscriptions and cancellations counted, {@code onAsk} run at each with its number;
   * the others run at once.
   */
  private static StreamContext hangingBaseBooks(Flux<Instrument> resyncs, List<RequestKind> kinds,
      AtomicInteger asked, AtomicInteger subscribed, AtomicInteger cancelled, IntConsumer onAsk) {
    return new StreamContext() {
      @Override
      public Flux<Instrument> resyncs() {
        return resyncs;
      }

      @Override
      public <T> Mono<T> request(RequestKind kind, int depth, Supplier<Mono<T>> call) {
        kinds.add(kind);
        if (kind != RequestKind.BOOK) {
          return Mono.defer(call);
        }
        onAsk.accept(asked.incrementAndGet());
        return Mono.<T>never().doOnSubscribe(s -> subscribed.incrementAndGet())
            .doOnCancel(cancelled::incrementAndGet);
      }
    };
  }

  @Test
  void aBaseBookInFlightIsCancelledWhenTheConnectionEndsOrANewerOneSupersedesIt() {
    SimulatedVenue venue = SimulatedVenue.GATE_FUTURES;
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    ScriptedWsServer server = closing(new ScriptedWsServer()); // sends nothing: an idle venue
    AtomicInteger asked = new AtomicInteger();
    AtomicInteger subscribed = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    Sinks.Many<Instrument> rebuilds = Sinks.many().unicast().onBackpressureBuffer();
    StreamProbe probe = closing(StreamProbe.connect(scripted(server,
        SimulatedPresets.of(venue), sim.start()), new StreamRequest(List.of(btc), DEPTH, true,
        false), hangingBaseBooks(rebuilds.asFlux(), new CopyOnWriteArrayList<>(), asked,
        subscribed, cancelled, n -> {})));
    probe.await(StreamEvent.Connected.class, 1, PATIENCE);
    await("the base book asked", () -> subscribed.get() == 1);

    rebuilds.tryEmitNext(btc); // the scanner asks for a rebuild: a new base book
    await("the new base book asked", () -> subscribed.get() == 2);
    assertThat(cancelled.get()).as("the superseded request").isEqualTo(1);

    probe.close();
    await("the request in flight at the end cancelled", () -> cancelled.get() == 2);
    assertThat(asked.get()).isEqualTo(2);
  }

  @Test
  void noBaseBookRequestOutlivesTheConnectionEndingWhileOneStarts() {
    SimulatedVenue venue = SimulatedVenue.GATE_FUTURES;
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    ScriptedWsServer server = closing(new ScriptedWsServer());
    AtomicInteger asked = new AtomicInteger();
    AtomicInteger subscribed = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    AtomicReference<StreamProbe> probe = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Sinks.Many<Instrument> rebuilds = Sinks.many().unicast().onBackpressureBuffer();
    // The connection is closed while a rebuild is starting its base-book request (from inside
    // the request's admission).
    StreamContext context = hangingBaseBooks(rebuilds.asFlux(), new CopyOnWriteArrayList<>(),
        asked, subscribed, cancelled, n -> {
          if (n == 2) {
            probe.get().close();
            ended.countDown();
          }
        });
    probe.set(closing(StreamProbe.connect(scripted(server, SimulatedPresets.of(venue),
        sim.start()), new StreamRequest(List.of(btc), DEPTH, true, false), context)));
    probe.get().await(StreamEvent.Connected.class, 1, PATIENCE);
    await("the base book asked", () -> subscribed.get() == 1);

    rebuilds.tryEmitNext(btc);
    await("the connection ended", () -> ended.getCount() == 0);
    // The end reaches the connection on its event loop, maybe after the new request was made:
    // whether it was sent or not, none is left in flight.
    await("every base-book request sent cancelled", () -> cancelled.get() == subscribed.get());
    assertThat(asked.get()).isEqualTo(2);
    assertThat(subscribed.get()).isBetween(1, 2);
    assertThat(probe.get().events(StreamEvent.Update.class)).isEmpty();
  }

  @Test
  void aContractGateDoesNotListIsRejectedWithoutARequestCountedForIt() {
    SimulatedVenue venue = SimulatedVenue.GATE_FUTURES;
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    Instrument nope = Instrument.perpetual("NOPE", "USDT");
    MarketSource source = closing(SimulatedPresets.of(venue).baseUrl(sim.start())
        .streamUrl(sim.websocketUrl()).build());
    source.instruments().block(PATIENCE); // the contracts are known
    List<RequestKind> kinds = new CopyOnWriteArrayList<>();
    AtomicInteger books = new AtomicInteger();
    StreamProbe probe = closing(StreamProbe.connect(source.stream().orElseThrow(),
        new StreamRequest(List.of(nope, btc), DEPTH, true, false), hangingBaseBooks(Flux.never(),
            kinds, books, new AtomicInteger(), new AtomicInteger(), n -> {})));

    probe.await("NOPE rejected", p -> !p.events(StreamEvent.Rejected.class).isEmpty(), PATIENCE);
    await("BTC's base book asked", () -> books.get() == 1);
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactly("not streaming " + nope + ": gate-futures: contract size of " + nope
            + ": no such contract listed");
    assertThat(kinds).as("BTC's base book only: nothing was asked about NOPE")
        .containsExactly(RequestKind.BOOK);
  }

  private static void await(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + PATIENCE.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(end);
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // counters set by the stream
    }
  }
}
