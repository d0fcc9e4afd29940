package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class LighterSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.LIGHTER;
  }

  @Override
  VenueBuilder preset() {
    return Venues.lighter();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDC");
  }

  @Override
  boolean bulkTickers() {
    return false;
  }

  @Override
  boolean asksTheVenueAboutAnUnknownInstrument() {
    return false; // no market id to ask with: fails at once, without a request
  }

  @Test
  void ordersAtOnePriceAreOneLevelInBaseUnits() {
    StepVerifier.create(source.book(btc(), 10))
        .assertNext(b -> {
          assertThat(b.bidLevels()).isEqualTo(10);
          assertThat(b.contractSize()).isEqualTo(1);
          for (int i = 1; i < b.bidLevels(); i++) {
            assertThat(b.bidPrice(i)).isLessThan(b.bidPrice(i - 1));
            assertThat(b.bidSize(i)).isEqualTo(b.bidContracts(i));
          }
        })
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v1/orderBookOrders");
    // Lighter numbers ETH 0, and the simulator the other markets after it: BTC is 1.
    assertThat(r.query()).isEqualTo("market_id=1&limit=20");
    assertThat(r.symbol()).isEqualTo("BTC");
  }

  @Test
  void aTickerJoinsDetailsAndTheTopOfTheBook() {
    StepVerifier.create(source.ticker(Instrument.perpetual("ETH", "USDC")))
        .assertNext(t -> {
          assertThat(t.baseVolume24h()).isPositive();
          assertThat(t.quoteVolume24h() / t.baseVolume24h())
              .isBetween(t.last() * 0.5, t.last() * 1.5);
          assertThat(t.change24h()).isBetween(-0.5, 0.5);
        })
        .verifyComplete();
    assertThat(sim.requestLog()).extracting(ServedRequest::path)
        .containsExactlyInAnyOrder("/api/v1/orderBookDetails", "/api/v1/orderBookOrders");
    assertThat(sim.requestLog()).extracting(ServedRequest::query)
        .contains("market_id=0&limit=1");
  }

  @Test
  void aRequestBeforeDiscoveryDiscoversFirst() {
    try (MarketSource fresh = Venues.lighter().baseUrl(sim.baseUrl()).build()) {
      StepVerifier.create(fresh.book(btc(), 5))
          .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(5))
          .expectComplete()
          .verify(Duration.ofSeconds(10));
    }
    assertThat(sim.requestLog()).extracting(ServedRequest::path)
        .containsExactly("/api/v1/orderBooks", "/api/v1/orderBookOrders");
  }

  @Test
  void otherQuotesAndSpotArePermanentFailures() {
    StepVerifier.create(source.book(Instrument.perpetual("BTC", "USDT"), 5))
        .expectError(PermanentSourceException.class)
        .verify(VERIFY);
    StepVerifier.create(source.book(Instrument.spot("BTC", "USDC"), 5))
        .expectError(PermanentSourceException.class)
        .verify(VERIFY);
    assertThat(sim.requestLog()).isEmpty();
  }
}
