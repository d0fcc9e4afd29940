package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VenueModelTest {

  private static VenueModel model(String name, String limit) {
    return new VenueModel(name, RateLimitSpec.parse(limit), 4, "test");
  }

  @Test
  void floorIsInstrumentsTimesWeightOverRate() {
    VenueModel binance = VenueModel.all().get(0);
    assertThat(binance.bookWeight()).isEqualTo(5);
    assertThat(binance.floorSeconds(100)).isCloseTo(5.0, within(1e-9)); // 100 x 5 / (6000/60 s)
    assertThat(binance.fifoSpacing()).isEqualTo(Duration.ofMillis(50));
    assertThat(model("kraken", "1/1s").floorSeconds(1000)).isCloseTo(1000, within(1e-9));
    assertThat(model("okx", "40/2s").floorSeconds(400)).isCloseTo(20, within(1e-9));
  }

  @Test
  void steadyCyclesSpendWholeWindows() {
    assertThat(VenueModel.all().get(0).steadyCycles(100)).isEqualTo(12); // 12 x 500 = 6000
    assertThat(model("okx", "40/2s").steadyCycles(100)).isEqualTo(4); // 2 x 100 = 5 x 40
    assertThat(model("kraken", "1/1s").steadyCycles(1000)).isEqualTo(3);
  }

  @Test
  void aSetIsAsSlowAsItsSlowestVenue() {
    List<VenueModel> set = List.of(model("fast", "100/1s"), model("slow", "1/1s"));
    assertThat(VenueModel.floorSeconds(set, 10)).isCloseTo(10, within(1e-9));
    assertThat(VenueModel.steadyCycles(set, 10)).isEqualTo(3);
  }
}
