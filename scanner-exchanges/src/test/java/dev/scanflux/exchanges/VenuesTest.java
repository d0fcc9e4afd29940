package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.knowm.xchange.binance.BinanceExchange;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class VenuesTest {

  private static final Map<String, Supplier<VenueBuilder>> PRESETS = Map.ofEntries(
      Map.entry("binance", Venues::binance),
      Map.entry("binance-futures", Venues::binanceFutures),
      Map.entry("asterdex", Venues::asterdex),
      Map.entry("okx", Venues::okx),
      Map.entry("okx-swap", Venues::okxSwap),
      Map.entry("bybit", Venues::bybit),
      Map.entry("bybit-linear", Venues::bybitLinear),
      Map.entry("kucoin", Venues::kucoin),
      Map.entry("gate", Venues::gate),
      Map.entry("kraken", Venues::kraken),
      Map.entry("coinbase", Venues::coinbase),
      Map.entry("bitstamp", Venues::bitstamp),
      Map.entry("hyperliquid", Venues::hyperliquid),
      Map.entry("bingx", Venues::bingx),
      Map.entry("gate-futures", Venues::gateFutures),
      Map.entry("kucoin-futures", Venues::kucoinFutures),
      Map.entry("lighter", Venues::lighter));

  @Test
  void urlsWithCredentialsAreRefusedAndTheMessageNeverShowsThem() {
    assertThatThrownBy(() -> Venues.binance().baseUrl("http://trader:S3cretPassw0rd@127.0.0.1:11"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseUrl must not carry credentials (Scanflux never sends a URL's user name"
            + " or password) but was 'http://****@127.0.0.1:11'");
    assertThatThrownBy(() -> Venues.okx().streamUrl("wss://trader:S3cret@127.0.0.1:11/ws"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'wss://****@127.0.0.1:11/ws'")
        .hasMessageNotContaining("S3cret");
    assertThatThrownBy(() -> Venues.bybit().baseUrl("http://trader:S3cret Passw0rd@127.0.0.1:11"))
        .hasMessageNotContaining("S3cret").hasMessageNotContaining("trader");
  }

  @Test
  void everyPresetIsNamedAndDeclaresALimitAndConcurrency() {
    PRESETS.forEach((name, preset) -> {
      try (MarketSource s = preset.get().build()) {
        assertThat(s.venue()).isEqualTo(name);
        assertThat(s.rateLimit().budget()).isPositive();
        assertThat(s.defaultConcurrency()).isBetween(1, 16);
      }
    });
  }

  @Test
  void aPresetGivenABaseUrlStreamsOnlyFromAStreamUrlGivenToo() {
    for (Supplier<VenueBuilder> preset : List.<Supplier<VenueBuilder>>of(Venues::binance,
        Venues::okx, Venues::bybit, Venues::kraken, Venues::hyperliquid)) {
      try (MarketSource production = preset.get().build();
          MarketSource elsewhere = preset.get().baseUrl("http://127.0.0.1:19").build();
          MarketSource both = preset.get().baseUrl("http://127.0.0.1:19")
              .streamUrl("ws://127.0.0.1:19/ws").build()) {
        assertThat(production.stream()).as(production.venue()).isPresent();
        assertThat(elsewhere.stream()).as("%s at a base URL: no stream from production",
            elsewhere.venue()).isEmpty();
        assertThat(both.stream()).as(both.venue()).isPresent();
      }
    }
  }

  @Test
  void buildingConnectsToNothing() {
    // Port 9 (discard) on loopback: nobody listens, yet build() must not fail or block.
    try (MarketSource s = Venues.okx().baseUrl("http://127.0.0.1:19").build()) {
      assertThat(s.venue()).isEqualTo("okx");
      StepVerifier.create(s.instruments()).expectError(TransientSourceException.class)
          .verify(Duration.ofSeconds(10));
    }
  }

  @Test
  void builderNamesBadArguments() {
    VenueBuilder b = Venues.binance();
    assertThatThrownBy(() -> b.baseUrl("ftp://x")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> b.baseUrl("not a url")).hasMessageContaining("baseUrl");
    // the transport would read a one-digit port as part of the host and ask DNS for it
    assertThatThrownBy(() -> b.baseUrl("http://127.0.0.1:1"))
        .hasMessage("baseUrl must have a port of 10 or more (ports 0-9 are not supported by the"
            + " transport) but was 'http://127.0.0.1:1'");
    assertThatThrownBy(() -> b.streamUrl("ws://127.0.0.1:9/ws")).hasMessageContaining("streamUrl");
    assertThatThrownBy(() -> b.concurrency(0)).hasMessageContaining("[1, 1024]");
    assertThatThrownBy(() -> b.name(" ")).hasMessageContaining("venue");
    assertThatThrownBy(() -> b.httpTimeout(Duration.ZERO)).hasMessageContaining("httpTimeout");
  }

  @Test
  void overridesApply() {
    RateLimitSpec slow = RateLimitSpec.parse("10/1s");
    try (MarketSource s = Venues.kraken().name("kraken-eu").rateLimit(slow).concurrency(3)
        .build()) {
      assertThat(s.venue()).isEqualTo("kraken-eu");
      assertThat(s.rateLimit()).isSameAs(slow);
      assertThat(s.defaultConcurrency()).isEqualTo(3);
    }
  }

  @Test
  void genericXChangeSourceServesAnyExchange() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
            .instruments(20).build();
        MarketSource s = Venues.xchange("any", BinanceExchange.class, sim.start(),
            RateLimitSpec.parse("100/1s")).build()) {
      List<Instrument> all = s.instruments().block(Duration.ofSeconds(10));
      assertThat(all).hasSize(20).contains(Instrument.spot("ETH", "USDT"));
      StepVerifier.create(s.book(Instrument.spot("ETH", "USDT"), 10))
          .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(10))
          .verifyComplete();
      StepVerifier.create(s.ticker(Instrument.spot("ETH", "USDT")))
          .assertNext(t -> assertThat(t.venue()).isEqualTo("any"))
          .verifyComplete();
      assertThat(s.hasBulkTickers()).isFalse();
    }
  }

  @Test
  void theVenuesRealLimitEndsInThrottledWithItsRetryAfter() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
            .instruments(5).build();
        MarketSource s = Venues.binance().baseUrl(sim.start()).build()) {
      Instrument btc = Instrument.spot("BTC", "USDT");
      // Discovery (20) and 23 books of 5,000 levels (250 each) leave 230 of 6,000.
      s.instruments().block(Duration.ofSeconds(10));
      Flux.range(0, 23).concatMap(n -> s.book(btc, 5000)).blockLast(Duration.ofSeconds(30));
      StepVerifier.create(s.book(btc, 5000))
          .expectErrorSatisfies(e -> {
            assertThat(e).isInstanceOf(ThrottledException.class);
            assertThat(((ThrottledException) e).retryAfter()).hasValueSatisfying(
                d -> assertThat(d).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60)));
          })
          .verify(Duration.ofSeconds(10));
      List<ServedRequest> log = sim.requestLog();
      assertThat(log).extracting(ServedRequest::status).last().isEqualTo(429);
      assertThat(log.stream().mapToInt(ServedRequest::weight).limit(log.size() - 1).sum())
          .isEqualTo(20 + 23 * 250);
    }
  }

  @Test
  void closeFreesTheSourcesThreads() {
    try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BYBIT).instruments(5)
        .build()) {
      String url = sim.start();
      MarketSource xchange = Venues.xchange("threads-x", BinanceExchange.class, url,
          RateLimitSpec.parse("100/1s")).build();
      MarketSource bybit = Venues.bybit().name("threads-n").baseUrl(url).build();
      StepVerifier.create(bybit.instruments()).expectNextCount(1).verifyComplete();
      StepVerifier.create(xchange.instruments()).expectError().verify(Duration.ofSeconds(10));
      assertThat(threads("scanflux-threads-")).isPositive();
      xchange.close();
      bybit.close();
      Flux.interval(Duration.ofMillis(10)).filter(t -> threads("scanflux-threads-") == 0)
          .blockFirst(Duration.ofSeconds(5));
      assertThat(threads("scanflux-threads-")).isZero();
    }
  }

  private static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
  }
}
