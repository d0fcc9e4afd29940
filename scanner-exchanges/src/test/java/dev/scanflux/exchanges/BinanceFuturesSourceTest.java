package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class BinanceFuturesSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BINANCE_FUTURES;
  }

  @Override
  VenueBuilder preset() {
    return Venues.binanceFutures();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDT");
  }

  /** The book tickers and the 24 h tickers of every symbol. */
  @Override
  int bulkRequests() {
    return 2;
  }

  @Test
  void roundsTheDepthUpToALimitBinanceAccepts() {
    StepVerifier.create(source.book(btc(), 30))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(30))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/fapi/v1/depth");
    assertThat(r.query()).contains("limit=50");
    assertThat(r.weight()).isEqualTo(2).isEqualTo(source.rateLimit().weight(RequestKind.BOOK, 30));
  }

  @Test
  void aTickerJoinsTheBookTickerAndThe24hTicker() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> assertThat(t.baseVolume24h()).isPositive())
        .verifyComplete();
    assertThat(sim.requestLog()).extracting(ServedRequest::path)
        .containsExactlyInAnyOrder("/fapi/v1/ticker/bookTicker", "/fapi/v1/ticker/24hr");
    assertThat(sim.requestLog()).extracting(ServedRequest::weight).containsOnly(1, 2);
  }

  @Test
  void asterdexIsTheSameApiUnderAnotherName() {
    try (var aster = Venues.asterdex().baseUrl(sim.baseUrl()).build()) {
      assertThat(aster.venue()).isEqualTo("asterdex");
      StepVerifier.create(aster.book(btc(), 5))
          .assertNext(b -> assertThat(b.venue()).isEqualTo("asterdex"))
          .verifyComplete();
    }
  }
}
