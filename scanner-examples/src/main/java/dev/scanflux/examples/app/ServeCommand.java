package dev.scanflux.examples.app;

import dev.scanflux.core.Scan;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.MarketFeed;
import dev.scanflux.kafka.Shard;
import dev.scanflux.server.ScanServer;
import dev.scanflux.server.ScanTap;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code scanflux serve}: the scan of the main command (every scan flag applies), served over
 * HTTP by a {@link ScanServer}: the scan API, event streams, metrics and the dashboard. Venues of
 * the catalog the scan does not cover are answered by one-off scans (simulated, or live with
 * {@code --live}). The example strategies' signals become alerts as in the scan command (its
 * alert flags apply: console, Telegram, webhook), served at {@code /api/alerts} and on the
 * dashboard. Runs until interrupted, or for {@code --for}. With {@code --feed BOOTSTRAP} it
 * scans nothing itself: it serves a {@link MarketFeed}, what scanner nodes publish to Kafka,
 * each venue with its node's health (origin remote, stale when the node is not live).
 */
@Command(name = "scanflux serve", sortOptions = false, usageHelpAutoWidth = true,
    mixinStandardHelpOptions = true,
    description = "Scan as the main command does and serve the results over HTTP: "
        + "POST /api/scanner/scan, event streams, /metrics and a live dashboard at /. "
        + "Every scan flag applies. A --bind beyond 127.0.0.1 needs a token in "
        + "SCANFLUX_SERVER_TOKEN.")
final class ServeCommand implements Callable<Integer> {

  /** The environment variable that holds the server's token. */
  static final String TOKEN_ENV = "SCANFLUX_SERVER_TOKEN";

