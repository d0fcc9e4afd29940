package dev.scanflux.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunAllTest {

  private static final String SECTION = "\n## Kafka: publish to feed\n\nnew figures\n";

  @Test
  void theKafkaSectionIsInsertedAfterTheStreamsWhenTheReportHasNone() {
    String md = "# Benchmarks\n\n## Streams: venue to strategy\n\nstreams\n\n## Pipeline\n\np\n";
    assertThat(RunAll.withSection(md, RunAll.KAFKA, SECTION)).isEqualTo("# Benchmarks\n\n## Streams: venue to"
        + " strategy\n\nstreams\n" + SECTION + "\n## Pipeline\n\np\n");
  }

  @Test
  void theKafkaSectionIsReplacedInPlaceAndTheRestKept() {
    String md = "# B\n\n## Streams\n\ns\n\n## Kafka: publish to feed\n\nold figures\n\n"
        + "## Pipeline\n\np\n";
    String once = RunAll.withSection(md, RunAll.KAFKA, SECTION);
    assertThat(once).isEqualTo("# B\n\n## Streams\n\ns\n" + SECTION + "\n## Pipeline\n\np\n")
        .doesNotContain("old figures");
    assertThat(RunAll.withSection(once, RunAll.KAFKA, SECTION)).isEqualTo(once);
  }

  @Test
  void theStreamsSectionIsReplacedInPlace() {
    String md = "# B\n\n## Streams: venue to strategy\n\nold rows\n\n"
        + "## Kafka: publish to feed\n\nk\n";
    String section = RunAll.streamsSection(java.util.List.of(), "Measured today.\n\n");
    assertThat(RunAll.withSection(md, RunAll.STREAMS, section))
        .isEqualTo("# B\n" + section + "\n## Kafka: publish to feed\n\nk\n")
        .contains("Measured today.", "(no streamed venue)").doesNotContain("old rows");
  }

  @Test
  void aKafkaSectionAtTheEndIsReplacedToTheEnd() {
    String md = "# B\n\n## Streams\n\ns\n\n## Kafka: publish to feed\n\nold\n";
    assertThat(RunAll.withSection(md, RunAll.KAFKA, SECTION)).isEqualTo("# B\n\n## Streams\n\ns\n" + SECTION);
  }
}
