package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class KucoinFuturesSourceTest extends VenueSourceContract {

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.KUCOIN_FUTURES;
  }

  @Override
  VenueBuilder preset() {
    return Venues.kucoinFutures();
  }

  @Override
  Instrument btc() {
    return Instrument.perpetual("BTC", "USDT");
  }

  @Override
  boolean bulkTickers() {
    return false;
  }

  @Test
  void xbtIsBitcoinBothWays() {
    assertThat(discovered).contains(Instrument.perpetual("BTC", "USDT"))
        .noneMatch(i -> i.base().equals("XBT"));
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> assertThat(t.instrument()).isEqualTo(btc()))
        .verifyComplete();
    ServedRequest r = sim.requestLog().get(0);
    assertThat(r.path()).isEqualTo("/api/v1/ticker");
    assertThat(r.query()).isEqualTo("symbol=XBTUSDTM");
  }

  @Test
  void bookSizesAreBaseUnitsFromContractsOfTheMultiplier() {
    // KuCoin's documented XBTUSDTM multiplier: 0.001 BTC, so 1,000 contracts are 1 BTC.
    StepVerifier.create(source.book(btc(), 20))
        .assertNext(b -> {
          assertThat(b.contractSize()).isEqualTo(0.001);
          for (int i = 0; i < b.bidLevels(); i++) {
            assertThat(b.bidContracts(i)).isEqualTo(Math.rint(b.bidContracts(i)));
            assertThat(b.bidSize(i)).isCloseTo(b.bidContracts(i) / 1_000, within(1e-12));
            assertThat(b.askSize(i)).isCloseTo(b.askContracts(i) / 1_000, within(1e-12));
          }
        })
        .verifyComplete();
    assertThat(sim.requestLog().get(0).path()).isEqualTo("/api/v1/level2/depth20");
    assertThat(sim.requestLog().get(0).weight()).isEqualTo(5);
  }

  @Test
  void ethContractsAreAHundredthOfAnEther() {
    StepVerifier.create(source.book(Instrument.perpetual("ETH", "USDT"), 5))
        .assertNext(b -> {
          assertThat(b.contractSize()).isEqualTo(0.01);
          assertThat(b.bidSize(0)).isCloseTo(b.bidContracts(0) / 100, within(1e-12));
        })
        .verifyComplete();
    assertThat(sim.requestLog().get(0).query()).isEqualTo("symbol=ETHUSDTM");
  }

  @Test
  void deeperBooksUseDepth100CutToTheDepthAsked() {
    StepVerifier.create(source.book(btc(), 50))
        .assertNext(b -> assertThat(b.bidLevels()).isEqualTo(50))
        .verifyComplete();
    assertThat(sim.requestLog().get(0).path()).isEqualTo("/api/v1/level2/depth100");
    assertThat(sim.requestLog().get(0).weight()).isEqualTo(10);
  }

  @Test
  void throttleCodeIsThrottledEvenWithHttp200() throws IOException {
    // KuCoin may put 429000 in a 200's body; the envelope check classifies it.
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      byte[] body = "{\"code\":\"429000\",\"msg\":\"Too Many Requests\"}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try (MarketSource kucoin = Venues.kucoinFutures()
        .baseUrl("http://127.0.0.1:" + server.getAddress().getPort()).build()) {
      StepVerifier.create(kucoin.ticker(btc())).expectError(ThrottledException.class)
          .verify(VERIFY);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void spotIsAPermanentFailureWithoutARequest() {
    StepVerifier.create(source.book(Instrument.spot("BTC", "USDT"), 5))
        .expectError(PermanentSourceException.class)
        .verify(VERIFY);
    assertThat(sim.requestLog()).isEmpty();
  }

  @Test
  void crossedTickerIsBadData() {
    sim.failNext(Fault.CROSSED_BOOK);
    StepVerifier.create(source.ticker(btc()))
        .expectError(BadDataException.class)
        .verify(VERIFY);
  }
}