  @Option(names = "--port", defaultValue = "8080", description = "The port to serve on; 0 lets "
      + "the system choose (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String bind = "127.0.0.1";

  @Option(names = "--for", converter = Durations.class, paramLabel = "DURATION",
      description = "Serve this long, then stop (default: until interrupted).")
  @Nullable Duration serveFor;

  @Option(names = "--feed", paramLabel = "BOOTSTRAP", description = "Serve what scanner nodes "
      + "publish to these Kafka brokers (host:port[,...]; 'scanflux --kafka') instead of "
      + "scanning here; --topics picks the topics. Each venue shows its node's health.")
  @Nullable String feed;

  @Spec
  @Nullable CommandSpec spec;

  private final ScanfluxCommand scan;
  private final PrintStream out;
  private final boolean stopOnSignal;
  private boolean served;

  ServeCommand(ScanfluxCommand scan, PrintStream out, boolean stopOnSignal) {
    this.scan = scan;
    this.out = out;
    this.stopOnSignal = stopOnSignal;
  }

  /**
   * The {@code serve} subcommand, taking every option of the scan command too: each is a copy
   * bound to the scan command's field, so {@code scanflux serve --venue okx} sets what {@code
   * scanflux --venue okx} does. {@link ScanfluxApp#run} runs it instead of the scan command when
   * the first argument is {@code serve}.
   */
  static CommandLine line(ScanfluxCommand scan, PrintStream out, boolean stopOnSignal) {
    CommandLine parent = new CommandLine(scan);
    CommandLine serve = new CommandLine(new ServeCommand(scan, out, stopOnSignal));
    for (OptionSpec o : parent.getCommandSpec().options()) {
      if (!o.usageHelp() && !o.versionHelp()) {
        serve.getCommandSpec().addOption(o.toBuilder().build());
      }
    }
    return serve;
  }

  @Override
  public Integer call() throws Exception {
    scan.validate();
    if (scan.replay != null || scan.record != null || scan.jsonReport != null
        || scan.htmlReport != null) {
      throw new ParameterException(java.util.Objects.requireNonNull(spec).commandLine(),
          "serve takes no --replay, --record, --json-report or --html-report");
    }
    if (feed != null && (!scan.venues.isEmpty() || scan.kafka != null
        || !scan.shard.equals(Shard.ALL))) {
      throw new ParameterException(java.util.Objects.requireNonNull(spec).commandLine(),
          "serve --feed serves the venues the nodes publish: --venue, --kafka and --shard "
              + "belong on the scanner nodes");
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(java.util.Objects.requireNonNull(spec).commandLine(),
          "--port must be in [0, 65535] but was " + port);
    }
    List<AutoCloseable> resources = new ArrayList<>();
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> { // Ctrl-C: stop, and let the server and scanner close
      stop.countDown();
      try {
        finished.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "scanflux-serve-shutdown");
    if (stopOnSignal) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      serve(resources, stop);
    } finally {
      for (AutoCloseable r : resources) {
        r.close();
      }
      if (served) {
        out.println("scanflux: server stopped");
      }
      finished.countDown();
      if (stopOnSignal) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // Ctrl-C: the hook is running and waited for the resources to close.
        }
      }
    }
    return 0;
  }

  private void serve(List<AutoCloseable> resources, CountDownLatch stop)
      throws InterruptedException {
    Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    ScanTap tap = ScanTap.create();
    Scanner scanner = feed != null
        ? MarketFeed.builder(feed).topics(KafkaTopics.prefixed(scan.topics)).build()
        : scan.scanner(scan.venues.isEmpty() ? VenueCatalog.DEFAULT : scan.venues,
            scan.stream, !scan.quiet, limits, resources).listener(tap).build();
    resources.add(0, scanner);
    Scheduler alertClock = Schedulers.newSingle("scanflux-serve-alerts", true);
    Alerts alerts = scan.alertOptions.build(scan.env, scan.window, scan.quiet ? null : out,
        alertClock);
    AlertRun run = new AlertRun(alerts, lines -> { });
    scanner.scans().publishOn(alertClock) // strategies off the scanner's threads
        .transform(Strategies.all(scan.minEdge, scan.minChange))
        .transform(run.tap())
        .subscribe(s -> { }, e -> out.println("scanflux: alerts stopped: " + e.getMessage()));
    resources.add(1, run::finish); // after the scanner: its scans end, the alerts close
    resources.add(2, alertClock::dispose);
    Set<String> others = new LinkedHashSet<>(VenueCatalog.names());
    others.removeAll(limits.keySet());
    ScanServer.Builder builder = ScanServer.builder(scanner).port(port).bindAddress(bind)
        .limits(limits).priority(scan.priority)
        .threshold("min_edge", scan.minEdge, 0, 0.99)
        .threshold("min_change", scan.minChange, 0.0001, 9.99)
        .signals(t -> Strategies.all(t.get("min_edge"), t.get("min_change")))
        .alerts(alerts);
    if (feed == null) { // a feed has no requests to tap, and scans nothing itself
      builder.tap(tap).oneOff(others, this::oneOff);
    }
    String token = System.getenv(TOKEN_ENV);
    if (token != null && !token.isBlank()) {
      builder.token(token);
    }
    ScanServer server = builder.build();
    scanner.start();
    resources.add(0, server.start());
    served = true;
    String what = feed == null ? String.valueOf(scanner.venues())
        : "the Kafka feed of " + feed + " (topics " + scan.topics + ".*)";
    out.println("scanflux: serving " + what + " at " + server.url()
        + "/ (dashboard), API at " + server.url() + "/api/scanner/scan"
        + (serveFor == null ? "; Ctrl-C stops" : "; stopping after " + serveFor));
    if (serveFor == null) {
      stop.await();
    } else {
      stop.await(serveFor.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The server's one-off scanner: one cycle over fresh sources of the venues (simulated unless
   * --live, every scan flag applied, polled only), then closed.
   */
  private Mono<Scan> oneOff(List<String> venues) {
    return Mono.usingWhen(
        Mono.fromCallable(() -> {
          List<AutoCloseable> owned = new ArrayList<>();
          Scanner s = scan.scanner(venues, false, false, new LinkedHashMap<>(), owned)
              .maxCycles(1).build();
          owned.add(0, s);
          s.start();
          return new OneOff(s, owned);
        }).subscribeOn(Schedulers.boundedElastic()),
        o -> o.scanner().latest(),
        o -> Mono.fromRunnable(o::close).subscribeOn(Schedulers.boundedElastic()));
  }

  /** A one-off scanner and what it needs closed. */
  private record OneOff(Scanner scanner, List<AutoCloseable> resources) {
    void close() {
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing a one-off scan: " + e.getMessage(), e);
        }
      }
    }
  }
}
