package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class BybitLinearSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BYBIT_LINEAR;
  }

  @Override
  VenueBuilder preset() {
    return Venues.bybitLinear();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDT");
  }

  @Test
  void asksForTheLinearCategoryCappedAt500Levels() {
    assertThat(source.venue()).isEqualTo("bybit-linear");
    StepVerifier.create(source.book(btc(), 600))
        .assertNext(b -> {
          assertThat(b.bidLevels()).isEqualTo(500);
          assertThat(b.contractSize()).isEqualTo(1);
        })
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/v5/market/orderbook");
    assertThat(r.query()).contains("category=linear", "symbol=BTCUSDT", "limit=500");
  }

  @Test
  void perThousandListingsKeepTheirPrefix() {
    Instrument pepe = Instrument.perpetual("1000PEPE", "USDT");
    assertThat(discovered).contains(pepe, Instrument.perpetual("1000SHIB", "USDT"))
        .doesNotContain(Instrument.perpetual("PEPE", "USDT"));
    StepVerifier.create(source.book(pepe, 5))
        .assertNext(b -> assertThat(b.instrument()).isEqualTo(pepe))
        .verifyComplete();
    assertThat(sim.requestLog()).extracting(ServedRequest::symbol).containsExactly("1000PEPEUSDT");
  }

  @Test
  void spotInstrumentsAreNotServed() {
    StepVerifier.create(source.book(Instrument.spot("BTC", "USDT"), 5))
        .expectError(PermanentSourceException.class)
        .verify(VERIFY);
    assertThat(sim.requestLog()).isEmpty();
  }

  @Test
  void discoveryFollowsEveryPage() {
    try (VenueSimulator big = VenueSimulator.builder(SimulatedVenue.BYBIT_LINEAR)
            .instruments(2500).rateLimit(false).build();
        MarketSource s = Venues.bybitLinear().baseUrl(big.start()).build()) {
      List<Instrument> all = s.instruments().block(Duration.ofSeconds(10));
      assertThat(all).hasSize(2500).doesNotHaveDuplicates();
      assertThat(big.requestLog()).extracting(ServedRequest::query).containsExactly(
          "category=linear&limit=1000", "category=linear&limit=1000&cursor=1000",
          "category=linear&limit=1000&cursor=2000");
    }
  }
}
