package dev.scanflux.examples.app;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.UniverseFilter;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.RecordingWriter;
import dev.scanflux.core.replay.Replay;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The {@code scanflux} command: options, then one scan session (or a replay). */
@Command(name = "scanflux", mixinStandardHelpOptions = true, version = "scanflux 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Scans many exchanges at once under each one's rate limit, priority "
        + "instruments first, and shows what the example strategies find. With no --venue it "
        + "runs on the embedded venue simulator (no network); --live reaches the real exchanges.")
final class ScanfluxCommand implements Callable<Integer> {

  @Option(names = "--venue", paramLabel = "NAME[=BASE_URL]",
      description = "A venue to scan (repeatable): simulated, or at BASE_URL, or live with "
          + "--live. Default: simulated binance, okx, bybit, kucoin and kraken.")
  List<String> venues = new ArrayList<>();

  @Option(names = "--live", description = "Reach the real exchange for venues given without a URL.")
  boolean live;

  @Option(names = "--stream", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Use a venue's push stream where it has one, polling only what the stream "
          + "does not keep live; --no-stream polls everything (default: stream).")
  boolean stream = true;

  @Option(names = "--stream-url", paramLabel = "NAME=WS_URL",
      description = "The push stream of a venue given with a BASE_URL (such a venue is polled "
          + "only without it).")
  Map<String, String> streamUrls = new LinkedHashMap<>();

  @Option(names = "--symbols", split = ",", paramLabel = "SYMBOL",
      description = "Scan only these instruments, e.g. BTC/USDT,ETH/USDT:perp (default: discover).")
  List<String> symbols = new ArrayList<>();

  @Option(names = "--priority", split = ",", paramLabel = "BASE", defaultValue = "BTC,ETH,SOL",
      description = "Bases fetched first on every venue (default: ${DEFAULT-VALUE}).")
  List<String> priority = new ArrayList<>();

  @Option(names = "--concurrency", paramLabel = "NAME=N",
      description = "Requests in flight on a venue (default: the preset's).")
  Map<String, Integer> concurrency = new LinkedHashMap<>();

  @Option(names = "--rate", paramLabel = "NAME=WEIGHT/WINDOW",
      description = "Override a venue's rate limit, e.g. binance=1200/10s.")
  Map<String, String> rates = new LinkedHashMap<>();

  @Option(names = "--depth", defaultValue = "20", description = "Book levels per side "
      + "(default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--interval", defaultValue = "1s", converter = Durations.class,
      paramLabel = "DURATION", description = "Pause between cycles; 0s allowed "
      + "(default: ${DEFAULT-VALUE}).")
  Duration interval = Duration.ofSeconds(1);

  @Option(names = "--cycles", defaultValue = "0", description = "Stop after N cycles; 0 runs "
      + "until interrupted (default: ${DEFAULT-VALUE}).")
  long cycles;

  @Option(names = "--quote", split = ",", paramLabel = "CCY",
      description = "Only instruments quoted in these, e.g. USDT,USDC.")
  List<String> quotes = new ArrayList<>();

  @Option(names = "--exclude", split = ",", paramLabel = "BASE|SYMBOL",
      description = "Never scan these bases or symbols.")
  List<String> exclude = new ArrayList<>();

  @Option(names = "--min-volume", converter = Amounts.class, paramLabel = "AMOUNT",
      defaultValue = "0", description = "Minimum 24 h quote volume, e.g. 1M (default: none).")
  double minVolume;

  @Option(names = "--window", defaultValue = "5s", converter = Durations.class,
      paramLabel = "DURATION", description = "Strategies see the snapshots of each window of "
      + "this length, live and in replay alike (default: ${DEFAULT-VALUE}).")
  Duration window = Duration.ofSeconds(5);

  @Option(names = "--min-edge", defaultValue = "0.0005", paramLabel = "FRACTION",
      description = "Cross-venue spreads must beat fees by this much (default: ${DEFAULT-VALUE}).")
  double minEdge;

  @Option(names = "--min-change", defaultValue = "0.02", paramLabel = "FRACTION",
      description = "24 h movers must have moved this much (default: ${DEFAULT-VALUE}).")
  double minChange;

