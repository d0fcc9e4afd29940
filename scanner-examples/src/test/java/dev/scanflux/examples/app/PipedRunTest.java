package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a piped run says first: where each venue runs, then progress until the first scan. */
class PipedRunTest {

  @Test
  void aPipedRunSaysWhatItDoesAndShowsEachVenuesProgressUntilTheFirstScan() {
    // Kraken polled at its real limit (about one request a second): the first pass takes at
    // least 24 requests, so progress lines come before scan 1.
    AppErrorsTest.Run run = AppErrorsTest.run("--venue", "kraken", "--venue", "okx",
        "--no-stream", "--sim-instruments", "12", "--cycles", "1");

    assertThat(run.exit()).as(run.err()).isZero();
    List<String> lines = run.out().lines().toList();
    assertThat(lines.get(0)).startsWith("kraken: simulated at http://127.0.0.1:");
    assertThat(lines.get(1)).startsWith("okx: simulated at http://127.0.0.1:");
    assertThat(lines.get(2)).startsWith("strategies: ");
    assertThat(lines.get(3)).as("the first progress line, within 10 s")
        .matches("progress 00:00:0\\d: kraken .*; okx .*")
        .endsWith("(scan 1 is cut when every venue completed its first pass)");
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .matches("progress 00:00:\\d\\d: kraken 0 passes, \\d+/12 books fresh; okx \\d+ pass"
            + "(es)?, \\d+/12 books fresh.*"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("scan 1: 2 venues, "));
    assertThat(lines.indexOf("Final report (the whole run)")).isPositive();
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .matches("  kraken +\\d+ requests \\(\\d+\\.\\d/s\\), weight \\d+ "
            + "\\(\\d+\\.\\d/s of 1\\.0\\).*"));
  }
}
