package dev.scanflux.examples.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.ScanReport;
import dev.scanflux.core.alert.AlertStats;
import dev.scanflux.core.alert.SinkStats;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.ResyncCause;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One scan's report as one line of JSON, for {@code --json-report}: per venue its
 * requests, successes, failures by class, throttles, retries, abandoned fetches, weight,
 * duration, latency percentiles and utilisation, and for a streamed venue what its stream did
 * (state, live instruments, updates, connects, drops, resyncs by cause, rejected messages, and
 * the fetches polled as fallback); and the cycle's duration against the sequential estimate, as
 * a speedup. Durations are in milliseconds.
 */
final class ReportJson {

  /**
   * The version of this format, the first field of every line: raised when a field changes
   * meaning or goes away (added fields keep it). The field reference is in docs/app.md.
   */
  static final int SCHEMA = 2;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ReportJson() {}

  /** The report as a single line of JSON, without a line break. */
  static String line(ScanReport report) {
    return node(report).toString();
  }

  /**
   * The report with the alerts so far: {@code alerts} holds the counts (opened, updated,
   * closed, suppressed, shortLived, open), the cross-venue mismatches, and per sink what it
   * delivered, retried and lost.
   */
  static String line(ScanReport report, AlertStats alerts, List<SinkStats> sinks,
      long mismatches) {
    ObjectNode root = node(report);
    ObjectNode a = root.putObject("alerts");
    a.put("opened", alerts.opened());
    a.put("updated", alerts.updated());
    a.put("closed", alerts.closed());
    a.put("suppressed", alerts.suppressed());
    a.put("shortLived", alerts.shortLived());
    a.put("open", alerts.open());
    a.put("mismatches", mismatches);
    ObjectNode bySink = a.putObject("sinks");
    for (SinkStats s : sinks) {
      ObjectNode n = bySink.putObject(s.sink());
      n.put("delivered", s.delivered());
      n.put("retries", s.retries());
      n.put("failed", s.failed());
      n.put("rejected", s.rejected());
      n.put("dropped", s.dropped());
      n.put("abandoned", s.abandoned());
      n.put("pending", s.pending());
    }
    return root.toString();
  }

  private static ObjectNode node(ScanReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("scan", report.cycle());
    root.put("startedAt", report.startedAt().toString());
    root.put("durationMs", millis(report.duration()));
    root.put("sequentialEstimateMs", millis(report.sequentialEstimate()));
    root.put("speedup", round(report.speedup()));
    root.put("requests", report.requests());
    root.put("failed", report.failed());
    root.put("cancelled", report.cancelled());
    root.put("throttles", report.throttles());
    ObjectNode venues = root.putObject("venues");
    for (VenueReport v : report.venues().values()) {
      ObjectNode n = venues.putObject(v.venue());
      n.put("instruments", v.instruments());
      n.put("requests", v.requests());
      n.put("successes", v.successes());
      ObjectNode failures = n.putObject("failures");
      for (ErrorClass c : ErrorClass.values()) {
        failures.put(c.name().toLowerCase(Locale.ROOT), v.failures(c));
      }
      n.put("cancelled", v.cancelled());
      n.put("throttles", v.throttles());
      n.put("retries", v.retries());
      n.put("gaveUp", v.gaveUp());
      n.put("weightUsed", v.weightUsed());
      n.put("durationMs", millis(v.duration()));
      n.put("latencyP50Ms", millis(v.latencyP50()));
      n.put("latencyP99Ms", millis(v.latencyP99()));
      n.put("utilisation", round(v.utilisation()));
      n.put("rediscovered", v.rediscovered());
      n.put("passes", v.passes());
      n.put("lastPassMs", millis(v.lastPass()));
      StreamReport st = v.stream();
      if (st.state() != StreamReport.State.OFF) {
        ObjectNode sn = n.putObject("stream");
        sn.put("state", st.state().name().toLowerCase(Locale.ROOT));
        sn.put("liveBooks", st.liveBooks());
        sn.put("liveTickers", st.liveTickers());
        sn.put("updates", st.updates());
        sn.put("connects", st.connects());
        sn.put("disconnects", st.disconnects());
        ObjectNode resyncs = sn.putObject("resyncs");
        for (ResyncCause c : ResyncCause.values()) {
          resyncs.put(c.name().toLowerCase(Locale.ROOT), st.resyncs(c));
        }
        sn.put("rejected", st.rejected());
        sn.put("polled", st.polled());
      }
    }
    return root;
  }

  private static double millis(Duration d) {
    return round(d.toNanos() / 1e6);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
