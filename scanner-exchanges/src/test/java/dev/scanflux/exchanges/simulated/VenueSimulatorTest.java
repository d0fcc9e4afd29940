package dev.scanflux.exchanges.simulated;

import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

class VenueSimulatorTest {

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<VenueSimulator> sims = new ArrayList<>();

  @AfterEach
  void closeAll() {
    sims.forEach(VenueSimulator::close);
  }

  private VenueSimulator start(VenueSimulator.Builder builder) {
    VenueSimulator sim = builder.build();
    sims.add(sim);
    sim.start();
    return sim;
  }

  private HttpResponse<String> get(VenueSimulator sim, String pathAndQuery)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + pathAndQuery))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesOnLoopbackWithASystemPort() {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT));
    assertThat(sim.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void enforcesBinanceWeightOverASlidingMinute() throws Exception {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
        .instruments(5).clock(clock));
    for (int i = 0; i < 24; i++) {
      HttpResponse<String> ok = get(sim, "/api/v3/depth?symbol=BTCUSDT&limit=5000");
      assertThat(ok.statusCode()).isEqualTo(200);
      clock.advanceTimeBy(Duration.ofSeconds(1));
    }
    HttpResponse<String> refused = get(sim, "/api/v3/depth?symbol=BTCUSDT&limit=5");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("-1003");
    assertThat(refused.headers().firstValue("X-MBX-USED-WEIGHT-1M")).contains("6000");
    // The first request leaves the window 60 s after it was admitted, 36 s from now.
    assertThat(refused.headers().firstValue("Retry-After")).contains("36");

    clock.advanceTimeBy(Duration.ofSeconds(36));
    HttpResponse<String> again = get(sim, "/api/v3/depth?symbol=BTCUSDT&limit=5");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("X-MBX-USED-WEIGHT-1M")).contains("5755");

    List<ServedRequest> log = sim.requestLog();
    assertThat(log).hasSize(26);
    assertThat(log).extracting(ServedRequest::weight).startsWith(250).endsWith(5);
    assertThat(log.get(24).status()).isEqualTo(429);
    assertThat(log.get(24).time()).isEqualTo(log.get(0).time().plusSeconds(24));
  }

  @Test
  void enforcesOkxLimitsPerEndpoint() throws Exception {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.OKX).instruments(5)
        .clock(clock));
    for (int i = 0; i < 20; i++) {
      assertThat(get(sim, "/api/v5/market/ticker?instId=BTC-USDT").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> refused = get(sim, "/api/v5/market/ticker?instId=BTC-USDT");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("50011");
    // Books have a bucket of their own.
    assertThat(get(sim, "/api/v5/market/books?instId=BTC-USDT&sz=5").statusCode())
        .isEqualTo(200);
    clock.advanceTimeBy(Duration.ofSeconds(2));
    assertThat(get(sim, "/api/v5/market/ticker?instId=BTC-USDT").statusCode()).isEqualTo(200);
  }

  @Test
  void latencyHoldsNoThreadSoRequestsOverlap() throws Exception {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
        .instruments(5).latency(Duration.ofMillis(300)).rateLimit(false));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(
          URI.create(sim.baseUrl() + "/api/v3/ticker/bookTicker?symbol=ETHUSDT")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      assertThat(c.get().statusCode()).isEqualTo(200);
    }
    // Two handler threads answered six requests that each waited 300 ms: all were in flight
    // together.
    assertThat(sim.requestLog()).extracting(ServedRequest::inFlight).contains(6);
    assertThat(sim.inFlight()).isZero();
  }

  @Test
  void sameSeedSameMarket() throws Exception {
    // The market's reference moves with the clock: the same seed at the same time is the same
    // market.
    reactor.test.scheduler.VirtualTimeScheduler clock =
        reactor.test.scheduler.VirtualTimeScheduler.create();
    clock.advanceTimeBy(java.time.Duration.ofMinutes(3));
    VenueSimulator a = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).seed(3)
        .clock(clock));
    VenueSimulator b = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).seed(3)
        .clock(clock));
    VenueSimulator c = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT).seed(4)
        .clock(clock));
    String path = "/api/v3/depth?symbol=SIM0100USDT&limit=20";
    String bodyA = get(a, path).body();
    assertThat(get(b, path).body()).isEqualTo(bodyA);
    assertThat(get(c, path).body()).isNotEqualTo(bodyA);
    assertThat(bodyA).contains("\"bids\"");
  }

  @Test
  void servesHundredsOfInstruments() throws Exception {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
        .instruments(800));
    String info = get(sim, "/api/v3/exchangeInfo").body();
    assertThat(info.split("\"baseAsset\"", -1)).hasSize(801);
  }

  @Test
  void faultRatesApply() throws Exception {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
        .instruments(5).faultRate(Fault.SERVER_ERROR, 1.0));
    assertThat(get(sim, "/api/v3/ticker/24hr?symbol=BTCUSDT").statusCode()).isEqualTo(503);
    assertThat(sim.requestLog()).extracting(ServedRequest::fault)
        .containsExactly(Fault.SERVER_ERROR);
  }

  @Test
  void throttleFaultAnnouncesRetryAfter() throws Exception {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.KRAKEN).instruments(5)
        .retryAfter(Duration.ofSeconds(7)));
    sim.failNext(Fault.THROTTLE);
    HttpResponse<String> r = get(sim, "/0/public/Ticker?pair=XBTUSD");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("Retry-After")).contains("7");
    assertThat(r.body()).contains("EAPI:Rate limit exceeded");
    assertThat(get(sim, "/0/public/Ticker?pair=XBTUSD").statusCode()).isEqualTo(200);
  }

  @Test
  void closeEndsHungRequestsAndFreesThreads() throws Exception {
    VenueSimulator sim = start(VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
        .instruments(5));
    sim.failNext(Fault.HANG);
    CompletableFuture<HttpResponse<String>> hung = http.sendAsync(
        HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v3/ping")).build(),
        HttpResponse.BodyHandlers.ofString());
    Flux.interval(Duration.ofMillis(10)).filter(t -> sim.inFlight() == 1)
        .blockFirst(Duration.ofSeconds(5));
    assertThat(hung).isNotDone();
    sim.close();
    assertThat(hung).failsWithin(Duration.ofSeconds(5));
    Flux.interval(Duration.ofMillis(10)).filter(t -> simThreads() == 0)
        .blockFirst(Duration.ofSeconds(5));
    assertThat(simThreads()).isZero();
  }

  @Test
  void builderNamesBadArguments() {
    VenueSimulator.Builder b = VenueSimulator.builder(SimulatedVenue.OKX);
    assertThatThrownBy(() -> b.latency(Duration.ofMillis(-1)))
        .hasMessageContaining("latency");
    assertThatThrownBy(() -> b.instruments(0)).hasMessageContaining("[1, 5000]");
    assertThatThrownBy(() -> b.faultRate(Fault.HANG, 1.5)).hasMessageContaining("rate");
    b.faultRate(Fault.HANG, 0.6);
    assertThatThrownBy(() -> b.faultRate(Fault.SERVER_ERROR, 0.6))
        .hasMessageContaining("at most 1");
    assertThatThrownBy(() -> b.retryAfter(Duration.ofMillis(1500)))
        .hasMessageContaining("retryAfter");
  }

  private static long simThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("scanflux-sim-") && t.isAlive())
        .count();
  }
}
