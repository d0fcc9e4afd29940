package dev.scanflux.server;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.metrics.MicrometerScanListener;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.server.internal.Activity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;

/**
 * The part of a scanner a {@link ScanServer} can only see through a {@link ScanListener}: every
 * request (for each venue's pass progress, requests and weight per second, failures in a row and
 * the live timeline), every stream transition, and the Micrometer meters of {@link
 * MicrometerScanListener} for {@code GET /metrics}. Add it to the scanner's builder and give it
 * to the server:
 *
 * <pre>{@code
 * ScanTap tap = ScanTap.create();
 * Scanner scanner = Scanner.builder().venue(source).listener(tap).build().start();
 * ScanServer server = ScanServer.builder(scanner).tap(tap).build().start();
 * }</pre>
 *
 * <p>A server without a tap still serves scans, reports, books and tickers, from the scanner's hot
 * outputs; its venue rows then show the last completed pass only, and its metrics are the
 * server's own.
 *
 * <p>Thread-safe; its callbacks only count and append under short per-venue locks, and never
 * block.
 */
public final class ScanTap implements ScanListener {

  private final PrometheusMeterRegistry registry;
  private final MicrometerScanListener meters;
  private final Activity activity = new Activity();

  private ScanTap(PrometheusMeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.meters = new MicrometerScanListener(registry);
  }

  /** A tap with a Prometheus registry of its own. */
  public static ScanTap create() {
    return new ScanTap(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** A tap that records its meters in the given registry (shared with the application's). */
  public static ScanTap create(PrometheusMeterRegistry registry) {
    return new ScanTap(registry);
  }

  /** The registry its meters are in; the server adds its own and serves it. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  Activity activity() {
    return activity;
  }

  @Override
  public void onRequest(RequestEvent event) {
    activity.onRequest(event);
    meters.onRequest(event);
  }

  @Override
  public void onSnapshot(MarketSnapshot snapshot) {
    meters.onSnapshot(snapshot);
  }

  @Override
  public void onStreamTransition(StreamTransition transition) {
    activity.onStreamTransition(transition);
    meters.onStreamTransition(transition);
  }

  @Override
  public void onScan(Scan scan) {
    activity.onScan(scan);
    meters.onScan(scan);
  }

  @Override
  public String toString() {
    return "ScanTap{" + meters + '}';
  }
}
