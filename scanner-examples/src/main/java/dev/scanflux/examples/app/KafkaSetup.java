package dev.scanflux.examples.app;

import dev.scanflux.kafka.PublishReport;
import dev.scanflux.kafka.Shard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The app's Kafka pieces: which venues a shard scans, and the publisher's report line. */
final class KafkaSetup {

  private KafkaSetup() {}

  /**
   * This node's share of the venue specs ({@code NAME} or {@code NAME=BASE_URL}), dealt by venue
   * name as {@link Shard#select} deals them.
   */
  static List<String> shard(List<String> specs, Shard shard) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String spec : specs) {
      String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
      byName.put(name.strip().toLowerCase(Locale.ROOT), spec);
    }
    List<String> mine = new ArrayList<>();
    for (String name : shard.select(byName.keySet())) {
      mine.add(byName.get(name));
    }
    return mine;
  }

  /** One line for the final report. */
  static String line(String bootstrap, String node, PublishReport r) {
    return String.format(Locale.ROOT, "kafka %s as %s: %d snapshots offered, %d published, "
            + "%d superseded, %d dropped, %d failed sends, %d scans published, %d lost, "
            + "%d alert events published, %d lost%s",
        bootstrap, node, r.offered(), r.published(), r.superseded(), r.dropped(), r.failed(),
        r.scansPublished(), r.scansLost(), r.alertsPublished(), r.alertsLost(),
        r.lastError() == null ? ""
            : "; last error: " + r.lastError());
  }
}
