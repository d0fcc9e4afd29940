package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Every simulated venue, through its own preset, in one JVM and at the same time. */
class AllVenuesTest {

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void everyVenueServesDiscoveryBooksAndTickersTogether() {
    Map<SimulatedVenue, VenueSimulator> sims = new EnumMap<>(SimulatedVenue.class);
    Map<SimulatedVenue, MarketSource> sources = new EnumMap<>(SimulatedVenue.class);
    for (SimulatedVenue v : SimulatedVenue.values()) {
      VenueSimulator sim = VenueSimulator.builder(v).instruments(40)
          .latency(Duration.ofMillis(5)).jitter(Duration.ofMillis(5)).build();
      open.add(sim);
      MarketSource source = SimulatedPresets.of(v).baseUrl(sim.start()).build();
      open.add(source);
      sims.put(v, sim);
      sources.put(v, source);
    }

    List<String> done = Flux.fromIterable(sources.entrySet())
        .flatMap(e -> {
          MarketSource s = e.getValue();
          Instrument eth = e.getKey().instrument("ETH");
          return s.instruments()
              .doOnNext(all -> assertThat(all).hasSize(40).contains(eth))
              .then(Mono.when(s.book(eth, 10), s.ticker(eth),
                  s.hasBulkTickers() ? s.tickers() : Mono.empty()))
              .thenReturn(s.venue());
        })
        .collectList()
        .block(Duration.ofSeconds(30));

    assertThat(done).hasSize(SimulatedVenue.values().length);
    sims.forEach((v, sim) -> assertThat(sim.requestLog())
        .as(v.name()).extracting(ServedRequest::status).containsOnly(200));
  }
}
