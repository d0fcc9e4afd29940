package dev.scanflux.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardTest {

  private static final List<String> VENUES =
      List.of("okx", "binance", "kraken", "bybit", "kucoin");

  @Test
  void sharesAreDisjointCoverEveryVenueAndDifferByAtMostOne() {
    for (int count = 1; count <= 7; count++) {
      Set<String> all = new HashSet<>();
      List<Integer> sizes = new ArrayList<>();
      for (int index = 1; index <= count; index++) {
        List<String> mine = new Shard(index, count).select(VENUES);
        for (String v : mine) {
          assertThat(all.add(v)).as("%s in two shards of %d", v, count).isTrue();
        }
        sizes.add(mine.size());
      }
      assertThat(all).containsExactlyInAnyOrderElementsOf(VENUES);
      assertThat(sizes.stream().mapToInt(i -> i).max().getAsInt()
          - sizes.stream().mapToInt(i -> i).min().getAsInt()).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void theOrderTheVenuesAreGivenInDoesNotMatter() {
    assertThat(Shard.parse("2/3").select(VENUES)).containsExactly("bybit", "okx");
    assertThat(Shard.parse(" 2 / 3 ").select(List.of("kucoin", "kraken", "okx", "bybit",
        "binance"))).containsExactly("bybit", "okx");
    assertThat(Shard.ALL.select(VENUES)).hasSize(5);
  }

  @Test
  void badShardsAreNamed() {
    assertThatThrownBy(() -> Shard.parse("3/2"))
        .hasMessage("shard index must be in [1, 2] but was 3");
    assertThatThrownBy(() -> Shard.parse("0/2"))
        .hasMessage("shard index must be in [1, 2] but was 0");
    assertThatThrownBy(() -> Shard.parse("two"))
        .hasMessage("shard must look like INDEX/COUNT, e.g. 2/3, but was 'two'");
    assertThatThrownBy(() -> Shard.parse("1/x"))
        .hasMessageContaining("'1/x'");
    assertThat(Shard.parse("2/3")).hasToString("2/3");
  }
}
