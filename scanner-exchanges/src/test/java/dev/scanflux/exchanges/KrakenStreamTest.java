package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import dev.scanflux.exchanges.venue.kraken.internal.KrakenStream;
import dev.scanflux.exchanges.venue.kraken.internal.KrakenVenues;
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
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Kraken's native WebSocket v2 stream against the simulator's Kraken WebSocket v2 on 127.0.0.1:
 * subscription, books in sync, checksum resyncs reported and resubscribed, faults, resync
 * requests, reconnection, threads.
 *
 * <p>Where a test needs the true book over time it keeps a reference: a plain WebSocket client
 * subscribed at depth 25 before the stream, which applies every update, checks Kraken's checksum
 * itself, and records the top 10 levels after each message. The simulator's one-shot book
 * faults hit the shallowest depth's message (the stream's, at depth 10), never the reference's.
 */
class KrakenStreamTest {

  /** Numbers keep their text (trailing zeros), as Kraken's checksum needs. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
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
    // The JDK client may miss an abrupt close until it next writes: a short heartbeat bounds it.
    stream = heartbeatStream("kraken");
  }

  private MarketStream heartbeatStream(String venue) {
    KrakenStream s = new KrakenStream(new SourceSettings(venue, sim.baseUrl(), KrakenVenues.LIMIT,
        2, Duration.ofSeconds(5), Schedulers.parallel(), sim.websocketUrl()),
        Duration.ofMillis(100));
    closing.add(s);
    return s;
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
    assertThat(Venues.kraken().toString()).contains("wss://ws.kraken.com/v2");
    assertThat(source.stream()).get().isInstanceOf(KrakenStream.class)
        .extracting(MarketStream::venue).isEqualTo("kraken");
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
    assertThat(frames).extracting(KrakenStreamTest::describe)
        .containsExactly("subscribe book [\"BTC/USD\",\"ETH/USD\"] 25",
            "subscribe ticker [\"BTC/USD\",\"ETH/USD\"] 0");
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
   * Kraken has no sequence numbers: a lost update, like a wrong one, shows as a checksum that
   * disagrees. The stream reports it as a resync, resubscribes the book, and no book it emitted,
   * before or after, differs from one the venue had.
   */
  @ParameterizedTest
  @EnumSource(value = WsFault.class, names = {"SEQUENCE_GAP", "CHECKSUM_MISMATCH"})
  void aLostOrWrongUpdateIsAChecksumResyncAndTheBookIsResubscribed(WsFault fault) {
    Reference reference = reference(BTC);
    StreamProbe probe = connectBooks(BTC).await("10 books", p -> p.books(BTC).size() >= 10,
        PATIENCE);

    sim.wsFault(fault, BTC);
    probe.await(StreamEvent.Resync.class, 1, PATIENCE);
    probe.await("the book subscribed again", p -> received(2).size() >= 3, PATIENCE);
    int before = probe.books(BTC).size();
    probe.await("books after the resubscription",
        p -> p.books(BTC).size() >= before + 10, PATIENCE);
    probe.close();

    assertThat(probe.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.cause()).isEqualTo(ResyncCause.CHECKSUM_MISMATCH);
      assertThat(r.detail()).startsWith("Kraken's checksum ");
    });
    assertThat(received(2).subList(0, 3)).extracting(KrakenStreamTest::describe)
        .containsExactly("subscribe book [\"BTC/USD\"] 10", "unsubscribe book [\"BTC/USD\"] 10",
            "subscribe book [\"BTC/USD\"] 10");
    reference.assertEachIsATrueBookInOrder(probe.books(BTC));
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
        .satisfies(r -> assertThat(r.detail()).startsWith("not JSON: "));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aDroppedConnectionErrorsTheConnectFlux() {
    StreamProbe probe = connectBooks(BTC).await("a book", p -> !p.books(BTC).isEmpty(),
        PATIENCE);

    sim.wsFault(WsFault.DROP);

    assertThat(probe.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class);
    assertThat(probe.completed()).isFalse();
    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> sim.wsConnections() == 0).next())
        .expectNextCount(1).expectComplete().verify(PATIENCE);
  }

  @Test
  void reconnectingSubscribesAgainAndBooksResumeInSync() {
    StreamRequest request = new StreamRequest(List.of(BTC, ETH), 10, true, true);
    StreamProbe first = connect(request, StreamContext.direct())
        .await("books of both", p -> !p.books(BTC).isEmpty() && !p.books(ETH).isEmpty(),
            PATIENCE);
    sim.wsFault(WsFault.DROP);
    first.awaitError(PATIENCE);

    // What the engine does after a drop: subscribe the connect flux again.
    StreamProbe second = connect(request, StreamContext.direct())
        .await("books of both again", p -> p.books(BTC).size() >= 5 && p.books(ETH).size() >= 5,
            PATIENCE);
    second.await("the BTC book to equal the simulator's", p -> last(p.books(BTC))
        .equals(simBook(BTC, 10, last(p.books(BTC)))), PATIENCE);

    assertThat(received(2)).extracting(KrakenStreamTest::describe)
        .containsExactly("subscribe book [\"BTC/USD\",\"ETH/USD\"] 10",
            "subscribe ticker [\"BTC/USD\",\"ETH/USD\"] 0");
    assertThat(second.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(second.error()).isNull();
  }

  @Test
  void noThreadOutlivesClose() {
    MarketStream own = heartbeatStream("threads-kraken");
    StreamProbe dropped = StreamProbe.connect(own, 10, BTC)
        .await("a book", p -> !p.books(BTC).isEmpty(), PATIENCE);
    sim.wsFault(WsFault.DROP);
    dropped.awaitError(PATIENCE);
    dropped.close();
    StreamProbe open = StreamProbe.connect(own, 10, ETH)
        .await("a book", p -> !p.books(ETH).isEmpty(), PATIENCE);
    assertThat(threads("scanflux-threads-kraken")).as("the stream's own threads").isPositive();

    open.close();
    own.close();

    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> threads("scanflux-threads-kraken") == 0).next())
        .expectNextCount(1).expectComplete().verify(PATIENCE);
    assertThat(threads("nioEventLoopGroup")).as("XChange's netty event loops").isZero();
  }

  private static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
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
    assertThat(received(1)).filteredOn(f -> f.path("method").asText().equals("subscribe"))
        .hasSize(2);
  }

  @Test
  void aConnectionThatIsRefusedErrorsPromptly() {
    sim.wsFault(WsFault.REFUSE);

    StepVerifier.create(stream.connect(new StreamRequest(List.of(BTC), 10, true, true),
            StreamContext.direct()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(TransientSourceException.class))
        .verify(Duration.ofSeconds(5));
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);
  }

  @Test
  void aResyncRequestResubscribesTheInstrumentsBookWithItsSymbol() {
    Reference reference = reference(BTC);
    Sinks.Many<Instrument> resyncs = Sinks.many().multicast().directBestEffort();
    StreamProbe probe = connect(new StreamRequest(List.of(BTC, ETH), 10, true, false),
        StreamContext.direct(resyncs.asFlux()))
        .await("books of both", p -> p.books(BTC).size() >= 5 && p.books(ETH).size() >= 5,
            PATIENCE);

    resyncs.tryEmitNext(BTC);
    probe.await("the BTC book to be subscribed again", p -> received(2).size() >= 3,
        PATIENCE);
    int before = probe.books(BTC).size();
    probe.await("books after it", p -> p.books(BTC).size() >= before + 10, PATIENCE);
    probe.close();

    assertThat(received(2).subList(0, 3)).extracting(KrakenStreamTest::describe)
        .containsExactly("subscribe book [\"BTC/USD\",\"ETH/USD\"] 10",
            "unsubscribe book [\"BTC/USD\"] 10", "subscribe book [\"BTC/USD\"] 10");
    assertThat(probe.events(StreamEvent.Resync.class)).as("asked for, not found").isEmpty();
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

  /** A request frame as {@code method channel [symbols] depth}. */
  private static String describe(JsonNode f) {
    JsonNode p = f.path("params");
    return f.path("method").asText() + ' ' + p.path("channel").asText() + ' '
        + p.path("symbol") + ' ' + p.path("depth").asInt();
  }

  /** The frames the simulator received on a connection, in order, heartbeats left out. */
  private List<JsonNode> received(int connection) {
    List<JsonNode> out = new ArrayList<>();
    for (WsEvent e : sim.wsLog()) {
      if (e.connection() == connection && e.kind() == WsEvent.Kind.RECEIVED
          && !e.text().equals("{\"method\":\"ping\"}")) {
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
    String subscribe = "{\"method\":\"subscribe\",\"params\":{\"channel\":\"book\","
        + "\"symbol\":[\"" + i.base() + '/' + i.quote() + "\"],\"depth\":25},\"req_id\":1}";
    WsClient client = WsClient.ownThreads("reference");
    Disposable d = client
        .connect(WsSpec.of("reference", URI.create(sim.websocketUrl())), List.of(subscribe))
        .map(KrakenStreamTest::json)
        .filter(f -> f.path("channel").asText().equals("book"))
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
      JsonNode d = frame.path("data").path(0);
      side(asks, d.path("asks"));
      side(bids, d.path("bids"));
      if (d.path("checksum").asLong() != checksum()) {
        mismatches.add(d.path("checksum").asText());
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
        String price = l.get("price").decimalValue().toPlainString();
        String qty = l.get("qty").decimalValue().toPlainString();
        if (new BigDecimal(qty).signum() == 0) {
          side.remove(new BigDecimal(price));
        } else {
          side.put(new BigDecimal(price), new String[] {price, qty});
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
