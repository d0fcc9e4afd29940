package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every simulated venue quotes one shared market: read through each venue's own client, the same
 * coin trades near one price everywhere (here within 1 %), so a cross-venue strategy on the
 * simulator sees realistic spreads, not unrelated prices.
 */
class SharedMarketAcrossVenuesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final List<String> COINS = List.of("BTC", "ETH", "SOL", "XRP", "DOGE", "TRX");

  @Test
  void theSameCoinTradesNearOnePriceOnEverySimulatedVenue() {
    Map<String, List<String>> quotes = new TreeMap<>();
    for (SimulatedVenue venue : SimulatedVenue.values()) {
      try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(12).seed(42)
              .rateLimit(false).build();
          MarketSource source = SimulatedPresets.of(venue).baseUrl(sim.start()).build()) {
        List<Instrument> listed = source.instruments().block(WAIT);
        for (String coin : COINS) {
          Instrument i = venue.instrument(coin);
          if (listed.contains(i)) {
            TickerSnapshot t = source.ticker(i).block(WAIT);
            quotes.computeIfAbsent(coin, k -> new ArrayList<>())
                .add(venue + "=" + (t.bid() + t.ask()) / 2);
          }
        }
      }
    }
    assertThat(quotes.keySet()).containsAll(COINS);
    quotes.forEach((coin, mids) -> {
      double[] values = mids.stream().mapToDouble(m -> Double.parseDouble(m.split("=")[1]))
          .toArray();
      double min = java.util.Arrays.stream(values).min().orElseThrow();
      double max = java.util.Arrays.stream(values).max().orElseThrow();
      assertThat(values.length).as(coin + " listed on several venues").isGreaterThan(10);
      assertThat(max / min).as(coin + ": " + mids).isLessThan(1.01);
    });
  }
}
