package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Kraken's stream (XChange's {@code xchange-stream-kraken} 5.2.0 over the 5.2.1 core) against
 * the simulator's Kraken WebSocket on 127.0.0.1: subscription, books in sync, XChange's own
 * checksum resubscription, faults, resync requests.
 *
 * <p>Where a test needs the true book over time it keeps a reference: a plain WebSocket client
 * subscribed at depth 25 before the stream, which applies every delta, checks Kraken's checksum
 * itself, and records the top 10 levels after each message. The simulator's one-shot book
 * faults hit the shallowest depth's message (the stream's, at depth 10), never the reference's.
 */
class KrakenStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instrument BTC = SimulatedVenue.KRAKEN.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.KRAKEN.instrument("ETH");

  private VenueSimulator sim;
  private MarketSource source;
  private MarketStream stream;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    sim = VenueSimulator.builder(SimulatedVenue.KRAKEN).instruments(10).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    sim.start();
    source = Venues.kraken().baseUrl(sim.baseUrl()).streamUrl(sim.websocketUrl()).build();
    stream = source.stream().orElseThrow();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    source.close();
    sim.close();
  }

  private StreamProbe connect(StreamRequest request, StreamContext context) {
    StreamProbe probe = StreamProbe.connect(stream, request, context);
    closing.add(0, probe);
    return probe;
  }

  private StreamProbe connectBooks(Instrument i) {
    return connect(new StreamRequest(List.of(i), 10, true, false), StreamContext.direct());
  }

  @Test
  void presetStreamsKrakenFromTheProductionWebSocketByDefault() {
    assertThat(Venues.kraken().hasStream()).isTrue();
    assertThat(Venues.kraken().toString()).contains("wss://ws.kraken.com");
    assertThat(stream.venue()).isEqualTo("kraken");
  }

  @Test
  void subscribesBooksAtKrakensDepthAndTickersThenKeepsBooksInSyncWithTheSimulator() {
    StreamProbe probe = connect(new StreamRequest(List.of(BTC, ETH), 20, true, true),
        StreamContext.direct());

    probe.await(StreamEvent.Connected.class, 1, PATIENCE)
        .await("20 books and 5 tickers of each", p -> p.books(BTC).size() >= 20
            && p.books(ETH).size() >= 20 && p.tickers(BTC).size() >= 5
            && p.tickers(ETH).size() >= 5, PATIENCE);
    // Books move every 20 ms: wait for an event after which both sides agree.
    probe.await("the BTC book to equal the simulator's", p -> last(p.books(BTC))
        .equals(simBook(BTC, 20, last(p.books(BTC)))), PATIENCE);

    List<JsonNode> frames = received(1);
    assertThat(frames).extracting(f -> f.path("event").asText() + ' '
            + f.path("subscription").path("name").asText() + ' ' + f.path("pair").get(0).asText()
            + ' ' + f.path("subscription").path("depth").asInt())
        .containsExactly("subscribe book XBT/USD 25", "subscribe ticker XBT/USD 0",
            "subscribe book ETH/USD 25", "subscribe ticker ETH/USD 0");
    assertThat(probe.events(StreamEvent.Connected.class)).hasSize(1);
    for (BookSnapshot b : probe.books(BTC)) {
      assertThat(b.venue()).isEqualTo("kraken");
      assertThat(b.bidLevels()).isEqualTo(20);
      assertThat(b.askLevels()).isEqualTo(20);
      assertThat(b.bestBid()).isLessThan(b.bestAsk());
    }
    for (TickerSnapshot t : probe.tickers(ETH)) {
      assertThat(t.bid()).isPositive().isLessThan(t.ask());
      assertThat(t.last()).isPositive();
      assertThat(t.baseVolume24h()).isPositive();
      assertThat(t.change24h()).isFinite();
    }
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  /*
   * Kraken has no sequence numbers: a lost delta, like a wrong one, shows as a checksum that
   * disagrees. XChange then drops its book and resubscribes without telling, so no Resync event
   * can be asserted; what can: the simulator sees the resubscription, and no book the stream
   * emitted, before or after, differs from one the venue had.
   */
  @ParameterizedTest
  @EnumSource(value = WsFault.class, names = {"SEQUENCE_GAP", "CHECKSUM_MISMATCH"})
  void aLostOrWrongDeltaMakesXChangeResubscribeAndNoWrongBookIsEmitted(WsFault fault) {
    Reference reference = reference(BTC);
    StreamProbe probe = connectBooks(BTC).await("10 books", p -> p.books(BTC).size() >= 10,
        PATIENCE);

    sim.wsFault(fault, BTC);
    probe.await("XChange to resubscribe", p -> received(2).size() == 3, PATIENCE);
    int before = probe.books(BTC).size();
    probe.await("books after the resubscription",
        p -> p.books(BTC).size() >= before + 10, PATIENCE);
    probe.close();

    assertThat(received(2).subList(0, 3)).extracting(f -> f.path("event").asText() + ' '
            + f.path("pair").get(0).asText() + ' ' + f.path("subscription").path("depth"))
        .containsExactly("subscribe XBT/USD 10", "unsubscribe XBT/USD 10",
            "subscribe XBT/USD 10");
    reference.assertEachIsATrueBookInOrder(probe.books(BTC));
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void aMalformedMessageIsRejectedAndTheStreamGoesOn() {
    StreamProbe probe = connectBooks(BTC).await("a book", p -> !p.books(BTC).isEmpty(),
        PATIENCE);

    sim.wsFault(WsFault.MALFORMED, BTC);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    int before = probe.books(BTC).size();
    probe.await("books after it", p -> p.books(BTC).size() >= before + 5, PATIENCE);

    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .satisfies(r -> assertThat(r.detail()).startsWith("not JSON: <html>"));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aDroppedConnectionErrorsTheConnectFluxAndClosesTheExchange() {
    StreamProbe probe = connectBooks(BTC).await("a book", p -> !p.books(BTC).isEmpty(),
        PATIENCE);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining("closed");
    assertThat(probe.completed()).isFalse();
    assertThat(sim.wsConnections()).isZero();
  }

  @Test
  void noEventLoopThreadOutlivesADroppedOrAClosedConnection() throws InterruptedException {
    java.util.Set<Thread> before = eventLoops();
    StreamProbe dropped = connectBooks(BTC).await("a book", p -> !p.books(BTC).isEmpty(),
        PATIENCE);
    sim.wsFault(WsFault.DROP);
    dropped.awaitError(PATIENCE);
    dropped.close();
    StreamProbe closed = connectBooks(ETH).await("a book", p -> !p.books(ETH).isEmpty(),
        PATIENCE);
    closed.close();

    java.util.Set<Thread> started = eventLoops();
    started.removeAll(before);
    assertThat(started).as("each connection had its own netty event loop").isNotEmpty();
    for (Thread t : started) {
      t.join(PATIENCE.toMillis()); // XChange alone leaves the dropped one running for good
      assertThat(t.isAlive()).as("%s still runs", t.getName()).isFalse();
    }
  }

  private static java.util.Set<Thread> eventLoops() {
    java.util.Set<Thread> loops = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("nioEventLoopGroup") && t.isAlive()) {
        loops.add(t);
      }
    }
    return loops;
  }

  @Test
  void anIdleConnectionEmitsNothingAfterConnectedAndDoesNotFail() {
    sim.wsFault(WsFault.IDLE);

    StepVerifier.create(stream.connect(new StreamRequest(List.of(BTC, ETH), 10, true, true),
            StreamContext.direct()))
        .expectNext(StreamEvent.connected())
        .expectNoEvent(Duration.ofMillis(500))
        .thenCancel()
        .verify(PATIENCE);

    assertThat(sim.wsMessagesSent()).isZero();
    assertThat(received(1)).filteredOn(f -> f.path("event").asText().equals("subscribe"))
        .hasSize(4);
  }

  @Test
  void aConnectionThatIsRefusedErrorsPromptly() {
    sim.wsFault(WsFault.REFUSE);

    StepVerifier.create(stream.connect(new StreamRequest(List.of(BTC), 10, true, true),
            StreamContext.direct()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class)
            .hasMessageContaining("cannot open"))
        .verify(Duration.ofSeconds(5));
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);
  }

  @Test
  void aResyncRequestResubscribesTheInstrumentsBookWithItsPair() {
    Reference reference = reference(BTC);
    Sinks.Many<Instrument> resyncs = Sinks.many().multicast().directBestEffort();
    StreamProbe probe = connect(new StreamRequest(List.of(BTC, ETH), 10, true, false),
        StreamContext.direct(resyncs.asFlux()))
        .await("books of both", p -> p.books(BTC).size() >= 5 && p.books(ETH).size() >= 5,
            PATIENCE);

    resyncs.tryEmitNext(BTC);
    probe.await("the BTC book to be subscribed again", p -> received(2).size() == 4,
        PATIENCE);
    int before = probe.books(BTC).size();
    probe.await("books after it", p -> p.books(BTC).size() >= before + 10, PATIENCE);
    probe.close();

    assertThat(received(2).subList(0, 4)).extracting(f -> f.path("event").asText() + ' '
            + f.path("pair").get(0).asText())
        .containsExactly("subscribe XBT/USD", "subscribe ETH/USD", "unsubscribe XBT/USD",
            "subscribe XBT/USD");
    reference.assertEachIsATrueBookInOrder(probe.books(BTC));
    assertThat(probe.error()).isNull();
  }

  @Test
  void cancellingDisconnects() {
    StreamProbe probe = connectBooks(BTC).await("a book", p -> !p.books(BTC).isEmpty(),
        PATIENCE);

    probe.close();

    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> sim.wsConnections() == 0).next())
        .expectNextCount(1)
        .expectComplete()
        .verify(PATIENCE);
    assertThat(sim.wsLog()).extracting(WsEvent::kind).contains(WsEvent.Kind.CLOSED);
    assertThat(probe.error()).isNull();
  }

  // ---------------------------------------------------------------------------------------------

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  /** The simulator's book now, with the times of {@code like} so that the two compare. */
  private BookSnapshot simBook(Instrument i, int depth, BookSnapshot like) {
    BookSnapshot b = sim.streamedBook(i, depth);
    return BookSnapshot.of(like.venue(), i, prices(b, true), sizes(b, true), prices(b, false),
        sizes(b, false), like.exchangeTime(), like.receivedAt());
  }

  private static double[] prices(BookSnapshot b, boolean bids) {
    double[] out = new double[bids ? b.bidLevels() : b.askLevels()];
    for (int k = 0; k < out.length; k++) {
      out[k] = bids ? b.bidPrice(k) : b.askPrice(k);
    }
    return out;
  }

  private static double[] sizes(BookSnapshot b, boolean bids) {
    double[] out = new double[bids ? b.bidLevels() : b.askLevels()];
    for (int k = 0; k < out.length; k++) {
      out[k] = bids ? b.bidSize(k) : b.askSize(k);
    }
    return out;
  }

  /** The frames the simulator received on a connection, in order. */
  private List<JsonNode> received(int connection) {
    List<JsonNode> out = new ArrayList<>();
    for (WsEvent e : sim.wsLog()) {
      if (e.connection() == connection && e.kind() == WsEvent.Kind.RECEIVED) {
        out.add(json(e.text()));
      }
    }
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Subscribes the reference book (connection 1) and waits for its snapshot. */
  private Reference reference(Instrument i) {
    Reference r = new Reference();
    String pair = i.base().equals("BTC") ? "XBT/" + i.quote() : i.base() + '/' + i.quote();
    String subscribe = "{\"event\":\"subscribe\",\"reqid\":1,\"pair\":[\"" + pair + "\"],"
        + "\"subscription\":{\"name\":\"book\",\"depth\":25}}";
    WsClient client = WsClient.ownThreads("reference");
    Disposable d = client
        .connect(WsSpec.of("reference", URI.create(sim.websocketUrl())), List.of(subscribe))
        .map(KrakenStreamTest::json)
        .filter(JsonNode::isArray)
        .subscribe(r::apply);
    closing.add(d::dispose);
    closing.add(client::close);
    r.awaitSnapshot();
    return r;
  }

  /**
   * The true book as a plain client keeps it from the simulator's frames, at depth 25, checking
   * every checksum; it records the top 10 levels per side after each message.
   */
  private static final class Reference {
    private final TreeMap<BigDecimal, String[]> bids = new TreeMap<>(Collections.reverseOrder());
    private final TreeMap<BigDecimal, String[]> asks = new TreeMap<>();
    private final List<String> history = new ArrayList<>();
    private final List<String> mismatches = new ArrayList<>();

    synchronized void apply(JsonNode frame) {
      for (int k = 1; k < frame.size() - 2; k++) {
        JsonNode part = frame.get(k);
        side(asks, part.has("as") ? part.get("as") : part.path("a"));
        side(bids, part.has("bs") ? part.get("bs") : part.path("b"));
        if (part.has("c") && Long.parseLong(part.get("c").asText()) != checksum()) {
          mismatches.add(part.get("c").asText());
        }
      }
      history.add(top());
      notifyAll();
    }

    synchronized void awaitSnapshot() {
      await(() -> !history.isEmpty());
      assertThat(history).as("the reference snapshot").isNotEmpty();
    }

    /** Waits, woken by each message, until the condition holds or patience runs out. */
    private synchronized void await(BooleanSupplier condition) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    /**
     * Each book is one the venue had, and they came in the venue's order. The reference reads
     * on a connection of its own, so it is first given time to reach the last book.
     */
    synchronized void assertEachIsATrueBookInOrder(List<BookSnapshot> books) {
      assertThat(books).isNotEmpty();
      String lastKey = key(books.get(books.size() - 1));
      await(() -> history.contains(lastKey));
      assertThat(mismatches).as("checksums the reference disagreed with").isEmpty();
      int at = 0;
      for (BookSnapshot b : books) {
        String key = key(b);
        int found = history.subList(at, history.size()).indexOf(key);
        assertThat(found).as("book %s is one the venue had (after index %d of %d)", key, at,
            history.size()).isNotNegative();
        at += found;
      }
    }

    private static void side(TreeMap<BigDecimal, String[]> side, JsonNode levels) {
      for (JsonNode l : levels) {
        BigDecimal price = new BigDecimal(l.get(0).asText());
        if (new BigDecimal(l.get(1).asText()).signum() == 0) {
          side.remove(price);
        } else {
          side.put(price, new String[] {l.get(0).asText(), l.get(1).asText()});
        }
      }
      while (side.size() > 25) {
        side.pollLastEntry();
      }
    }

    private long checksum() {
      StringBuilder s = new StringBuilder();
      for (Map<BigDecimal, String[]> side : List.of(asks, bids)) {
        side.values().stream().limit(10).forEach(l -> s.append(strip(l[0])).append(strip(l[1])));
      }
      CRC32 crc = new CRC32();
      crc.update(s.toString().getBytes(StandardCharsets.US_ASCII));
      return crc.getValue();
    }

    private static String strip(String decimal) {
      return decimal.replace(".", "").replaceFirst("^0+", "");
    }

    private String top() {
      StringBuilder s = new StringBuilder();
      bids.values().stream().limit(10).forEach(l -> s.append(Double.parseDouble(l[0])).append('x')
          .append(Double.parseDouble(l[1])).append(' '));
      s.append('|');
      asks.values().stream().limit(10).forEach(l -> s.append(Double.parseDouble(l[0])).append('x')
          .append(Double.parseDouble(l[1])).append(' '));
      return s.toString();
    }

    private static String key(BookSnapshot b) {
      StringBuilder s = new StringBuilder();
      for (int k = 0; k < b.bidLevels(); k++) {
        s.append(b.bidPrice(k)).append('x').append(b.bidSize(k)).append(' ');
      }
      s.append('|');
      for (int k = 0; k < b.askLevels(); k++) {
        s.append(b.askPrice(k)).append('x').append(b.askSize(k)).append(' ');
      }
      return s.toString();
    }
  }
}
