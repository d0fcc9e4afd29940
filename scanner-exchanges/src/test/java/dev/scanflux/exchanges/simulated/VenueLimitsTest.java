package dev.scanflux.exchanges.simulated;

import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Each simulated venue enforces its documented limit over a sliding window: exactly the budget
 * is admitted, the next request gets the venue's throttle answer with {@code Retry-After}, and
 * one window later requests are admitted again. Time is virtual, so no test waits for a window.
 */
class VenueLimitsTest {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  static Stream<Arguments> limits() {
    return Stream.of(
        // venue, method, path, body, admitted per window, window, throttle status
        Arguments.of(SimulatedVenue.BINANCE_SPOT, "GET", "/api/v3/depth?symbol=ETHUSDT&limit=5000",
            "", 24, Duration.ofMinutes(1), 429),
        Arguments.of(SimulatedVenue.BINANCE_FUTURES, "GET",
            "/fapi/v1/depth?symbol=ETHUSDT&limit=1000", "", 120, Duration.ofMinutes(1), 429),
        Arguments.of(SimulatedVenue.OKX, "GET", "/api/v5/market/books?instId=ETH-USDT&sz=1", "",
            40, Duration.ofSeconds(2), 429),
        Arguments.of(SimulatedVenue.BYBIT, "GET",
            "/v5/market/orderbook?category=spot&symbol=ETHUSDT&limit=1", "", 600,
            Duration.ofSeconds(5), 403),
        Arguments.of(SimulatedVenue.KUCOIN, "GET", "/api/v1/market/stats?symbol=ETH-USDT", "",
            133, Duration.ofSeconds(30), 429),
        Arguments.of(SimulatedVenue.GATE, "GET", "/api/v4/spot/tickers?currency_pair=ETH_USDT",
            "", 200, Duration.ofSeconds(10), 429),
        Arguments.of(SimulatedVenue.KRAKEN, "GET", "/0/public/Ticker?pair=ETHUSD", "", 15,
            Duration.ofSeconds(15), 429),
        Arguments.of(SimulatedVenue.COINBASE, "GET", "/products/ETH-USD/ticker", "", 10,
            Duration.ofSeconds(1), 429),
        Arguments.of(SimulatedVenue.HYPERLIQUID, "POST", "/info", "{\"type\":\"meta\"}", 60,
            Duration.ofMinutes(1), 429),
        Arguments.of(SimulatedVenue.BINGX, "GET", "/openApi/spot/v1/market/depth?symbol=ETH-USDT",
            "", 100, Duration.ofSeconds(10), 429),
        Arguments.of(SimulatedVenue.GATE_FUTURES, "GET",
            "/api/v4/futures/usdt/order_book?contract=ETH_USDT&limit=20", "", 200,
            Duration.ofSeconds(10), 429),
        Arguments.of(SimulatedVenue.KUCOIN_FUTURES, "GET",
            "/api/v1/level2/depth100?symbol=ETHUSDTM", "", 200, Duration.ofSeconds(30), 429),
        Arguments.of(SimulatedVenue.LIGHTER, "GET",
            "/api/v1/orderBookOrders?market_id=1&limit=20", "", 60, Duration.ofMinutes(1), 429));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void admitsTheBudgetThenThrottlesUntilTheWindowMoves(SimulatedVenue venue, String method,
      String path, String body, int admitted, Duration window, int throttleStatus)
      throws Exception {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(3).clock(clock).build()) {
      String base = sim.start();
      for (int i = 0; i < admitted; i++) {
        assertThat(send(base, method, path, body).statusCode()).as("request %d", i)
            .isEqualTo(200);
      }
      HttpResponse<String> refused = send(base, method, path, body);
      assertThat(refused.statusCode()).isEqualTo(throttleStatus);
      assertThat(refused.headers().firstValue("Retry-After")).get()
          .isEqualTo(Long.toString(window.toSeconds() == 0 ? 1 : window.toSeconds()));
      clock.advanceTimeBy(window);
      assertThat(send(base, method, path, body).statusCode()).isEqualTo(200);
      assertThat(sim.requestLog()).hasSize(admitted + 2);
    }
  }

  private static HttpResponse<String> send(String base, String method, String path,
      String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(5));
    r = "POST".equals(method)
        ? r.header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
        : r.GET();
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
