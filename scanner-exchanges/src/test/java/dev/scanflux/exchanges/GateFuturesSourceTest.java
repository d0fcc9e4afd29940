package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class GateFuturesSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.GATE_FUTURES;
  }

  @Override
  VenueBuilder preset() {
    return Venues.gateFutures();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDT");
  }

  @Test
  void bookSizesAreBaseUnitsFromContractsOfTheQuantoMultiplier() {
    // Gate's documented BTC_USDT multiplier: 0.0001 BTC, so 10,000 contracts are 1 BTC.
    StepVerifier.create(source.book(btc(), 10))
        .assertNext(b -> {
          assertThat(b.contractSize()).isEqualTo(0.0001);
          for (int i = 0; i < b.bidLevels(); i++) {
            assertThat(b.bidContracts(i)).isEqualTo(Math.rint(b.bidContracts(i)));
            assertThat(b.bidSize(i)).isCloseTo(b.bidContracts(i) / 10_000, within(1e-12));
            assertThat(b.askSize(i)).isCloseTo(b.askContracts(i) / 10_000, within(1e-12));
          }
        })
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v4/futures/usdt/order_book");
    assertThat(r.query()).contains("contract=BTC_USDT", "limit=10");
  }

  @Test
  void tenThousandContractsAreOneBitcoin() {
    BookSnapshot b = BookSnapshot.builder("gate-futures", btc()).contractSize(0.0001)
        .bid(64_000, 10_000).ask(64_001, 25_000).build();
    assertThat(b.bidSize(0)).isCloseTo(1.0, within(1e-12));
    assertThat(b.bidContracts(0)).isEqualTo(10_000);
    assertThat(b.askSize(0)).isCloseTo(2.5, within(1e-12));
  }

  @Test
  void asksForAtMost50Levels() {
    StepVerifier.create(source.book(btc(), 300))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(50))
        .verifyComplete();
    assertThat(sim.requestLog().get(0).query()).contains("limit=50");
  }

  @Test
  void tickerVolumesAreInBaseAndQuoteUnits() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> {
          // A notional check: quote volume / base volume is a bitcoin price, not one of a
          // contract's 0.0001 BTC.
          double price = t.quoteVolume24h() / t.baseVolume24h();
          assertThat(price).isBetween(t.last() * 0.5, t.last() * 1.5);
          assertThat(t.change24h()).isBetween(-0.5, 0.5);
        })
        .verifyComplete();
    assertThat(sim.requestLog().get(0).query()).isEqualTo("contract=BTC_USDT");
  }

  @Test
  void spotInstrumentsArePermanentFailures() {
    StepVerifier.create(source.book(Instrument.spot("BTC", "USDT"), 5))
        .expectError(PermanentSourceException.class)
        .verify(VERIFY);
    assertThat(sim.requestLog()).isEmpty();
  }
}
