package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Book sizes of a spot venue (base units) and of perpetual venues quoting contracts compare
 * directly only because the perpetual books declare their contract size. The simulators share
 * the seed, so the first BTC book of each holds the same liquidity: the same base amounts, once
 * as coins, once as whole contracts of 0.0001 BTC (Gate) or 0.001 BTC (KuCoin).
 */
class ContractSizesAcrossVenuesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void spotAndContractQuotedBooksAgreeInBaseUnitsOnlyThroughTheContractSize() {
    BookSnapshot spot = firstBtcBook(SimulatedVenue.BYBIT, Instrument.spot("BTC", "USDT"));
    BookSnapshot gate = firstBtcBook(SimulatedVenue.GATE_FUTURES,
        Instrument.perpetual("BTC", "USDT"));
    BookSnapshot kucoin = firstBtcBook(SimulatedVenue.KUCOIN_FUTURES,
        Instrument.perpetual("BTC", "USDT"));

    double spotBids = bidSize(spot);
    // Whole contracts round each level's size: within 1 % over ten levels at 0.0001 BTC,
    // within 10 % at 0.001 BTC (a level of 0.01 BTC is 10 contracts).
    assertThat(bidSize(gate)).isCloseTo(spotBids, withPercentage(1));
    assertThat(bidSize(kucoin)).isCloseTo(spotBids, withPercentage(10));
    // The raw counts are off by the multiplier: 10,000 and 1,000 times the coins.
    assertThat(bidContracts(gate) / spotBids).isBetween(9_900.0, 10_100.0);
    assertThat(bidContracts(kucoin) / spotBids).isBetween(900.0, 1_100.0);
  }

  private static BookSnapshot firstBtcBook(SimulatedVenue venue, Instrument btc) {
    try (VenueSimulator sim = VenueSimulator.builder(venue).instruments(5).seed(11).build();
        MarketSource source = SimulatedPresets.of(venue).baseUrl(sim.start()).build()) {
      List<Instrument> all = source.instruments().block(WAIT);
      assertThat(all).contains(btc);
      return source.book(btc, 10).block(WAIT);
    }
  }

  private static double bidSize(BookSnapshot b) {
    double sum = 0;
    for (int i = 0; i < b.bidLevels(); i++) {
      sum += b.bidSize(i);
    }
    return sum;
  }

  private static double bidContracts(BookSnapshot b) {
    double sum = 0;
    for (int i = 0; i < b.bidLevels(); i++) {
      sum += b.bidContracts(i);
    }
    return sum;
  }
}