  @Option(names = "--sim-instruments", defaultValue = "200", paramLabel = "N",
      description = "Instruments per simulated venue (default: ${DEFAULT-VALUE}).")
  int simInstruments;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulated market "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--record", paramLabel = "FILE",
      description = "Record every snapshot to FILE (JSON Lines; gzipped if it ends in .gz).")
  @Nullable Path record;

  @Option(names = "--replay", paramLabel = "FILE",
      description = "Replay a recording through the strategies instead of scanning.")
  @Nullable Path replay;

  @Option(names = "--json-report", paramLabel = "FILE",
      description = "Write one JSON object per cycle to FILE.")
  @Nullable Path jsonReport;

  @Option(names = "--html-report", paramLabel = "FILE",
      description = "Write a self-contained HTML timeline of every request to FILE at the end.")
  @Nullable Path htmlReport;

  @Option(names = "--signals", description = "Print every strategy signal as a line (piped "
      + "output; a terminal shows the top ones live).")
  boolean printSignals;

  @Option(names = "--quiet", description = "Print only the final report.")
  boolean quiet;

  @Mixin
  AlertOptions alertOptions = new AlertOptions();

  /** Where the alert secrets are read from; the process environment unless a test says. */
  Map<String, String> env = System.getenv();

  @Spec
  @Nullable CommandSpec spec;

  private final PrintStream out;
  private final boolean stopOnSignal;

  ScanfluxCommand(PrintStream out, boolean stopOnSignal) {
    this.out = out;
    this.stopOnSignal = stopOnSignal;
  }

  @Override
  public Integer call() throws Exception {
    validate();
    if (replay != null) {
      return replay(replay);
    }
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      return scan(resources);
    } finally {
      for (AutoCloseable r : resources) {
        r.close();
      }
    }
  }

  private void validate() {
    check(depth >= 1 && depth <= VenueOptions.MAX_DEPTH, "--depth must be in [1, "
        + VenueOptions.MAX_DEPTH + "] but was " + depth);
    check(cycles >= 0, "--cycles must be 0 or more but was " + cycles);
    check(!interval.isNegative(), "--interval must not be negative but was " + interval);
    check(!window.isNegative() && !window.isZero(), "--window must be positive");
    check(minEdge >= 0 && minEdge < 1, "--min-edge must be in [0, 1) but was " + minEdge);
    check(minChange > 0 && minChange < 10, "--min-change must be in (0, 10) but was " + minChange);
    check(simInstruments >= 1 && simInstruments <= 5000,
        "--sim-instruments must be in [1, 5000] but was " + simInstruments);
    String alertProblem = alertOptions.problem(env);
    check(alertProblem == null, String.valueOf(alertProblem));
    if (replay != null) {
      check(venues.isEmpty() && record == null && jsonReport == null && htmlReport == null
          && !live, "--replay runs the strategies over a recording: it takes no --venue, --live, "
          + "--record, --json-report or --html-report");
      check(Files.isReadable(replay), "--replay: cannot read " + replay);
    }
    for (String v : venues) {
      String name = v.contains("=") ? v.substring(0, v.indexOf('=')) : v;
      try {
        VenueCatalog.get(name.strip().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw usage("--venue: " + e.getMessage());
      }
    }
    for (String s : symbols) {
      try {
        Instrument.parse(s);
      } catch (IllegalArgumentException e) {
        throw usage("--symbols: " + e.getMessage());
      }
    }
    for (Map.Entry<String, String> u : streamUrls.entrySet()) {
      String name = u.getKey().strip().toLowerCase(Locale.ROOT);
      check(venues.stream().anyMatch(v -> v.contains("=")
              && v.substring(0, v.indexOf('=')).strip().toLowerCase(Locale.ROOT).equals(name)),
          "--stream-url " + u.getKey() + ": give the venue with --venue " + u.getKey()
              + "=BASE_URL too");
      check(u.getValue().startsWith("ws://") || u.getValue().startsWith("wss://"),
          "--stream-url " + u.getKey() + ": the URL must start with ws:// or wss://");
      check(VenueCatalog.get(name).preset().get().hasStream(),
          "--stream-url " + u.getKey() + ": the venue has no push stream");
    }
    for (Map.Entry<String, String> r : rates.entrySet()) {
      try {
        RateLimitSpec.parse(r.getValue());
      } catch (IllegalArgumentException e) {
        throw usage("--rate " + r.getKey() + ": " + e.getMessage());
      }
    }
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw usage(message);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(java.util.Objects.requireNonNull(spec).commandLine(), message);
  }

  private int replay(Path file) {
    long count = Replay.of(file)
        .transform(Replay.scans(window))
        .transform(Strategies.all(minEdge, minChange))
        .doOnNext(s -> out.println(Strategies.line(s)))
        .count()
        .blockOptional().orElse(0L);
    out.println("replayed " + file + ": " + count + " signals");
    return 0;
  }

  private int scan(List<AutoCloseable> resources) throws Exception {
    List<String> names = venues.isEmpty() ? VenueCatalog.DEFAULT : venues;
    Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    Scanner.Builder builder = Scanner.builder().priority(priority).interval(interval)
        .maxCycles(cycles).filter(filter());
    for (String spec : names) {
      VenueSetup setup = VenueSetup.resolve(spec, live, simInstruments, seed, stream,
          streamUrls, resources);
      MarketSource source = setup.source();
      VenueOptions.Builder options = VenueOptions.custom().depth(depth)
          .stream(setup.streamed());
      Integer c = concurrency.get(setup.name());
      if (c != null) {
        options.concurrency(c);
      }
      RateLimitSpec limit = source.rateLimit();
      String rate = rates.get(setup.name());
      if (rate != null) {
        RateLimitSpec parsed = RateLimitSpec.parse(rate);
        limit = limit.withBudget(parsed.budget(), parsed.window());
        options.rateLimit(limit);
      }
      if (!symbols.isEmpty()) {
        options.instruments(symbols.stream().map(Instrument::parse).toList());
      }
      limits.put(setup.name(), limit);
      builder.venue(source, options.build());
      if (!quiet) {
        out.println(setup.name() + ": " + setup.where());
      }
    }

    LiveView live = new LiveView(limits);
    TimelineReport timeline = new TimelineReport(limits, 200_000);
    Sinks.Many<MarketSnapshot> forStrategies = Sinks.many().unicast().onBackpressureBuffer();
    Sinks.Many<MarketSnapshot> forRecorder = Sinks.many().unicast().onBackpressureBuffer();
    boolean recording = record != null;
    ScanListener tap = new ScanListener() { // lossless, unlike snapshots(): nothing conflated
      @Override
      public void onSnapshot(MarketSnapshot s) {
        forStrategies.tryEmitNext(s);
        if (recording) {
          forRecorder.tryEmitNext(s);
        }
      }
    };
    Scanner scanner = builder.listener(live).listener(timeline).listener(tap).build();
    resources.add(0, scanner);
    boolean terminal = !quiet && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    Scheduler io = Schedulers.newSingle("scanflux-app-io", true);
    resources.add(1, io::dispose);

    Mono<Long> recorded = record == null ? Mono.just(0L)
        : RecordingWriter.builder(record).venues(new ArrayList<>(limits.keySet())).build()
            .write(forRecorder.asFlux()).cache();
    Disposable recorder = recorded.subscribe(n -> { }, e -> out.println(
        "scanflux: recording failed: " + e.getMessage()));
    AlertRun alerts = new AlertRun(alertOptions.build(env, window,
        quiet || terminal ? null : out, io), live::alerts);
    if (!quiet && !terminal) {
      out.println(Strategies.thresholds(minEdge, minChange) + "; alerts after "
          + alertOptions.minLifetime.toSeconds() + " s, cooldown "
          + alertOptions.cooldown.toMinutes() + " min");
    }
    Mono<Long> signals = forStrategies.asFlux().publishOn(io) // strategies off the scan thread
        .transform(Replay.scans(window))
        .transform(Strategies.all(minEdge, minChange))
        .doOnNext(s -> {
          if (printSignals && !quiet && !terminal) {
            out.println(Strategies.line(s));
          }
        })
        .transform(Strategies.top(live::opportunities))
        .transform(alerts.tap())
        .count()
        .cache();
    Disposable strategies = signals.subscribe();
    Mono<Void> reports = scanner.scans().publishOn(io)
        .doOnNext(scan -> report(scan, terminal))
        .transform(scans -> json(scans, alerts))
        .then()
        .cache();
    reports.subscribe();
    Instant started = Instant.now();
    Disposable redraw = terminal ? Flux.interval(Duration.ofMillis(250), io)
        .subscribe(t -> out.print("\033[H\033[2J" + live.frame(Instant.now(),
            Duration.between(started, Instant.now()))))
        : () -> { };

    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      scanner.close();
      try {
        finished.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "scanflux-shutdown");
    if (stopOnSignal) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      scanner.start();
      Scan last = scanner.scans().blockLast();
      scanner.close();
      redraw.dispose();
      forStrategies.tryEmitComplete();
      forRecorder.tryEmitComplete();
      long signalCount = signals.block(Duration.ofSeconds(30));
      alerts.finish();
      long snapshots = recorded.block(Duration.ofSeconds(60));
      reports.block(Duration.ofSeconds(30));
      if (htmlReport != null) {
        Files.writeString(htmlReport, timeline.render("Scanflux scan timeline", Instant.now()));
      }
      finalReport(last, signalCount, snapshots, alerts);
      recorder.dispose();
      strategies.dispose();
      return 0;
    } finally {
      finished.countDown();
      if (stopOnSignal) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // Ctrl-C: the hook is running and waits for this method to finish; that is the point.
        }
      }
    }
  }

  private UniverseFilter filter() {
    UniverseFilter.Builder f = UniverseFilter.custom()
        .quotes(quotes.toArray(String[]::new))
        .exclude(exclude.toArray(String[]::new))
        .minQuoteVolume24h(minVolume);
    return f.build();
  }

  /** Plain output: one line per cycle, and a clear word about any venue that got nothing. */
  private void report(Scan scan, boolean terminal) {
    if (quiet || terminal) {
      return;
    }
    out.println(LiveView.line(scan.report()));
    for (VenueReport v : scan.report().venues().values()) {
      if (v.successes() == 0 && v.failed() > 0) {
        out.println("  " + v.venue() + ": unreachable or failing this cycle ("
            + v.failed() + " failed requests: " + v.failures() + "); the other venues go on");
      }
    }
  }

  private Flux<Scan> json(Flux<Scan> scans, AlertRun alerts) {
    if (jsonReport == null) {
      return scans;
    }
    Path file = jsonReport;
    return Flux.using(() -> Files.newBufferedWriter(file),
        writer -> scans.doOnNext(scan -> writeLine(writer, ReportJson.line(scan.report(),
            alerts.stats(), alerts.sinks(), alerts.mismatches()))),
        writer -> close(writer));
  }

  private static void writeLine(BufferedWriter writer, String line) {
    try {
      writer.write(line);
      writer.newLine();
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void close(BufferedWriter writer) {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void finalReport(@Nullable Scan last, long signalCount, long snapshots,
      AlertRun alerts) {
    out.println();
    out.println("Final report");
    if (last == null) {
      out.println("  no cycle completed");
    } else {
      out.println("  " + LiveView.line(last.report()));
      last.report().venues().values().stream()
          .sorted(Comparator.comparing(VenueReport::venue))
          .forEach(v -> out.println(String.format(Locale.ROOT,
              "  %-12s %4d instruments %6d requests %6d ok %4d failed %3d throttled "
                  + "%4d retries p50 %6.1f ms p99 %6.1f ms utilisation %3.0f%%",
              v.venue(), v.instruments(), v.requests(), v.successes(), v.failed(),
              v.throttles(), v.retries(), v.latencyP50().toNanos() / 1e6,
              v.latencyP99().toNanos() / 1e6, v.utilisation() * 100)));
    }
    out.println("  " + signalCount + " signals from " + Strategies.NAMES);
    out.println("  " + alerts.summary());
    alerts.sinkLines().forEach(line -> out.println("    " + line));
    if (record != null) {
      out.println("  recorded " + snapshots + " snapshots to " + record);
    }
    if (jsonReport != null) {
      out.println("  JSON report: " + jsonReport);
    }
    if (htmlReport != null) {
      out.println("  HTML timeline: " + htmlReport);
    }
  }
}
