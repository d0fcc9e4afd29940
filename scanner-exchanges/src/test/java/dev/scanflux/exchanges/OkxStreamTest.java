package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Sinks;

/**
 * The OKX stream of both presets against the simulator's WebSocket side, over real sockets on
 * 127.0.0.1: books kept in sync from snapshot and deltas (equal to the simulator's), resyncs by
 * resubscription after a gap, a wrong checksum or the scanner's request, and the connection
 * faults (a drop: {@code OkxStreamHeartbeatTest}).
 */
class OkxStreamTest {

  private static final int DEPTH = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> open = new ArrayList<>();
  private VenueSimulator sim;
  private MarketSource source;
  private Instrument btc;
  private Instrument eth;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private MarketStream start(SimulatedVenue venue) {
    sim = VenueSimulator.builder(venue).instruments(30).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    open.add(sim);
    sim.start();
    source = SimulatedPresets.of(venue).baseUrl(sim.baseUrl()).streamUrl(sim.websocketUrl()).build();
    open.add(source);
    btc = venue.instrument("BTC");
    eth = venue.instrument("ETH");
    return source.stream().orElseThrow();
  }

  private StreamProbe connect(MarketStream stream, StreamContext context,
      Instrument... instruments) {
    StreamProbe probe = StreamProbe.connect(stream,
        new StreamRequest(List.of(instruments), DEPTH, true, true), context);
    open.add(probe);
    return probe;
  }

  /** Connects BTC and ETH and waits until both books equal the simulator's. */
  private StreamProbe synced(MarketStream stream, StreamContext context) {
    StreamProbe probe = connect(stream, context, btc, eth);
    return awaitSynced(probe, btc, "BTC in sync").await("ETH in sync", p -> inSync(p, eth),
        PATIENCE);
  }

  private StreamProbe awaitSynced(StreamProbe probe, Instrument instrument, String what) {
    return probe.await(what, p -> inSync(p, instrument), PATIENCE);
  }

  /**
   * True when the last book streamed for the instrument since its last resync has the levels of
   * the simulator's streamed book now (sizes in contracts of ctVal for swaps). Checked
   * at every event: the simulator may have moved on between a book and the check, so this holds
   * at most moments, not all.
   */
  private boolean inSync(StreamProbe probe, Instrument instrument) {
    BookSnapshot last = lastBookSinceResync(probe, instrument);
    if (last == null) {
      return false;
    }
    try {
      // Sizes in base units: equal only if the contract sizes agree too.
      return StreamProbe.sameLevels(last, sim.streamedBook(instrument, DEPTH));
    } catch (IllegalStateException betweenUnsubscribeAndSubscribe) {
      return false;
    }
  }

  /** The last book streamed for the instrument since its last resync, or null. */
  private static @Nullable BookSnapshot lastBookSinceResync(StreamProbe probe,
      Instrument instrument) {
    BookSnapshot last = null;
    for (StreamEvent e : probe.events()) {
      if (e instanceof StreamEvent.Resync r && r.instrument().equals(instrument)) {
        last = null;
      } else if (e instanceof StreamEvent.Update u && u.snapshot() instanceof BookSnapshot b
          && b.instrument().equals(instrument)) {
        last = b;
      }
    }
    return last;
  }

  private List<JsonNode> framesReceived() {
    List<JsonNode> frames = new ArrayList<>();
    for (WsEvent e : sim.wsLog()) {
      if (e.kind() == WsEvent.Kind.RECEIVED && !e.text().equals("ping")) {
        try {
          frames.add(JSON.readTree(e.text()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
          throw new UncheckedIOException(x);
        }
      }
    }
    return frames;
  }

  /** {@code op:channel:instId} of every argument the stream sent, in order. */
  private List<String> argsSent() {
    List<String> args = new ArrayList<>();
    for (JsonNode f : framesReceived()) {
      for (JsonNode a : f.path("args")) {
        args.add(f.path("op").asText() + ":" + a.path("channel").asText() + ":"
            + a.path("instId").asText());
      }
    }
    return args;
  }

  private String instId(Instrument i) {
    return i.base() + "-" + i.quote() + (i.isSpot() ? "" : "-SWAP");
  }

  @ParameterizedTest
  @EnumSource(names = {"OKX", "OKX_SWAP"})
  void booksFollowTheSimulatorFromSnapshotAndDeltas(SimulatedVenue venue) {
    MarketStream stream = start(venue);
    StreamProbe probe = synced(stream, StreamContext.direct());

    // Long enough for the walk to move the book by hundreds of levels now and then.
    probe.await("200 BTC books", p -> p.books(btc).size() >= 200, PATIENCE);
    awaitSynced(probe, btc, "BTC in sync after 200 deltas");
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(btc)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo(stream.venue());
      assertThat(b.bidLevels()).isEqualTo(DEPTH);
      assertThat(b.askLevels()).isEqualTo(DEPTH);
    });
    // The streamed books carry the REST books' unit: contracts of ctVal for swaps.
    BookSnapshot rest = source.book(btc, 5).block(PATIENCE);
    assertThat(rest).isNotNull();
    assertThat(probe.books(btc)).extracting(BookSnapshot::contractSize)
        .containsOnly(rest.contractSize());
    assertThat(rest.contractSize()).isEqualTo(venue == SimulatedVenue.OKX ? 1 : 0.01);

    probe.await("BTC tickers", p -> p.tickers(btc).size() >= 3, PATIENCE);
    TickerSnapshot t = probe.tickers(btc).get(0);
    assertThat(t.bid()).isLessThan(t.ask());
    assertThat(t.baseVolume24h()).isPositive();
    assertThat(t.quoteVolume24h()).isPositive();
    assertThat(argsSent()).startsWith("subscribe:books:" + instId(btc),
        "subscribe:tickers:" + instId(btc), "subscribe:books:" + instId(eth),
        "subscribe:tickers:" + instId(eth));
    assertThat(probe.error()).isNull();
  }

