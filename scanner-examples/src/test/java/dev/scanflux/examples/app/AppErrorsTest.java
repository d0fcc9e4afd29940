package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every bad invocation a new user may type: refused before anything starts, naming the flag and
 * the value, exit 2; run-time failures one line and exit 1; never a stack trace without
 * {@code --verbose}.
 */
class AppErrorsTest {

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    return run(new ByteArrayOutputStream(), args);
  }

  /** Runs the app printing to {@code out}, which a test may read while it runs. */
  static Run run(ByteArrayOutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ScanfluxApp.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static void assertNoStackTrace(Run run) {
    assertThat(run.out() + run.err()).doesNotContain("\tat ", "Exception:", "Exception\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--rate nosuch=10/1s | --rate nosuch=10/1s: nosuch is not scanned (venues: binance, okx,"
          + " bybit, kucoin, kraken)",
      "--concurrency nosuch=3 | --concurrency nosuch=3: nosuch is not scanned",
      "--concurrency okx=0 | --concurrency okx=0: must be in [1, 1024]",
      "--venue okx --venue okx | --venue okx: okx is given twice",
      "--venue nosuch | --venue nosuch: unknown venue 'nosuch': known venues are binance,",
      "--rate okx=lots | --rate okx=lots: ",
      "--symbols BTC | --symbols BTC: ",
      "--venue okx=ftp://127.0.0.1:21 | --venue okx=ftp://127.0.0.1:21: baseUrl must be an"
          + " absolute http or https URL",
      "--venue okx=http://127.0.0.1:1 | --venue okx=http://127.0.0.1:1: baseUrl must have a port"
          + " of 10 or more"})
  void refusedBeforeAnythingStarts(String args, String message) {
    Run run = run(args.strip().split(" "));

    assertThat(run.exit()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).startsWith("scanflux: " + message.strip())
        .contains("Try 'scanflux --help'");
    assertThat(run.out()).as("nothing started: no simulator announced").isEmpty();
    assertNoStackTrace(run);
  }

  @Test
  void credentialsInAUrlAreRefusedAndNeverPrinted() {
    for (String[] args : new String[][] {
        {"--venue", "binance=http://trader:S3cretPassw0rd@127.0.0.1:11"},
        {"--venue", "binance=http://trader:S3cretPassw0rd@127.0.0.1:11", "--verbose"},
        {"--venue", "okx=http://127.0.0.1:11", "--stream-url",
            "okx=ws://trader:S3cretPassw0rd@127.0.0.1:12/ws"},
        {"--venue", "okx=http://trader:S3cretPassw0rd@127.0.0.1:11", "--venue", "okx"},
        {"--venue", "binance=http://trader:S3cret Passw0rd@127.0.0.1:11"}}) {
      Run run = run(args);
      assertThat(run.exit()).as(run.err()).isEqualTo(2);
      assertThat(run.out() + run.err()).as(String.join(" ", args))
          .doesNotContain("S3cret", "Passw0rd", "trader").contains("://****@127.0.0.1:");
      assertThat(run.out()).as("nothing started").isEmpty();
    }
    assertThat(run("--venue", "binance=http://trader:S3cretPassw0rd@127.0.0.1:11").err())
        .startsWith("scanflux: --venue binance=http://****@127.0.0.1:11: the URL carries a user"
            + " name or password, which Scanflux never sends");
  }

  @Test
  void aSymbolNoVenueListsIsRefusedAndOneAVenueLacksIsAWarningNamingIt() {
    Run none = run("--symbols", "FOO/BAR", "--venue", "okx", "--sim-instruments", "5",
        "--cycles", "1");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).startsWith("scanflux: --symbols FOO/BAR: no venue scanned lists it"
        + " (okx)");
    assertNoStackTrace(none);

    Run some = run("--symbols", "BTC/USDT", "--venue", "kraken", "--venue", "okx",
        "--sim-instruments", "5", "--cycles", "1", "--interval", "0s", "--no-stream");
    assertThat(some.exit()).as(some.err()).isZero();
    assertThat(some.out()).contains("warning: kraken does not list BTC/USDT; kraken is left out"
        + " of the scan").contains("scan 1: 1 venues");
    assertNoStackTrace(some);
  }

  @Test
  void aMissingRecordingIsRefusedWithTheReasonAndACorruptOneFailsInOneLine() throws Exception {
    Run missing = run("--replay", dir.resolve("nothing.jsonl").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("--replay " + dir.resolve("nothing.jsonl")
        + ": cannot read it (no such file)");

    Path corrupt = Files.writeString(dir.resolve("corrupt.jsonl"), "{\"bad json\nnot json\n");
    Run bad = run("--replay", corrupt.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err().lines().toList()).hasSize(2);
    assertThat(bad.err()).startsWith("scanflux: " + corrupt + " line 1: ")
        .contains("(--verbose shows the stack trace)");
    assertNoStackTrace(bad);

    Run verbose = run("--replay", corrupt.toString(), "--verbose");
    assertThat(verbose.exit()).isEqualTo(1);
    assertThat(verbose.err()).contains("\tat ");
  }

  @Test
  void helpListsTheVenuesAndGroupsTheFlags() {
    Run help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Venues: binance, binance-futures,", " okx,", "lighter")
        .contains("What to scan:", "How fast:", "Output:", "Alerts:");
  }
}
