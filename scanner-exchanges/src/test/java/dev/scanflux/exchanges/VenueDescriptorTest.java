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
