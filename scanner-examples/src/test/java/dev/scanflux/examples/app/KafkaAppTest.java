package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.kafka.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The app's Kafka flags and its feed command, against an in-process broker. */
class KafkaAppTest {

  @RegisterExtension
  static final EmbeddedKafka kafka = new EmbeddedKafka();

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = ScanfluxApp.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static Run node(String shard) {
    return run("--kafka", kafka.bootstrap(), "--topics", "app", "--shard", shard,
        "--venue", "okx", "--venue", "binance", "--venue", "kucoin", "--venue", "bybit",
        "--no-stream", "--sim-instruments", "3", "--cycles", "2", "--interval", "0s");
  }

  @Test
  void twoShardedNodesPublishAndAFeedRunsTheStrategiesOnWhatTheyPublished() {
    Run one = node("1/2"); // binance, bybit, kucoin, okx sorted: 1/2 takes binance and kucoin
    assertThat(one.exit()).as(one.err()).isZero();
    assertThat(one.out()).contains("binance: simulated", "kucoin: simulated")
        .doesNotContain("okx: simulated", "bybit: simulated")
        .containsPattern("kafka 127\\.0\\.0\\.1:\\d+ as scanflux-1-of-2: (\\d+) snapshots "
            + "offered, [1-9]\\d* published, \\d+ superseded, 0 dropped, 0 failed sends, 2 scans "
            + "published, 0 lost, \\d+ alert events published, 0 lost");
    Run two = node("2/2");
    assertThat(two.exit()).as(two.err()).isZero();
    assertThat(two.out()).contains("bybit: simulated", "okx: simulated")
        .doesNotContain("binance: simulated").contains("as scanflux-2-of-2:");

    Run feed = run("feed", "--kafka", kafka.bootstrap(), "--topics", "app", "--scans", "1");
    assertThat(feed.exit()).as(feed.err()).isZero();
    assertThat(feed.out())
        .containsPattern("scan 2 of bybit,okx: scan 2")   // the latest scan, at once
        // every record not yet compacted away: at least the 24 keys' latest
        .containsPattern("feed " + kafka.bootstrap()
            + ": 1 scans and (2[4-9]|[3-9]\\d|[1-9]\\d{2,}) "
            + "snapshots read")
        .contains("0 invalid records skipped")
        .containsPattern("\n  alerts: \\d+ opened")  // the strategies' alerts run on the feed
        .contains("node scanflux-1-of-2 stopped, venues [binance, kucoin]")
        .contains("node scanflux-2-of-2 stopped, venues [bybit, okx]");
  }

  @Test
  void anUnreachableBrokerNeverStopsTheScanAndWhatWasNotPublishedIsCounted() {
    Run run = run("--kafka", "127.0.0.1:1", "--venue", "binance", "--no-stream",
        "--sim-instruments", "3", "--cycles", "2", "--interval", "0s");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("scan 2:")
        // scan 2 superseded scan 1 in the buffer; what was left is dropped at close
        .contains("kafka 127.0.0.1:1 as scanflux: 12 snapshots offered, 0 published, "
            + "6 superseded, 6 dropped, 0 failed sends, 0 scans published, 2 lost, "
            + "0 alert events published, 0 lost; last error: ");
  }

  @Test
  void badKafkaFlagsGetAClearMessageAndExitCode2() {
    Run shard = run("--shard", "3/2");
    assertThat(shard.exit()).isEqualTo(2);
    assertThat(shard.err()).contains("shard index must be in [1, 2] but was 3");
    Run empty = run("--shard", "2/2", "--venue", "binance");
    assertThat(empty.exit()).isEqualTo(2);
    assertThat(empty.err()).contains("--shard 2/2 leaves this node no venue");
    Run feed = run("feed");
    assertThat(feed.exit()).isEqualTo(2);
    assertThat(feed.err()).contains("--kafka");
  }
}
