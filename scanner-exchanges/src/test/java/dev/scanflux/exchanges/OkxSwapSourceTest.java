package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class OkxSwapSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.OKX_SWAP;
  }

  @Override
  VenueBuilder preset() {
    return Venues.okxSwap();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDT");
  }

  /**
   * A swap's book needs its contract value first: for a contract it does not know, the source
   * asks OKX's instruments again, which do not list it, and fails without a book request.
   */
  @Override
  boolean asksTheBookEndpointAboutAnUnknownInstrument() {
    return false;
  }

  @Test
  void declaresOkxLimits() {
    assertThat(source.venue()).isEqualTo("okx-swap");
    assertThat(source.rateLimit().budget()).isEqualTo(40);
    assertThat(source.rateLimit().window()).hasSeconds(2);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 20)).isEqualTo(1);
    assertThat(source.rateLimit().weight(RequestKind.TICKER, 0)).isEqualTo(2);
  }

  @Test
  void usesSwapInstrumentIds() {
    StepVerifier.create(source.book(btc(), 5)).expectNextCount(1).verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v5/market/books");
    assertThat(r.symbol()).isEqualTo("BTC-USDT-SWAP");
    assertThat(r.query()).contains("sz=5");
  }

  /** OKX's documented example: a BTC-USDT-SWAP contract is 0.01 BTC, so 100 contracts 1 BTC. */
  @Test
  void bookSizesAreBaseUnitsOfTheContractValue() {
    StepVerifier.create(source.book(btc(), 10))
        .assertNext(b -> {
          assertThat(b.contractSize()).isEqualTo(0.01);
          for (int i = 0; i < b.bidLevels(); i++) {
            assertThat(b.bidContracts(i)).isEqualTo(Math.rint(b.bidContracts(i))).isPositive();
            assertThat(b.bidSize(i)).isCloseTo(b.bidContracts(i) * 0.01, within(1e-12));
            assertThat(b.askSize(i)).isCloseTo(b.askContracts(i) * 0.01, within(1e-12));
          }
          // The simulator's levels are worth 500 to about 60,000 USDT: in BTC, not contracts.
          assertThat(b.bidSize(0) * b.bestBid()).isBetween(100.0, 100_000.0);
        })
        .verifyComplete();
    BookSnapshot hundred = BookSnapshot.builder("okx-swap", btc()).contractSize(0.01)
        .bid(64_000, 100).ask(64_001, 250).build();
    assertThat(hundred.bidSize(0)).isEqualTo(1.0);
    assertThat(hundred.bidContracts(0)).isEqualTo(100);
    assertThat(hundred.askSize(0)).isCloseTo(2.5, within(1e-12));
  }

  @Test
  void eachSwapHasItsOwnContractValue() {
    StepVerifier.create(source.book(Instrument.perpetual("ETH", "USDT"), 1))
        .assertNext(b -> assertThat(b.contractSize()).isEqualTo(0.1))
        .verifyComplete();
    StepVerifier.create(source.book(Instrument.perpetual("PEPE", "USDT"), 1))
        .assertNext(b -> assertThat(b.contractSize()).isEqualTo(10_000_000))
        .verifyComplete();
  }

  @Test
  void tickerVolumeIsInBaseUnits() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> {
          // vol24h is contracts, volCcy24h base units: a contract count would be 100 times more.
          assertThat(t.baseVolume24h() * t.last()).isBetween(1e6, 1e8);
          assertThat(t.quoteVolume24h()).isCloseTo(t.baseVolume24h() * t.last(), within(1e-3));
        })
        .verifyComplete();
    assertThat(sim.requestLog()).extracting(ServedRequest::symbol)
        .containsExactly("BTC-USDT-SWAP");
  }

  @Test
  void aSwapDiscoveryHasNotSeenIsLookedUpOnce() {
    try (VenueSimulator fresh = VenueSimulator.builder(SimulatedVenue.OKX_SWAP).instruments(5)
            .build();
        MarketSource s = Venues.okxSwap().baseUrl(fresh.start()).build()) {
      StepVerifier.create(s.book(btc(), 5).then(s.book(btc(), 5)))
          .assertNext(b -> assertThat(b.contractSize()).isEqualTo(0.01))
          .expectComplete()
          .verify(Duration.ofSeconds(10));
      assertThat(fresh.requestLog()).extracting(ServedRequest::path).containsExactly(
          "/api/v5/public/instruments", "/api/v5/market/books", "/api/v5/market/books");
    }
  }
}
