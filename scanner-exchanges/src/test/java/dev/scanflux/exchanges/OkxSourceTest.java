package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class OkxSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.OKX;
  }

  @Override
  VenueBuilder preset() {
    return Venues.okx();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }

  @Test
  void declaresOkxLimits() {
    assertThat(source.rateLimit().budget()).isEqualTo(40);
    assertThat(source.rateLimit().window()).hasSeconds(2);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 20)).isEqualTo(1);
    assertThat(source.rateLimit().weight(RequestKind.TICKER, 0)).isEqualTo(2);
  }

  @Test
  void usesOkxInstrumentIds() {
    StepVerifier.create(source.ticker(btc())).expectNextCount(1).verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v5/market/ticker");
    assertThat(r.symbol()).isEqualTo("BTC-USDT");
  }

  @Test
  void tickerCarriesTheChangeFromTheOpen() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> assertThat(t.change24h()).isBetween(-0.5, 0.5))
        .verifyComplete();
  }
}