  @Test
  void subscriptionsGoOutInFramesOfFiftyArguments() {
    MarketStream stream = start(SimulatedVenue.OKX);
    List<Instrument> thirty = source.instruments().block(PATIENCE);
    assertThat(thirty).hasSize(30);
    StreamProbe probe = connect(stream, StreamContext.direct(),
        thirty.toArray(Instrument[]::new));

    probe.await(StreamEvent.Connected.class, 1, PATIENCE);
    probe.await("a book of each", p -> thirty.stream().allMatch(i -> !p.books(i).isEmpty()),
        PATIENCE);
    assertThat(framesReceived()).extracting(f -> f.path("args").size()).containsExactly(50, 10);
  }

  @ParameterizedTest
  @CsvSource({"OKX, SEQUENCE_GAP, SEQUENCE_GAP", "OKX_SWAP, SEQUENCE_GAP, SEQUENCE_GAP",
      "OKX, CHECKSUM_MISMATCH, CHECKSUM_MISMATCH",
      "OKX_SWAP, CHECKSUM_MISMATCH, CHECKSUM_MISMATCH"})
  void aBrokenDeltaResyncsTheInstrumentByResubscribing(SimulatedVenue venue, WsFault fault,
      ResyncCause cause) {
    MarketStream stream = start(venue);
    StreamProbe probe = synced(stream, StreamContext.direct());

    sim.wsFault(fault, btc);
    probe.await(StreamEvent.Resync.class, 1, PATIENCE);
    assertThat(probe.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(btc);
      assertThat(r.cause()).isEqualTo(cause);
    });
    awaitSynced(probe, btc, "BTC in sync again");
    assertThat(argsSent()).containsSubsequence("unsubscribe:books:" + instId(btc),
        "subscribe:books:" + instId(btc));
    assertThat(argsSent()).doesNotContain("unsubscribe:books:" + instId(eth),
        "unsubscribe:tickers:" + instId(btc));
    assertThat(probe.events(StreamEvent.Resync.class)).hasSize(1);
    assertThat(probe.error()).isNull();
  }

  /**
   * Checksum faults on six of thirty books, one after another: each is one checksum resync, and
   * each resubscribed book is rebuilt from the snapshot that follows OKX's answer, never taken
   * for lost (no gap resync) however many updates of the old subscription were still queued.
   */
  @Test
  void everyChecksumFaultIsOneChecksumResyncAndTheBookComesBack() {
    MarketStream stream = start(SimulatedVenue.OKX);
    List<Instrument> thirty = source.instruments().block(PATIENCE);
    StreamProbe probe = connect(stream, StreamContext.direct(), thirty.toArray(Instrument[]::new));
    probe.await("a book of each", p -> thirty.stream().allMatch(i -> !p.books(i).isEmpty()),
        PATIENCE);

    // Each for a book in sync: one resubscribing drops its old subscription's deltas unread, and
    // a fault in one of those could not be seen by any client.
    int faults = 6;
    for (int k = 1; k <= faults; k++) {
      sim.wsFault(WsFault.CHECKSUM_MISMATCH, thirty.get(5 * k - 1));
      int applied = k;
      probe.await(k + " checksum resyncs", p -> p.events(StreamEvent.Resync.class).size()
          >= applied, PATIENCE);
    }
    assertThat(sim.wsFaultsApplied().get(WsFault.CHECKSUM_MISMATCH)).isEqualTo(faults);
    for (StreamEvent.Resync r : probe.events(StreamEvent.Resync.class)) {
      // Thirty books at 20 ms: a loaded reader lags the simulator, so "rebuilt" is a book after
      // the resync (its levels checked against the checksums), not equal to the one now.
      probe.await(r.instrument() + " rebuilt",
          p -> lastBookSinceResync(p, r.instrument()) != null, PATIENCE);
    }
    assertThat(probe.events(StreamEvent.Resync.class)).hasSize(faults)
        .allSatisfy(r -> assertThat(r.cause()).isEqualTo(ResyncCause.CHECKSUM_MISMATCH));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aMalformedMessageIsRejectedAndTheStreamGoesOn() {
    MarketStream stream = start(SimulatedVenue.OKX);
    StreamProbe probe = synced(stream, StreamContext.direct());

    sim.wsFault(WsFault.MALFORMED, btc);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class).get(0).detail())
        .startsWith("unreadable message: <html>");
    // If the lost message was a delta, the next one shows the gap and the book is rebuilt.
    int before = probe.books(btc).size();
    probe.await("a later BTC book", p -> p.books(btc).size() > before, PATIENCE);
    awaitSynced(probe, btc, "BTC in sync after the rejection");
    assertThat(probe.events(StreamEvent.Resync.class))
        .allSatisfy(r -> assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP));
    assertThat(probe.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(names = {"OKX", "OKX_SWAP"})
  void anInstrumentOkxDoesNotListIsRejectedAndTheOthersStream(SimulatedVenue venue) {
    MarketStream stream = start(venue);
    Instrument unknown = venue.instrument("NOPE");
    StreamProbe probe = connect(stream, StreamContext.direct(), unknown, btc);

    // Spot subscribes both channels and OKX answers 60018 to each; a swap's contract value is
    // looked up first, and the swap left out.
    int rejections = venue == SimulatedVenue.OKX ? 2 : 1;
    probe.await(StreamEvent.Rejected.class, rejections, PATIENCE);
    awaitSynced(probe, btc, "BTC in sync");
    assertThat(probe.events(StreamEvent.Rejected.class)).hasSize(rejections)
        .allSatisfy(r -> assertThat(r.detail()).contains("NOPE")
            .contains(venue == SimulatedVenue.OKX ? "60018" : "not streaming"));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aResyncRequestResubscribesTheInstrumentsChannels() {
    MarketStream stream = start(SimulatedVenue.OKX_SWAP);
    Sinks.Many<Instrument> resyncs = Sinks.many().multicast().directBestEffort();
    StreamProbe probe = synced(stream, StreamContext.direct(resyncs.asFlux()));
    int booksBefore = probe.books(btc).size();

    assertThat(resyncs.tryEmitNext(btc)).isEqualTo(Sinks.EmitResult.OK);
    String id = instId(btc);
    probe.await("BTC's channels resubscribed", p -> argsSent().size() >= 8, PATIENCE);
    assertThat(argsSent().subList(4, argsSent().size())).containsExactly(
        "unsubscribe:books:" + id, "unsubscribe:tickers:" + id, "subscribe:books:" + id,
        "subscribe:tickers:" + id);
    // Rebuilt from the snapshot the resubscription brings; the scanner counted the resync.
    probe.await("a new BTC book", p -> p.books(btc).size() > booksBefore, PATIENCE);
    awaitSynced(probe, btc, "BTC in sync after the resubscription");
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void aRefusedConnectionErrorsPromptly() {
    MarketStream stream = start(SimulatedVenue.OKX);
    sim.wsFault(WsFault.REFUSE);
    StreamProbe probe = connect(stream, StreamContext.direct(), btc);

    probe.awaitError(PATIENCE);
    assertThat(probe.error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining("cannot open");
    assertThat(probe.events()).isEmpty();
    assertThat(sim.wsLog()).extracting(WsEvent::kind).containsExactly(WsEvent.Kind.REFUSED);
  }

  @Test
  void anIdleConnectionEmitsNothingAfterConnectedAndALostSnapshotIsRequestedAgain() {
    MarketStream stream = start(SimulatedVenue.OKX);
    sim.wsFault(WsFault.IDLE);
    StreamProbe probe = connect(stream, StreamContext.direct(), btc);

    probe.await(StreamEvent.Connected.class, 1, PATIENCE);
    assertThatThrownBy(() -> probe.await(StreamEvent.Update.class, 1, Duration.ofMillis(300)))
        .isInstanceOf(AssertionError.class);
    assertThat(probe.events()).hasSize(1);
    assertThat(probe.error()).isNull();
    // The venue talks again, but the book's snapshot was swallowed: tickers flow at once, and
    // the first delta, on a connection whose first subscription it is, shows the snapshot lost.
    sim.clearWsFaults();
    probe.await("tickers after the idle spell", p -> p.tickers(btc).size() >= 3, PATIENCE);
    probe.await(StreamEvent.Resync.class, 1, PATIENCE);
    assertThat(probe.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.cause()).isEqualTo(ResyncCause.SEQUENCE_GAP);
      assertThat(r.detail()).isEqualTo("an update before the snapshot of the subscription:"
          + " the snapshot was lost");
    });
    awaitSynced(probe, btc, "BTC in sync from the new snapshot");
    assertThat(argsSent()).endsWith("unsubscribe:books:BTC-USDT", "subscribe:books:BTC-USDT");
    assertThat(probe.error()).isNull();
  }
}
