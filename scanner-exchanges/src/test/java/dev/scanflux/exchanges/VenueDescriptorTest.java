package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.spi.MarketSource;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The registry of venue descriptors is the one source of truth: every preset method of
 * {@link Venues} is a descriptor's, {@link Venues#preset(String)} builds the same source, and
 * docs/exchanges.md's preset table lists each descriptor with its client, URL and concurrency.
 */
class VenueDescriptorTest {

  /** {@code binance-futures} → {@code binanceFutures}. */
  private static String method(String name) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }

  @Test
  void everyPresetMethodIsADescriptorsAndBuildsWhatItDescribes() throws Exception {
    List<VenueDescriptor> all = Venues.descriptors();
    assertThat(all).hasSize(17).extracting(VenueDescriptor::name).doesNotHaveDuplicates();
    long presetMethods = java.util.Arrays.stream(Venues.class.getMethods())
        .filter(m -> m.getReturnType() == VenueBuilder.class && m.getParameterCount() == 0)
        .count();
    assertThat(presetMethods).isEqualTo(all.size());
    for (VenueDescriptor d : all) {
      Method m = Venues.class.getMethod(method(d.name()));
      VenueBuilder byMethod = (VenueBuilder) m.invoke(null);
      assertThat(byMethod).hasToString(Venues.preset(d.name()).toString());
      assertThat(byMethod.hasStream()).isEqualTo(d.hasStream());
      try (MarketSource s = Venues.preset(d.name()).build()) {
        assertThat(s.venue()).isEqualTo(d.name());
        assertThat(s.rateLimit()).isEqualTo(d.rateLimit());
        assertThat(s.defaultConcurrency()).isEqualTo(d.concurrency());
        assertThat(s.stream().isPresent()).isEqualTo(d.hasStream());
      }
    }
  }

  /**
   * Each preset's response cap is at least four times the largest REST answer recorded from its
   * venue (wire-samples: full instrument lists, deep books; WebSocket recordings aside), at least
   * 4 MiB, and well below the former 32 MiB default; the builder starts from it and can change it.
   */
  @Test
  void everyPresetCapsItsAnswersAtFourTimesItsVenuesLargestRecordedAnswer() throws IOException {
    Path samples = Path.of("src", "test", "resources", "wire-samples");
    for (VenueDescriptor d : Venues.descriptors()) {
      long largest = 0;
      Path dir = samples.resolve(d.name());
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          largest = files.filter(f -> !f.getFileName().toString().startsWith("ws-"))
              .mapToLong(f -> f.toFile().length()).max().orElse(0);
        }
      }
      assertThat(d.maxResponseBytes()).as(d.name() + "'s cap against its largest answer, "
          + largest + " bytes").isGreaterThanOrEqualTo(Math.max(4 * largest, 4L << 20))
          .isLessThanOrEqualTo(16L << 20);
      assertThat(Venues.preset(d.name()).toString())
          .contains("maxResponseBytes " + d.maxResponseBytes() + '}');
    }
    assertThat(Venues.binance().maxResponseBytes(1L << 20).toString())
        .contains("maxResponseBytes 1048576}");
    assertThatThrownBy(() -> Venues.okx().maxResponseBytes(1023))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxResponseBytes must be in [1024, 2^30] but was 1023");
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    assertThatThrownBy(() -> Venues.preset("mtgox"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown venue 'mtgox'").hasMessageContaining("binance, ");
  }

  @Test
  void theDocumentationsPresetTableListsEveryDescriptor() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("..", "docs", "exchanges.md"));
    for (VenueDescriptor d : Venues.descriptors()) {
      String row = lines.stream().filter(l -> l.startsWith("| `" + method(d.name()) + "()` |"))
          .findFirst().orElseThrow(() -> new AssertionError("no preset row for " + d.name()));
      String[] cells = row.split("\\|");
      assertThat(cells[2].strip().toLowerCase(Locale.ROOT)).as(d.name() + "'s client")
          .startsWith(d.client().toLowerCase(Locale.ROOT));
      assertThat(cells[3].strip()).as(d.name() + "'s URL").isEqualTo("`" + d.restUrl() + "`");
      assertThat(cells[5].strip()).as(d.name() + "'s concurrency")
          .isEqualTo(Integer.toString(d.concurrency()));
    }
  }
}
