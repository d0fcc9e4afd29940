package dev.scanflux.examples.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the app in-process on the embedded simulator, as a user would from the shell. */
class ScanfluxAppTest {

  @TempDir
  Path dir;

  private record Run(int exit, String out, String err) {
    List<String> signals() {
      return out.lines().filter(l -> l.startsWith("signal ")).sorted().toList();
    }
  }

  private static Run run(String... args) {
    AppErrorsTest.Run run = AppErrorsTest.run(args);
    return new Run(run.exit(), run.out(), run.err());
  }

  @Test
  void twoCyclesOnTheSimulatorWriteReportsAndARecordingThatReplaysToTheSameSignals()
      throws Exception {
    Path json = dir.resolve("report.jsonl");
    Path html = dir.resolve("timeline.html");
    Path recording = dir.resolve("scan.jsonl.gz");

    Run live = run("--venue", "binance", "--venue", "okx", "--venue", "hyperliquid",
        "--no-stream", // polled: the speedup over sequential polling is checked below
        "--sim-instruments", "12", "--cycles", "2", "--interval", "0s", "--window", "1s",
        "--signals", "--min-change", "0.01", "--json-report", json.toString(), "--html-report", html.toString(),
        "--record", recording.toString());

    assertThat(live.exit()).as(live.err()).isZero();
    assertThat(live.out()).contains("scan 1: 3 venues", "scan 2: 3 venues", "Final report",
        "0 throttled");

    List<String> lines = Files.readAllLines(json);
    assertThat(lines).hasSize(2);
    ObjectMapper mapper = new ObjectMapper();
    for (int i = 0; i < 2; i++) {
      JsonNode cycle = mapper.readTree(lines.get(i));
      assertThat(cycle.get("scan").asInt()).isEqualTo(i + 1);
      assertThat(cycle.get("venues").size()).isEqualTo(3);
      assertThat(cycle.get("throttles").asLong()).isZero();
      assertThat(cycle.get("speedup").asDouble()).isGreaterThan(1);
      assertThat(cycle.get("venues").get("binance").get("successes").asLong()).isPositive();
    }

    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains(">binance</text>",
        ">okx</text>", ">hyperliquid</text>", "<rect ", "<h2>Scans</h2>");
    assertThat(page).doesNotContain("<script", "src=", "href=");

    List<MarketSnapshot> recorded = RecordingReader.of(recording).snapshots().collectList()
        .block();
    assertThat(recorded).isNotEmpty();
    assertThat(recorded).extracting(MarketSnapshot::venue)
        .containsOnly("binance", "okx", "hyperliquid");
    assertThat(live.out()).contains("recorded " + recorded.size() + " snapshots");

    Run replay = run("--replay", recording.toString(), "--window", "1s", "--min-change", "0.01");
    assertThat(replay.exit()).as(replay.err()).isZero();
    assertThat(replay.signals()).isNotEmpty().isEqualTo(live.signals());
  }

  @Test
  void perpetualsAcrossVenuesAreScannedInBaseUnits() {
    Run run = run("--venue", "okx-swap", "--venue", "bybit-linear", "--venue", "gate-futures",
        "--symbols", "BTC/USDT:perp,ETH/USDT:perp", "--sim-instruments", "10", "--cycles", "1",
        "--interval", "0s");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("scan 1: 3 venues", "0 failed");
    for (String venue : List.of("okx-swap", "bybit-linear", "gate-futures")) {
      assertThat(run.out().lines().filter(l -> l.strip().startsWith(venue + " ")
          && l.contains("/s), weight ")).findFirst().orElseThrow()).as(run.err())
          .contains(" 0 failed");
      assertThat(run.out().lines().filter(l -> l.strip().startsWith(venue + " ")
          && l.contains("instruments")).findFirst().orElseThrow()).contains(" 2 instruments");
    }
  }

  @Test
  void venuesWithAPushStreamAreStreamedByDefaultAndPolledWithNoStream() throws Exception {
    Path json = dir.resolve("streamed.jsonl");
    Run streamed = run("--venue", "binance", "--venue", "coinbase", "--sim-instruments", "4",
        "--cycles", "6", "--interval", "0s", "--json-report", json.toString());

    assertThat(streamed.exit()).as(streamed.err()).isZero();
    assertThat(streamed.out()).containsPattern("binance: simulated at http://127\\.0\\.0\\.1:\\d+"
        + " and ws://127\\.0\\.0\\.1:\\d+/ws ").contains("; streams: binance connected");
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> cycles = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(json)) {
      cycles.add(mapper.readTree(line));
    }
    JsonNode last = cycles.get(cycles.size() - 1).get("venues");
    assertThat(last.get("coinbase").has("stream")).as("coinbase has no stream").isFalse();
    JsonNode stream = last.get("binance").get("stream");
    assertThat(stream.get("state").asText()).isEqualTo("connected");
    assertThat(stream.get("liveBooks").asInt()).isEqualTo(4);
    assertThat(last.get("binance").get("requests").asLong()).as("nothing left to poll")
        .isZero();
    assertThat(cycles.stream().mapToLong(c -> c.get("venues").get("binance").get("stream")
        .get("updates").asLong()).sum()).isPositive();

    Run polled = run("--venue", "binance", "--no-stream", "--sim-instruments", "4",
        "--cycles", "1", "--interval", "0s", "--json-report", dir.resolve("polled.jsonl")
            .toString());
    assertThat(polled.exit()).as(polled.err()).isZero();
    assertThat(polled.out()).doesNotContain("ws://", "streams:");
    assertThat(mapper.readTree(Files.readAllLines(dir.resolve("polled.jsonl")).get(0))
        .get("venues").get("binance").has("stream")).isFalse();
  }

  @Test
  void aBadFlagGetsAClearMessageAndExitCode2() {
    Run unknown = run("--frobnicate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--frobnicate'", "scanflux --help");

    Run venue = run("--venue", "mtgox");
    assertThat(venue.exit()).isEqualTo(2);
    assertThat(venue.err()).contains("unknown venue 'mtgox'", "binance");

    Run rate = run("--rate", "binance=fast");
    assertThat(rate.exit()).isEqualTo(2);
    assertThat(rate.err()).contains("--rate binance=fast: rate limit must look like WEIGHT/WINDOW");

    Run interval = run("--interval", "soon");
    assertThat(interval.exit()).isEqualTo(2);
    assertThat(interval.err()).contains("'soon' is not a duration");

    Run streamUrl = run("--venue", "coinbase=http://127.0.0.1:11", "--stream-url",
        "coinbase=ws://127.0.0.1:11");
    assertThat(streamUrl.exit()).isEqualTo(2);
    assertThat(streamUrl.err()).contains("--stream-url coinbase: the venue has no push stream");

    Run missing = run("--replay", dir.resolve("nothing.jsonl").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read");
  }

  @Test
  void anUnreachableVenueIsReportedAndTheOthersKeepScanning() {
    Run run = run("--venue", "binance=http://127.0.0.1:11", "--venue", "okx",
        "--sim-instruments", "5", "--cycles", "1", "--interval", "0s");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("binance: unreachable or failing in this scan's period",
        "the other venues go on");
    assertThat(run.out()).as("a venue at a base URL without --stream-url is polled only: its"
        + " stream would go to the exchange").doesNotContain("streams: binance");
    assertThat(run.out().lines().filter(l -> l.strip().startsWith("okx ")
        && l.contains("requests")).findFirst().orElseThrow()).contains(" 0 failed");
  }
}
