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
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * KuCoin's push streams, spot and futures, on real sockets against the simulator's KuCoin
 * WebSocket and its token endpoint: the subscriptions, books kept equal to the venue's, tickers
 * read like the REST ones, a new token per connection, faults, and no token in any error.
 */
class KucoinStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  final Closer closer = new Closer();

  private <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  private VenueSimulator sim(SimulatedVenue venue) {
    VenueSimulator sim = closing(VenueSimulator.builder(venue).instruments(10)
        .websocket(true).streamInterval(Duration.ofMillis(20)).build());
    sim.start();
    return sim;
  }

  private MarketSource source(VenueSimulator sim) {
    return closing(SimulatedPresets.of(sim.venue()).baseUrl(sim.start())
        .streamUrl(sim.websocketUrl()).build());
  }

  private StreamProbe connect(MarketSource source, int depth, Instrument... instruments) {
    MarketStream stream = source.stream().orElseThrow();
    return closing(StreamProbe.connect(stream, depth, instruments));
  }

  /** A simulator of {@code venue}, its preset (discovered) and a probe on BTC's stream. */
  private record Started(VenueSimulator sim, Instrument btc, MarketSource source,
      StreamProbe probe) {}

  private Started start(SimulatedVenue venue, int depth) {
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    MarketSource source = source(sim);
    source.instruments().block(PATIENCE); // futures books need the contracts' multipliers
    return new Started(sim, btc, source, connect(source, depth, btc));
  }

  private static List<ServedRequest> bullets(VenueSimulator sim) {
    return sim.requestLog().stream()
        .filter(r -> r.path().equals("/api/v1/bullet-public")).toList();
  }

  private static List<JsonNode> subscriptions(VenueSimulator sim) {
    return sim.wsLog().stream().filter(e -> e.kind() == WsEvent.Kind.RECEIVED)
        .map(e -> json(e.text())).filter(j -> !j.path("type").asText().equals("ping")).toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the stream emitted the book the simulator streamed last, level for level. */
  private static void awaitInSync(StreamProbe probe, VenueSimulator sim, Instrument i,
      int depth) {
    probe.await("a book of " + i, p -> !p.books(i).isEmpty(), PATIENCE);
    probe.await(i + " equal to the simulator's", p -> {
      BookSnapshot expected = sim.streamedBook(i, depth);
      return p.books(i).stream().anyMatch(b -> StreamProbe.sameLevels(b, expected));
    }, PATIENCE);
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"KUCOIN", "KUCOIN_FUTURES"})
  void takesATokenSubscribesAndKeepsEveryBookEqualToTheVenues(SimulatedVenue venue) {
    VenueSimulator sim = sim(venue);
    Instrument btc = venue.instrument("BTC");
    Instrument eth = venue.instrument("ETH");
    MarketSource source = source(sim);
    source.instruments().block(PATIENCE); // futures books need the contracts' multipliers
    StreamProbe probe = connect(source, 10, btc, eth);

    awaitInSync(probe, sim, btc, 10);
    awaitInSync(probe, sim, eth, 10);
    probe.await("tickers of both", p -> !p.tickers(btc).isEmpty() && !p.tickers(eth).isEmpty(),
        PATIENCE);

    assertThat(probe.events(StreamEvent.Connected.class)).hasSize(1);
    assertThat(bullets(sim)).hasSize(1).allSatisfy(r -> assertThat(r.method()).isEqualTo("POST"));
    List<String> topics = subscriptions(sim).stream().map(j -> {
      assertThat(j.path("type").asText()).isEqualTo("subscribe");
      assertThat(j.path("response").asBoolean()).isTrue();
      return j.path("topic").asText();
    }).toList();
    // books first, then what completes a ticker; lists only where KuCoin documents them
    if (venue == SimulatedVenue.KUCOIN) {
      assertThat(topics).containsExactly("/spotMarket/level2Depth50:BTC-USDT,ETH-USDT",
          "/market/ticker:BTC-USDT,ETH-USDT", "/market/snapshot:BTC-USDT",
          "/market/snapshot:ETH-USDT");
    } else {
      assertThat(topics).containsExactly("/contractMarket/level2Depth50:XBTUSDTM",
          "/contractMarket/level2Depth50:ETHUSDTM", "/contractMarket/ticker:XBTUSDTM",
          "/contractMarket/ticker:ETHUSDTM", "/contractMarket/tickerV2:XBTUSDTM",
          "/contractMarket/tickerV2:ETHUSDTM");
    }
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.books(btc)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo(venue == SimulatedVenue.KUCOIN ? "kucoin"
          : "kucoin-futures");
      assertThat(b.bidLevels()).isEqualTo(10);
      assertThat(b.askLevels()).isEqualTo(10);
    });
    TickerSnapshot t = probe.tickers(btc).get(probe.tickers(btc).size() - 1);
    assertThat(t.bid()).isLessThan(t.ask());
    assertThat(t.last()).isBetween(t.bid(), t.ask());
    if (venue == SimulatedVenue.KUCOIN) { // the REST ticker's 24 h fields, from the snapshot
      assertThat(t.baseVolume24h()).isPositive();
      assertThat(t.quoteVolume24h()).isPositive();
      assertThat(t.change24h()).isNotNaN();
    } else { // as the REST ticker: no 24 h figures
      assertThat(t.baseVolume24h()).isNaN();
      assertThat(probe.books(btc).get(0).contractSize()).isLessThan(1);
    }
    assertThat(probe.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"KUCOIN", "KUCOIN_FUTURES"})
  void eachConnectionTakesANewTokenAndNoTokenIsEverShown(SimulatedVenue venue) {
    Started s = start(venue, 5);
    VenueSimulator sim = s.sim();
    Instrument btc = s.btc();
    MarketSource source = s.source();
    StreamProbe first = s.probe();
    first.await("a book", p -> !p.books(btc).isEmpty(), PATIENCE);

    sim.wsFault(WsFault.DROP);
    first.awaitError(PATIENCE);
    assertThat(first.error()).isInstanceOf(TransientSourceException.class);
    StreamProbe second = connect(source, 5, btc);
    second.await("a book on the new connection", p -> !p.books(btc).isEmpty(), PATIENCE);
    int tokens = bullets(sim).size();
    assertThat(tokens).as("a token per connection").isGreaterThanOrEqualTo(2);

    sim.wsFault(WsFault.REFUSE);
    StreamProbe refused = connect(source, 5, btc);
    refused.awaitError(PATIENCE);
    assertThat(bullets(sim)).hasSizeGreaterThan(tokens);
    assertThat(refused.error()).isInstanceOf(TransientSourceException.class)
        .hasMessageContaining("cannot open").hasMessageNotContaining("token=sim");
    assertThat(String.valueOf(refused.error().getCause())).doesNotContain("token=sim");
    assertThat(first.error().getMessage()).doesNotContain("token=sim");
    assertThat(sim.wsLog()).allSatisfy(e -> assertThat(e.text()).doesNotContain("token"));
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"KUCOIN", "KUCOIN_FUTURES"})
  void aMalformedMessageIsRejectedAndTheStreamGoesOn(SimulatedVenue venue) {
    Started s = start(venue, 5);
    VenueSimulator sim = s.sim();
    Instrument btc = s.btc();
    StreamProbe probe = s.probe();
    probe.await("a book", p -> !p.books(btc).isEmpty(), PATIENCE);

    sim.wsFault(WsFault.MALFORMED, btc);
    probe.await(StreamEvent.Rejected.class, 1, PATIENCE);
    int seen = probe.books(btc).size();
    probe.await("more books", p -> p.books(btc).size() >= seen + 5, PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .extracting(StreamEvent.Rejected::detail).asString().startsWith("malformed JSON");
    assertThat(probe.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"KUCOIN", "KUCOIN_FUTURES"})
  void sequenceGapsDoNotApplyToFullSnapshots(SimulatedVenue venue) {
    Started s = start(venue, 5);
    VenueSimulator sim = s.sim();
    Instrument btc = s.btc();
    StreamProbe probe = s.probe();
    awaitInSync(probe, sim, btc, 5);

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    sim.wsFault(WsFault.CHECKSUM_MISMATCH, btc);
    int seen = probe.books(btc).size();
    probe.await("more books", p -> p.books(btc).size() >= seen + 10, PATIENCE);

    awaitInSync(probe, sim, btc, 5);
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(sim.wsFaultsApplied().get(WsFault.SEQUENCE_GAP)).isZero();
  }
}
