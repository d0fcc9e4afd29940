package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The USD-M futures push stream ({@link Venues#binanceFutures()}, {@link Venues#asterdex()})
 * against the simulator's REST and WebSocket sides on real sockets: books synced on
 * {@code /fapi/v1/depth} and chained by {@code pu} over ids that are not contiguous, exactly as
 * the simulator holds them; tickers joined from {@code @bookTicker} and {@code @ticker}; the
 * WebSocket faults (a malformed message and a dropped AsterDEX socket are in
 * {@code BinanceStreamTest}, parameterised over spot and futures).
 */
class BinanceFuturesStreamTest {

  private static final int DEPTH = 10;

  private final List<AutoCloseable> open = new ArrayList<>();
  private VenueSimulator sim;
  private MarketSource source;
  private MarketStream stream;

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  private MarketStream start(SimulatedVenue venue) {
    sim = VenueSimulator.builder(venue).instruments(20).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build();
    open.add(sim);
    source = SimulatedPresets.of(venue).baseUrl(sim.start()).streamUrl(sim.websocketUrl())
        .build();
    open.add(source);
    stream = source.stream().orElseThrow();
    return stream;
  }

  private StreamProbe connect(Instrument... instruments) {
    StreamProbe p = StreamProbe.connect(stream, DEPTH, instruments);
    open.add(p);
    return p;
  }

  private StreamProbe awaitInSync(StreamProbe p, Instrument i) {
    return p.awaitInSync(sim, i, DEPTH);
  }

  private List<StreamEvent.Resync> resyncs(StreamProbe p, ResyncCause cause) {
    return p.events(StreamEvent.Resync.class).stream().filter(r -> r.cause() == cause).toList();
  }

  private List<ServedRequest> snapshots(String symbol) {
    return sim.requestLog().stream().filter(r -> r.path().equals("/fapi/v1/depth"))
        .filter(r -> symbol.equals(r.symbol())).toList();
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"BINANCE_FUTURES", "ASTERDEX"})
  void syncsEachBookOnAFuturesSnapshotChainsItByPuAndJoinsTheTickers(SimulatedVenue venue) {
    start(venue);
    Instrument btc = venue.instrument("BTC");
    Instrument eth = venue.instrument("ETH");
    StreamProbe p = connect(btc, eth);

    awaitInSync(p, btc);
    awaitInSync(p, eth);
    int seen = p.books(btc).size();
    p.await("30 more BTC books", q -> q.books(btc).size() >= seen + 30, PATIENCE);
    awaitInSync(p, btc);
    p.await("ETH tickers", q -> q.tickers(eth).size() >= 3, PATIENCE);

    List<String> subscribed = sim.wsLog().stream()
        .filter(e -> e.kind() == WsEvent.Kind.RECEIVED && e.text().contains("SUBSCRIBE"))
        .map(WsEvent::text).toList();
    if (venue == SimulatedVenue.BINANCE_FUTURES) {
      // Binance's routed endpoints: depth and book tickers on /public, 24 h tickers on /market
      assertThat(sim.wsLog()).filteredOn(e -> e.kind() == WsEvent.Kind.OPENED)
          .extracting(WsEvent::text).containsExactlyInAnyOrder("/public/ws", "/market/ws");
      assertThat(subscribed).containsExactlyInAnyOrder("{\"method\":\"SUBSCRIBE\",\"params\":["
          + "\"btcusdt@depth@100ms\",\"btcusdt@bookTicker\",\"ethusdt@depth@100ms\","
          + "\"ethusdt@bookTicker\"],\"id\":1}", "{\"method\":\"SUBSCRIBE\",\"params\":["
          + "\"btcusdt@ticker\",\"ethusdt@ticker\"],\"id\":1}");
    } else {
      assertThat(subscribed).containsExactly("{\"method\":\"SUBSCRIBE\",\"params\":["
          + "\"btcusdt@depth@100ms\",\"btcusdt@bookTicker\",\"btcusdt@ticker\","
          + "\"ethusdt@depth@100ms\",\"ethusdt@bookTicker\",\"ethusdt@ticker\"],\"id\":1}");
    }
    assertThat(snapshots("BTCUSDT")).singleElement().satisfies(r -> {
      // depth 10: the cheapest futures bracket holding 5 x 10 levels is 50, weight 2
      assertThat(r.query()).endsWith("limit=50");
      assertThat(r.weight()).isEqualTo(2);
    });
    assertThat(p.books(btc)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo(source.venue());
      assertThat(b.bidLevels()).isEqualTo(DEPTH);
    });
    List<TickerSnapshot> tickers = p.tickers(eth);
    TickerSnapshot streamed = tickers.get(tickers.size() - 1);
    assertThat(streamed.venue()).isEqualTo(source.venue());
    assertThat(streamed.bid()).isLessThan(streamed.ask());
    assertThat(streamed.baseVolume24h()).isPositive();
    assertThat(streamed.change24h()).isNotNaN();
    // the same figures as the REST source's ticker (bookTicker joined with ticker/24hr)
    TickerSnapshot polled = source.ticker(eth).block(PATIENCE);
    assertThat(streamed.bid()).isCloseTo(polled.bid(), within(polled.bid() * 0.02));
    assertThat(streamed.baseVolume24h())
        .isCloseTo(polled.baseVolume24h(), within(polled.baseVolume24h() * 0.02));
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(p.error()).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = SimulatedVenue.class, names = {"BINANCE_FUTURES", "ASTERDEX"})
  void aBrokenPuChainResyncsOnANewSnapshot(SimulatedVenue venue) {
    start(venue);
    Instrument btc = venue.instrument("BTC");
    Instrument eth = venue.instrument("ETH");
    StreamProbe p = connect(btc, eth);
    awaitInSync(p, btc);
    // events chained on the snapshot: the gap is then one in the pu chain (on the very first
    // event it would be an event not reaching back to the snapshot)
    int synced = p.books(btc).size();
    p.await("3 more BTC books", q -> q.books(btc).size() >= synced + 3, PATIENCE);

    sim.wsFault(WsFault.SEQUENCE_GAP, btc);
    p.await("a gap resync", q -> !resyncs(q, ResyncCause.SEQUENCE_GAP).isEmpty(), PATIENCE);
    int books = p.books(btc).size();
    p.await("a BTC book rebuilt after the resync", q -> q.books(btc).size() > books, PATIENCE);
    awaitInSync(p, btc);

    assertThat(resyncs(p, ResyncCause.SEQUENCE_GAP)).singleElement().satisfies(r -> {
      assertThat(r.instrument()).isEqualTo(btc);
      assertThat(r.detail()).startsWith("expected an update after ").contains(", got pu ");
    });
    // one more for BTC after its gap (and another only where one came older than the stream)
    assertThat(snapshots("BTCUSDT")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(snapshots("ETHUSDT")).isNotEmpty();
  }

  @Test
  void aDropOfEitherBinanceSocketErrorsTheFluxAndClosesTheOther() {
    start(SimulatedVenue.BINANCE_FUTURES);
    Instrument btc = SimulatedVenue.BINANCE_FUTURES.instrument("BTC");
    StreamProbe p = connect(btc);
    awaitInSync(p, btc);
    p.await("a BTC ticker", q -> !q.tickers(btc).isEmpty(), PATIENCE);
    assertThat(sim.wsConnections()).isEqualTo(2);

    sim.wsFault(WsFault.DROP);

    assertThat(p.awaitError(PATIENCE).error()).isInstanceOf(TransientSourceException.class);
    StepVerifier.create(Flux.interval(Duration.ZERO, Duration.ofMillis(10))
            .filter(t -> sim.wsConnections() == 0).next())
        .as("both sockets closed").expectNextCount(1).expectComplete().verify(PATIENCE);
  }

  @Test
  void tickersAloneNeedNoSnapshot() {
    start(SimulatedVenue.ASTERDEX);
    Instrument btc = SimulatedVenue.ASTERDEX.instrument("BTC");
    StreamProbe p = StreamProbe.connect(stream, new StreamRequest(List.of(btc), DEPTH, false,
        true), StreamContext.direct());
    open.add(p);

    p.await("3 tickers", q -> q.tickers(btc).size() >= 3, PATIENCE);

    assertThat(p.tickers(btc)).allSatisfy(t -> {
      assertThat(t.venue()).isEqualTo("asterdex");
      assertThat(t.bid()).isLessThan(t.ask());
      assertThat(t.last()).isPositive();
    });
    assertThat(snapshots("BTCUSDT")).isEmpty();
    assertThat(p.books(btc)).isEmpty();
  }
}
