package dev.scanflux.exchanges.blockhound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.exchanges.internal.stream.WsClient;
import dev.scanflux.exchanges.internal.stream.WsSpec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchange.binance.BinanceExchange;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Subscribing to a source from a non-blocking ({@code parallel}) thread never blocks it: XChange
 * calls move to the source's own scheduler, native calls are asynchronous. Runs in a JVM of its
 * own because BlockHound instruments the JVM for good.
 */
class SourcesDoNotBlockTest {

  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void install() {
    BlockHound.install();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closing.add(c);
    return c;
  }

  /** Guards the suite itself: BlockHound is installed and catches a blocking call. */
  @Test
  void blockingCallsAreCaught() {
    StepVerifier.create(Mono.fromCallable(() -> {
      Thread.yield();
      return 1;
    }).subscribeOn(Schedulers.parallel()))
        .expectErrorMatches(e -> e.getClass().getName().contains("BlockingOperationError"))
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void xchangeSourceDoesNotBlockAParallelThread() {
    check(SimulatedVenue.BINANCE_SPOT, Venues.xchange("binance-x", BinanceExchange.class,
        "http://unused.invalid", RateLimitSpec.parse("100/1s")), Instrument.spot("BTC", "USDT"));
  }

  /** The presets that went through XChange before issue 17, native since. */
  @Test
  void formerXChangePresetsDoNotBlockAParallelThread() {
    check(SimulatedVenue.BINANCE_SPOT, Venues.binance(), Instrument.spot("BTC", "USDT"));
    check(SimulatedVenue.OKX, Venues.okx(), Instrument.spot("BTC", "USDT"));
    check(SimulatedVenue.KRAKEN, Venues.kraken(), Instrument.spot("BTC", "USD"));
    check(SimulatedVenue.COINBASE, Venues.coinbase(), Instrument.spot("BTC", "USD"));
    check(SimulatedVenue.BITSTAMP, Venues.bitstamp(), Instrument.spot("BTC", "USD"));
  }

  @Test
  void nativeSourceDoesNotBlockAParallelThread() {
    check(SimulatedVenue.BYBIT, Venues.bybit(), Instrument.spot("BTC", "USDT"));
  }

  @Test
  void okxSwapSourceDoesNotBlockAParallelThread() {
    check(SimulatedVenue.OKX_SWAP, Venues.okxSwap(), Instrument.perpetual("BTC", "USDT"));
  }

  @Test
  void pagedBybitLinearDiscoveryDoesNotBlockAParallelThread() {
    check(SimulatedVenue.BYBIT_LINEAR, Venues.bybitLinear(), Instrument.perpetual("BTC", "USDT"));
  }

  @Test
  void nativePostSourceDoesNotBlockAParallelThread() {
    check(SimulatedVenue.HYPERLIQUID, Venues.hyperliquid(), Instrument.perpetual("BTC", "USDC"));
  }

  @Test
  void contractQuotedPerpetualSourceDoesNotBlockAParallelThread() {
    check(SimulatedVenue.GATE_FUTURES, Venues.gateFutures(), Instrument.perpetual("BTC", "USDT"));
  }

  /*
   * Connecting, sending and requesting frames one at a time from parallel threads: the
   * event-loop threads that read the frames and run the handler are watched too.
   */
  @Test
  void webSocketClientDoesNotBlockAParallelThread() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.OKX).instruments(5)
        .websocket(true).streamInterval(Duration.ofMillis(10)).build()) {
      sim.start();
      WsClient client = closing(WsClient.ownThreads("okx"));
      WsSpec spec = WsSpec.of("okx", URI.create(sim.websocketUrl()))
          .heartbeat(Duration.ofMillis(20), "ping", "pong");
      String subscribe = "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"books\","
          + "\"instId\":\"BTC-USDT\"}]}";
      StepVerifier.create(client.connect(spec, session -> session.send(subscribe)
                  .thenMany(session.receive())
                  .concatMap(m -> session.send("ping").thenReturn(m)))
              .subscribeOn(Schedulers.parallel())
              .publishOn(Schedulers.parallel(), 1)
              .limitRate(1)
              .take(20))
          .expectNextCount(20)
          .verifyComplete();
    }
  }

  /*
   * Kraken's native stream, connected from a parallel thread: books, tickers and the
   * resubscription after each resync request (an unsubscribe and a subscribe frame) never block
   * a parallel thread.
   */
  @Test
  void krakenStreamDoesNotBlockAParallelThread() {
    Instrument btc = SimulatedVenue.KRAKEN.instrument("BTC");
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.KRAKEN).instruments(5)
            .websocket(true).streamInterval(Duration.ofMillis(10)).build();
        MarketSource source = Venues.kraken().baseUrl(sim.start())
            .streamUrl(sim.websocketUrl()).build()) {
      MarketStream stream = source.stream().orElseThrow();
      StreamRequest request = new StreamRequest(List.of(btc, SimulatedVenue.KRAKEN
          .instrument("ETH")), 10, true, true);
      Flux<Instrument> resyncs = Flux.interval(Duration.ofMillis(100)).map(n -> btc);
      StepVerifier.create(Flux.defer(() -> stream.connect(request,
                  StreamContext.direct(resyncs)))
              .subscribeOn(Schedulers.parallel())
              .publishOn(Schedulers.parallel(), 1)
              .filter(e -> e instanceof StreamEvent.Update)
              .take(200))
          .expectNextCount(200)
          .verifyComplete();
      assertThat(sim.wsLog()).filteredOn(e -> e.text().contains("unsubscribe")).isNotEmpty();
    }
  }

  private static void check(SimulatedVenue venue, dev.scanflux.exchanges.VenueBuilder preset,
      Instrument btc) {
    // A generous deadline: this suite is about blocking, and BlockHound's instrumentation makes
    // the first calls of a fresh JVM slow on a loaded machine (a 10 s discovery timed out once).
    try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(10).build();
        MarketSource source = preset.baseUrl(sim.start()).httpTimeout(Duration.ofMinutes(1))
            .build()) {
      StepVerifier.create(Mono.defer(source::instruments).subscribeOn(Schedulers.parallel()))
          .assertNext(list -> assertThat(list).contains(btc))
          .verifyComplete();
      StepVerifier.create(Mono.defer(() -> source.book(btc, 10))
              .subscribeOn(Schedulers.parallel())
              .publishOn(Schedulers.parallel())
              .map(b -> b.bidLevels()))
          .expectNext(10)
          .verifyComplete();
      if (source.hasBulkTickers()) {
        StepVerifier.create(Mono.defer(source::tickers).subscribeOn(Schedulers.parallel()))
            .assertNext(list -> assertThat(list).hasSize(10))
            .verifyComplete();
      } else {
        StepVerifier.create(Mono.defer(() -> source.ticker(btc))
                .subscribeOn(Schedulers.parallel()).publishOn(Schedulers.parallel()))
            .assertNext(t -> assertThat(t.instrument()).isEqualTo(btc))
            .verifyComplete();
      }
    }
  }
}
