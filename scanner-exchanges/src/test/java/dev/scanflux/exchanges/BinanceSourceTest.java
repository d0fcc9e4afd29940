package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class BinanceSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BINANCE_SPOT;
  }

  @Override
  VenueBuilder preset() {
    return Venues.binance();
  }

  @Override
  Instrument btc() {
    return Instrument.spot("BTC", "USDT");
  }

  @Test
  void declaresBinanceWeights() {
    assertThat(source.venue()).isEqualTo("binance");
    assertThat(source.rateLimit().budget()).isEqualTo(6000);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 100)).isEqualTo(5);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 101)).isEqualTo(25);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 1000)).isEqualTo(50);
    assertThat(source.rateLimit().weight(RequestKind.BOOK, 5000)).isEqualTo(250);
    assertThat(source.rateLimit().weight(RequestKind.TICKERS, 0)).isEqualTo(80);
  }

  @Test
  void asksForTheDepthAndIsWeighedLikeBinance() {
    StepVerifier.create(source.book(btc(), 500)).expectNextCount(1).verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v3/depth");
    assertThat(r.query()).contains("symbol=BTCUSDT").contains("limit=500");
    assertThat(r.weight()).isEqualTo(25);
  }
}
