package dev.scanflux.core.metrics;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.StreamReport;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a scanner's work to a Micrometer {@link MeterRegistry}:
 *
 * <ul>
 *   <li>{@code scanflux.requests} (timer; tags {@code venue}, {@code kind}, {@code outcome}
 *       = {@code success}, the failure class, or {@code cancelled} for a request the scanner
 *       cancelled before it ended): every request's round trip;
 *   <li>{@code scanflux.failures} (counter; tags {@code venue}, {@code class}): failed requests
 *       by class, {@code throttled} among them;
 *   <li>{@code scanflux.data.age} (timer; tag {@code venue}): how old each snapshot was when it
 *       arrived, from the venue's timestamp to the receive time;
 *   <li>{@code scanflux.cycle} (timer; tag {@code venue}): each venue's share of a cycle;
 *   <li>{@code scanflux.stream.transitions} (counter; tags {@code venue}, {@code type} =
 *       {@code connected}, {@code disconnected}, {@code resync} or {@code rejected}, and
 *       {@code cause} = the resync cause or {@code none}): every change of a push stream;
 *   <li>{@code scanflux.stream.live} (gauge; tags {@code venue}, {@code kind} = {@code book}
 *       or {@code ticker}): instruments the stream kept live at the last scan, so not polled;
 *   <li>{@code scanflux.stream.polled} (counter; tag {@code venue}): fetches polled over REST
 *       because a streamed venue's stream did not cover them (the fallback);
 *   <li>{@code scanflux.listener.failures} (gauge): listener callbacks that threw since the
 *       scanner started, as of the last scan ({@link dev.scanflux.core.ScanReport#listenerFailures}).
 * </ul>
 *
 * <pre>{@code
 * Scanner scanner = Scanner.builder().venue(source)
 *     .listener(new MicrometerScanListener(registry))
 *     .build();
 * }</pre>
 *
 * <p>Meters are created once per tag set and cached; recording allocates nothing else.
 * Thread-safe.
 */
public final class MicrometerScanListener implements ScanListener {

  private final MeterRegistry registry;
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();
  private final Map<String, Timer> dataAge = new ConcurrentHashMap<>();
  private final Map<String, Timer> cycles = new ConcurrentHashMap<>();
  private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> live = new ConcurrentHashMap<>();
  private final Map<String, Counter> polled = new ConcurrentHashMap<>();
  private final AtomicLong listenerFailures = new AtomicLong();

  /**
   * @param registry where the meters go
   */
  public MicrometerScanListener(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    Gauge.builder("scanflux.listener.failures", listenerFailures, AtomicLong::get)
        .description("Scan listener callbacks that threw since the scanner started")
        .register(registry);
  }

  @Override
  public void onRequest(RequestEvent e) {
    String outcome = e.cancelled() ? "cancelled"
        : e.failure() == null ? "success" : name(e.failure());
    requestTimers.computeIfAbsent(e.venue() + '|' + e.kind() + '|' + outcome,
            k -> Timer.builder("scanflux.requests")
                .description("Round trip of requests to a venue")
                .tags("venue", e.venue(), "kind", e.kind().name().toLowerCase(Locale.ROOT),
                    "outcome", outcome)
                .register(registry))
        .record(e.roundTrip());
    if (e.failure() != null) {
      String cls = name(e.failure());
      failures.computeIfAbsent(e.venue() + '|' + cls,
              k -> Counter.builder("scanflux.failures")
                  .description("Failed requests by class")
                  .tags("venue", e.venue(), "class", cls)
                  .register(registry))
          .increment();
    }
  }

  @Override
  public void onSnapshot(MarketSnapshot s) {
    Duration age = Duration.between(s.exchangeTime(), s.receivedAt());
    dataAge.computeIfAbsent(s.venue(),
            v -> Timer.builder("scanflux.data.age")
                .description("Age of snapshots on arrival, from the venue's timestamp")
                .tag("venue", v)
                .register(registry))
        .record(age.isNegative() ? Duration.ZERO : age);
  }

  @Override
  public void onScan(Scan scan) {
    listenerFailures.set(scan.report().listenerFailures());
    for (VenueReport r : scan.report().venues().values()) {
      cycles.computeIfAbsent(r.venue(),
              v -> Timer.builder("scanflux.cycle")
                  .description("Time each venue took in a scan cycle")
                  .tag("venue", v)
                  .register(registry))
          .record(r.duration());
      StreamReport st = r.stream();
      if (st.state() != StreamReport.State.OFF) {
        live(r.venue(), "book").set(st.liveBooks());
        live(r.venue(), "ticker").set(st.liveTickers());
        polled.computeIfAbsent(r.venue(),
                v -> Counter.builder("scanflux.stream.polled")
                    .description("Fetches polled because the venue's stream did not cover them")
                    .tag("venue", v)
                    .register(registry))
            .increment(st.polled());
      }
    }
  }

  @Override
  public void onStreamTransition(StreamTransition t) {
    String type = t.type().name().toLowerCase(Locale.ROOT);
    String cause = t.cause() == null ? "none" : t.cause().name().toLowerCase(Locale.ROOT);
    transitions.computeIfAbsent(t.venue() + '|' + type + '|' + cause,
            k -> Counter.builder("scanflux.stream.transitions")
                .description("Push stream connections, drops, resyncs and rejected messages")
                .tags("venue", t.venue(), "type", type, "cause", cause)
                .register(registry))
        .increment();
  }

  private AtomicInteger live(String venue, String kind) {
    return live.computeIfAbsent(venue + '|' + kind, k -> {
      AtomicInteger value = new AtomicInteger();
      Gauge.builder("scanflux.stream.live", value, AtomicInteger::get)
          .description("Instruments whose stream was live at the last scan")
          .tags("venue", venue, "kind", kind)
          .register(registry);
      return value;
    });
  }

  private static String name(ErrorClass c) {
    return c.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "MicrometerScanListener{" + registry.getClass().getSimpleName() + '}';
  }
}
