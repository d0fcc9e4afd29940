package dev.scanflux.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentLevelsTest {

  private static String size(LiveBook.Level l) {
    return Double.toString(l.size());
  }

  @Test
  void theFirstAdvanceSendsEveryLevelBestFirst() {
    SentLevels bids = SentLevels.bids();
    SentLevels asks = SentLevels.asks();

    assertThat(bids.advance(List.of(new LiveBook.Level(10, 1), new LiveBook.Level(12, 2)),
        SentLevelsTest::size)).containsExactly(entry(12L, "2.0"), entry(10L, "1.0"));
    assertThat(asks.advance(List.of(new LiveBook.Level(14, 1), new LiveBook.Level(13, 2)),
        SentLevelsTest::size)).containsExactly(entry(13L, "2.0"), entry(14L, "1.0"));
    assertThat(bids.sent()).containsExactly(entry(12L, "2.0"), entry(10L, "1.0"));
  }

  @Test
  void laterAdvancesSendChangedSizesNewLevelsAndZeroForLevelsGone() {
    SentLevels bids = SentLevels.bids();
    bids.advance(List.of(new LiveBook.Level(12, 2), new LiveBook.Level(11, 3),
        new LiveBook.Level(10, 1)), SentLevelsTest::size);

    assertThat(bids.advance(List.of(new LiveBook.Level(12, 2), new LiveBook.Level(11, 4),
        new LiveBook.Level(9, 5)), SentLevelsTest::size))
        .containsExactly(entry(11L, "4.0"), entry(10L, "0"), entry(9L, "5.0"));
    assertThat(bids.sent())
        .containsExactly(entry(12L, "2.0"), entry(11L, "4.0"), entry(9L, "5.0"));
    assertThat(bids.advance(List.of(new LiveBook.Level(12, 2), new LiveBook.Level(11, 4),
        new LiveBook.Level(9, 5)), SentLevelsTest::size)).isEmpty();
  }
}
