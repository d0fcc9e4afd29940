package dev.scanflux.core.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingFormatException.Defect;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.ResyncCause;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordFormatTest {

  private final RecordFormat format = RecordFormat.create();

  @Test
  void snapshotsRoundTripExactly() throws Exception {
    for (MarketSnapshot s : new RandomSnapshots(7).sorted(500)) {
      byte[] record = format.encode(s);
      assertThat(record).doesNotContain((byte) '\n');
      assertThat(format.decodeSnapshot(record)).isEqualTo(s);
    }
  }

  @Test
  void aSnapshotRecordIsARecordingLine(@TempDir Path dir) throws IOException {
    List<MarketSnapshot> written = new RandomSnapshots(11).sorted(50);
    StringBuilder file = new StringBuilder(
        "{\"format\":\"scanflux-recording\",\"version\":1,\"venues\":[],"
            + "\"createdAt\":\"2025-01-31T12:00:00Z\"}\n");
    for (MarketSnapshot s : written) {
      file.append(new String(format.encode(s), StandardCharsets.UTF_8)).append('\n');
    }
    Path path = dir.resolve("cut.jsonl");
    Files.writeString(path, file);

    assertThat(RecordingReader.of(path).snapshots().collectList().block())
        .containsExactlyElementsOf(written);
  }

  @Test
  void scansRoundTripWithReportsAndSnapshots() throws Exception {
    List<MarketSnapshot> snapshots = new RandomSnapshots(3).sorted(40);
    StreamReport stream = new StreamReport(StreamReport.State.CONNECTED, 12, 11, 5000, 2, 1,
        Map.of(ResyncCause.SEQUENCE_GAP, 3L), 4, 9);
    VenueReport streamed = new VenueReport("binance", 20, 33, 28,
        Map.of(ErrorClass.THROTTLED, 1L, ErrorClass.TRANSIENT, 2L), 2, 3, 1, 620,
        Duration.ofMillis(1234), Duration.ofNanos(61_500_000), Duration.ofMillis(95), 0.875,
        true, stream, 1, Duration.ofMillis(1234));
    VenueReport polled = new VenueReport("okx", 5, 5, 5, Map.of(), 0, 0, 5,
        Duration.ofMillis(300), Duration.ofMillis(60), Duration.ofMillis(70), 0.5, false);
    Scan scan = new Scan(Instant.parse("2025-01-31T12:00:01.5Z"), snapshots,
        new ScanReport(7, Instant.parse("2025-01-31T12:00:00.25Z"), Duration.ofMillis(1250),
            List.of(streamed, polled)));

    byte[] record = format.encode(scan);
    Scan back = format.decodeScan(record);

    assertThat(record).doesNotContain((byte) '\n');
    assertThat(back.cycle()).isEqualTo(7);
    assertThat(back.completedAt()).isEqualTo(scan.completedAt());
    assertThat(back.report()).isEqualTo(scan.report());
    assertThat(back.report().venues().get("binance").cancelled()).isEqualTo(2);
    assertThat(back.snapshots()).containsExactlyElementsOf(snapshots);
  }

  @Test
  void badRecordsNameTheirDefect() {
    assertThatThrownBy(() -> format.decodeSnapshot("{\"type\":\"book\"".getBytes(
        StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("malformed line: not valid JSON")
        .extracting(e -> ((InvalidRecordException) e).defect()).isEqualTo(Defect.MALFORMED_LINE);
    String crossed = "{\"type\":\"book\",\"venue\":\"okx\",\"instrument\":\"BTC/USDT\","
        + "\"exchangeTime\":1,\"receivedAt\":1,\"bids\":[[101,1]],\"asks\":[[100,1]]}";
    assertThatThrownBy(() -> format.decodeSnapshot(crossed.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("okx").hasMessageContaining("BTC/USDT")
        .extracting(e -> ((InvalidRecordException) e).defect())
        .isEqualTo(Defect.INVALID_SNAPSHOT);
    assertThatThrownBy(() -> format.decodeScan(crossed.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("\"type\" must be \"scan\"");
    String noVenues = "{\"type\":\"scan\",\"cycle\":1,\"startedAt\":0,\"completedAt\":1,"
        + "\"duration\":1,\"snapshots\":[]}";
    assertThatThrownBy(() -> format.decodeScan(noVenues.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("required field \"venues\" is missing");
    assertThatThrownBy(() -> RecordFormat.checkVersion(2))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("format version 2 is not supported");
  }

  @Test
  void unknownFieldsAndCountersAreIgnored() throws Exception {
    String scan = "{\"type\":\"scan\",\"cycle\":2,\"startedAt\":0,\"completedAt\":5,"
        + "\"duration\":5,\"future\":{\"x\":[1,2]},\"venues\":[{\"venue\":\"kraken\","
        + "\"instruments\":1,\"requests\":1,\"successes\":1,\"failures\":{\"NEW_CLASS\":4},"
        + "\"retries\":0,\"gaveUp\":0,\"weightUsed\":1,\"duration\":5,\"latencyP50\":1,"
        + "\"latencyP99\":2,\"utilisation\":0.1,\"rediscovered\":false,\"stream\":{\"state\":"
        + "\"OFF\",\"liveBooks\":0,\"liveTickers\":0,\"updates\":0,\"connects\":0,"
        + "\"disconnects\":0,\"resyncs\":{},\"rejected\":0,\"polled\":0}}],\"snapshots\":[]}";
    Scan back = format.decodeScan(scan.getBytes(StandardCharsets.UTF_8));
    assertThat(back.report().venues().get("kraken").failed()).isZero();
    assertThat(back.report().venues().get("kraken").cancelled())
        .as("a record written before cancelled requests were counted").isZero();
    assertThat(new ArrayList<>(back.snapshots())).isEmpty();
  }
}
