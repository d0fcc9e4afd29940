package dev.scanflux.examples.app;

import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.spi.UrlRedaction;
import dev.scanflux.core.UniverseFilter;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.Replay;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.kafka.KafkaPublisher;
import dev.scanflux.kafka.KafkaTopics;
import dev.scanflux.kafka.Shard;
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
import picocli.CommandLine.ScopeType;
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
    subcommands = FeedCommand.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = "Scans many exchanges at once under each one's rate limit, priority "
        + "instruments first, and shows what the example strategies find. With no --venue it "
        + "runs on the embedded venue simulator (no network); --live reaches the real exchanges.",
    footer = "%n'scanflux serve [--port N] [--bind ADDRESS] [--for DURATION] [these options]' "
        + "serves the scan over HTTP with a live dashboard (scanflux serve --help).")
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
      paramLabel = "DURATION", description = "Least time between two fetches of one ordinary "
      + "instrument; 0s runs every venue continuously at its limit (default: ${DEFAULT-VALUE}).")
  Duration interval = Duration.ofSeconds(1);

  @Option(names = "--priority-refresh", defaultValue = "1s", converter = Durations.class,
      paramLabel = "DURATION", description = "Each priority instrument is refreshed at least "
      + "this often, where the venue's budget allows (default: ${DEFAULT-VALUE}).")
  Duration priorityRefresh = Duration.ofSeconds(1);

  @Option(names = "--cycles", defaultValue = "0", description = "Stop after N scans (each "
      + "after a pass of every venue); 0 runs until interrupted (default: ${DEFAULT-VALUE}).")
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
      scope = ScopeType.INHERIT,
      description = "Cross-venue spreads must beat fees by this much (default: ${DEFAULT-VALUE}).")
  double minEdge;

  @Option(names = "--min-change", defaultValue = "0.02", paramLabel = "FRACTION",
      scope = ScopeType.INHERIT,
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

  @Option(names = "--record-max-size", converter = Amounts.class, paramLabel = "SIZE",
      defaultValue = "0", description = "Rotate the recording when it reaches SIZE bytes, e.g."
      + " 500M: FILE becomes FILE.1 and a new FILE begins (default: no limit).")
  double recordMaxSizeBytes;

  private long recordMaxSize;

  @Option(names = "--replay", paramLabel = "FILE",
      description = "Replay a recording through the strategies instead of scanning.")
  @Nullable Path replay;

  @Option(names = "--json-report", paramLabel = "FILE",
      description = "Write one JSON object per scan to FILE (fields: docs/app.md).")
  @Nullable Path jsonReport;

  @Option(names = "--html-report", paramLabel = "FILE",
      description = "Write a self-contained HTML timeline of every request to FILE at the end.")
  @Nullable Path htmlReport;

  @Option(names = "--signals", scope = ScopeType.INHERIT,
      description = "Print every strategy signal as a line (piped "
      + "output; a terminal shows the top ones live).")
  boolean printSignals;

  @Option(names = "--quiet", description = "Print only the final report.")
  boolean quiet;

  @Option(names = "--verbose", description = "On a failure, print its stack trace too.")
  boolean verbose;

  // Kafka (scanner-kafka): publish to a broker, scan a shard of the venues
  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", description = "Publish every snapshot "
      + "and scan to these Kafka brokers (host:port[,...]); read them with 'scanflux feed'.")
  @Nullable String kafka;

  @Option(names = "--node", paramLabel = "NAME", description = "This node's name on Kafka "
      + "(default: scanflux-INDEX-of-COUNT with --shard, else scanflux).")
  @Nullable String node;

  @Option(names = "--shard", paramLabel = "INDEX/COUNT", converter = ShardConverter.class,
      description = "Scan only this node's share of the venues, e.g. 2/3: the venues sorted by "
          + "name and dealt round-robin (default: all).")
  Shard shard = Shard.ALL;

  @Option(names = "--topics", defaultValue = KafkaTopics.DEFAULT_PREFIX, paramLabel = "PREFIX",
      scope = ScopeType.INHERIT,
      description = "Kafka topics' prefix (default: ${DEFAULT-VALUE}).")
  String topics = KafkaTopics.DEFAULT_PREFIX;

  /** Parses --shard with the Shard's own message. */
  static final class ShardConverter implements picocli.CommandLine.ITypeConverter<Shard> {
    @Override
    public Shard convert(String value) {
      return Shard.parse(value);
    }
  }

  @Mixin
  AlertOptions alertOptions = new AlertOptions();

  /** Where the alert secrets are read from; the process environment unless a test says. */
  Map<String, String> env = System.getenv();

  @Spec
  @Nullable CommandSpec spec;

  /** Piped, a progress line is printed when nothing was for this long. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  private final java.util.concurrent.atomic.AtomicLong lastLine =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
  private final PrintStream out;
  private final boolean stopOnSignal;

  ScanfluxCommand(PrintStream out, boolean stopOnSignal) {
    this.out = out;
    this.stopOnSignal = stopOnSignal;
  }

  /** Where subcommands print. */
  PrintStream out() {
    return out;
  }

  /** Whether subcommands stop cleanly on Ctrl-C. */
  boolean stopOnSignal() {
    return stopOnSignal;
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

  void validate() {
    check(depth >= 1 && depth <= VenueOptions.MAX_DEPTH, "--depth must be in [1, "
        + VenueOptions.MAX_DEPTH + "] but was " + depth);
    check(cycles >= 0, "--cycles must be 0 or more but was " + cycles);
    check(!interval.isNegative(), "--interval must not be negative but was " + interval);
    check(!priorityRefresh.isNegative() && !priorityRefresh.isZero()
        && priorityRefresh.compareTo(Duration.ofHours(1)) <= 0,
        "--priority-refresh must be more than 0s and at most 1h but was " + priorityRefresh);
    check(!window.isNegative() && !window.isZero(), "--window must be positive");
    check(minEdge >= 0 && minEdge < 1, "--min-edge must be in [0, 1) but was " + minEdge);
    check(minChange > 0 && minChange < 10, "--min-change must be in (0, 10) but was " + minChange);
    check(simInstruments >= 1 && simInstruments <= 5000,
        "--sim-instruments must be in [1, 5000] but was " + simInstruments);
    check(recordMaxSizeBytes == 0 || (record != null && recordMaxSizeBytes >= 1_000),
        "--record-max-size " + (long) recordMaxSizeBytes + ": needs --record and at least 1k");
    recordMaxSize = (long) recordMaxSizeBytes;
    String alertProblem = alertOptions.problem(env);
    check(alertProblem == null, String.valueOf(alertProblem));
    if (replay != null) {
      check(venues.isEmpty() && record == null && jsonReport == null && htmlReport == null
          && !live, "--replay runs the strategies over a recording: it takes no --venue, --live, "
          + "--record, --json-report or --html-report");
      String unreadable = unreadable(replay);
      check(unreadable == null, "--replay " + replay + ": cannot read it (" + unreadable + ")");
    }
    List<String> names = new ArrayList<>();
    for (String v : venues) {
      String name = venueName(v);
      check(!UrlRedaction.hasUserInfo(v), "--venue " + v + ": the URL carries a user name or"
          + " password, which Scanflux never sends (and never prints); give the URL without them");
      try {
        VenueCatalog.Entry venue = VenueCatalog.get(name);
        if (v.contains("=")) { // the preset's own checks of the URL, before anything starts
          venue.preset().get().baseUrl(v.substring(v.indexOf('=') + 1).strip());
        }
      } catch (IllegalArgumentException e) {
        throw usage("--venue " + v + ": " + e.getMessage());
      }
      check(!names.contains(name), "--venue " + v + ": " + name + " is given twice");
      names.add(name);
    }
    if (names.isEmpty()) {
      names.addAll(VenueCatalog.DEFAULT);
    }
    for (Map.Entry<String, Integer> c : concurrency.entrySet()) {
      String name = c.getKey().strip().toLowerCase(Locale.ROOT);
      check(names.contains(name), "--concurrency " + c.getKey() + "=" + c.getValue() + ": "
          + name + " is not scanned (venues: " + String.join(", ", names) + ")");
      check(c.getValue() >= 1 && c.getValue() <= VenueOptions.MAX_CONCURRENCY, "--concurrency "
          + c.getKey() + "=" + c.getValue() + ": must be in [1, " + VenueOptions.MAX_CONCURRENCY
          + "]");
    }
    for (String r : rates.keySet()) {
      String name = r.strip().toLowerCase(Locale.ROOT);
      check(names.contains(name), "--rate " + r + "=" + rates.get(r) + ": " + name
          + " is not scanned (venues: " + String.join(", ", names) + ")");
    }
    for (String s : symbols) {
      try {
        Instrument.parse(s);
      } catch (IllegalArgumentException e) {
        throw usage("--symbols " + s + ": " + e.getMessage());
      }
    }
    for (Map.Entry<String, String> u : streamUrls.entrySet()) {
      String name = u.getKey().strip().toLowerCase(Locale.ROOT);
      check(venues.stream().anyMatch(v -> v.contains("=")
              && v.substring(0, v.indexOf('=')).strip().toLowerCase(Locale.ROOT).equals(name)),
          "--stream-url " + u.getKey() + ": give the venue with --venue " + u.getKey()
              + "=BASE_URL too");
      check(!UrlRedaction.hasUserInfo(u.getValue()), "--stream-url " + u.getKey() + "="
          + u.getValue() + ": the URL carries a user name or password, which Scanflux never"
          + " sends (and never prints); give the URL without them");
      check(u.getValue().startsWith("ws://") || u.getValue().startsWith("wss://"),
          "--stream-url " + u.getKey() + ": the URL must start with ws:// or wss://");
      check(VenueCatalog.get(name).preset().get().hasStream(),
          "--stream-url " + u.getKey() + ": the venue has no push stream");
      try {
        VenueCatalog.get(name).preset().get().streamUrl(u.getValue());
      } catch (IllegalArgumentException e) {
        throw usage("--stream-url " + u.getKey() + "=" + u.getValue() + ": " + e.getMessage());
      }
    }
    for (Map.Entry<String, String> r : rates.entrySet()) {
      try {
        RateLimitSpec.parse(r.getValue());
      } catch (IllegalArgumentException e) {
        throw usage("--rate " + r.getKey() + "=" + r.getValue() + ": " + e.getMessage());
      }
    }
  }

  /** Why a file cannot be read, in words; null if it can. */
  static @Nullable String unreadable(Path file) {
    if (Files.isDirectory(file)) {
      return "it is a directory";
    }
    try (var in = Files.newInputStream(file)) {
      in.available();
      return null;
    } catch (java.nio.file.NoSuchFileException e) {
      return "no such file";
    } catch (java.nio.file.AccessDeniedException e) {
      return "permission denied";
    } catch (IOException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  /** The lower-case venue name of a {@code --venue NAME[=BASE_URL]}. */
  static String venueName(String spec) {
    int eq = spec.indexOf('=');
    return (eq < 0 ? spec : spec.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw usage(message);
    }
  }

  private ParameterException usage(String message) {
    // a flag's value may be a URL with credentials: they never reach the terminal
    return new ParameterException(java.util.Objects.requireNonNull(spec).commandLine(),
        UrlRedaction.redact(message));
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
    List<String> names = KafkaSetup.shard(venues.isEmpty() ? VenueCatalog.DEFAULT : venues,
        shard);
    check(!names.isEmpty(), "--shard " + shard + " leaves this node no venue");
    Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    Scanner.Builder builder = scanner(names, stream, !quiet, limits, resources);

    java.util.concurrent.atomic.AtomicReference<@Nullable Scanner> built =
        new java.util.concurrent.atomic.AtomicReference<>();
    Progress progress = new Progress(new ArrayList<>(limits.keySet()), v -> {
      Scanner s = built.get();
      return s == null ? List.of() : s.view().health(v);
    });
    LiveView live = new LiveView(limits, progress, System::nanoTime);
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
    Scanner scanner = builder.listener(live).listener(timeline).listener(tap)
        .listener(progress).build();
    built.set(scanner);
    resources.add(0, scanner);
    String nodeName = node != null ? node
        : shard.equals(Shard.ALL) ? "scanflux" : "scanflux-" + shard.index() + "-of-" + shard.count();
    KafkaPublisher publisher = kafka == null ? null : KafkaPublisher.builder(kafka)
        .topics(KafkaTopics.prefixed(topics)).node(nodeName).build();
    if (publisher != null) {
      resources.add(publisher); // closed after the scanner: what is buffered is sent
      publisher.publish(scanner);
    }
    boolean terminal = !quiet && System.console() != null && !"dumb".equals(System.getenv("TERM"));
    Scheduler io = Schedulers.newSingle("scanflux-app-io", true);
    resources.add(1, io::dispose);

    Recorder recorder = record == null ? null
        : new Recorder(record, recordMaxSize, new ArrayList<>(limits.keySet()));
    if (recorder != null && !quiet) {
      out.println(recorder.announce());
    }
    Mono<Long> recorded = recorder == null ? Mono.just(0L)
        : recorder.write(forRecorder.asFlux()).cache();
    Disposable recordingRun = recorded.subscribe(n -> { }, e -> out.println(
        "scanflux: recording failed: " + e.getMessage()));
    AlertRun alerts = new AlertRun(alertOptions.build(env, window,
        quiet || terminal ? null : out, io,
        publisher == null ? List.of() : List.of(publisher.alerts())), live::alerts,
        timeline::alert);
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
    long started = System.nanoTime();
    Disposable redraw = terminal ? Screen.show(out, io, () -> {
      int width = Screen.width();
      List<String> frame = new ArrayList<>(live.frame(width,
          Duration.ofNanos(System.nanoTime() - started)));
      if (recorder != null) {
        frame.add(LiveView.fit(recorder.status(), width));
      }
      return frame;
    })
        : quiet ? () -> { } : Flux.interval(Duration.ofSeconds(1), io).subscribe(t -> {
          if (System.nanoTime() - lastLine.get() >= PROGRESS_EVERY.toNanos()) {
            out.println(progress.line(Duration.ofNanos(System.nanoTime() - started)));
            if (recorder != null) {
              out.println(recorder.status());
            }
            lastLine.set(System.nanoTime());
          }
        });

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
      finalReport(last, live, signalCount, snapshots, alerts, recorder);
      if (publisher != null) {
        publisher.close();
        out.println("  " + KafkaSetup.line(kafka, nodeName, publisher.report()));
      }
      recordingRun.dispose();
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

  /**
   * A scanner builder over these {@code --venue} specs with every scan flag applied; the venues'
   * rate limits go to {@code limits}, simulators to close to {@code resources}. With
   * {@code --symbols}, each venue is asked what it lists first: a venue is warned about (by name)
   * for the symbols it does not list and left out if it lists none; if no venue lists any, the
   * invocation is refused.
   */
  Scanner.Builder scanner(List<String> names, boolean streams, boolean announce,
      Map<String, RateLimitSpec> limits, List<AutoCloseable> resources) {
    Scanner.Builder builder = Scanner.builder().priority(priority).interval(interval)
        .priorityRefresh(priorityRefresh).maxCycles(cycles).filter(filter());
    List<Instrument> wanted = symbols.stream().map(Instrument::parse).toList();
    List<String> warnings = new ArrayList<>();
    for (String spec : names) {
      VenueSetup setup = VenueSetup.resolve(spec, live, simInstruments, seed, streams,
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
      if (announce) {
        out.println(setup.name() + ": " + UrlRedaction.redact(setup.where()));
      }
      if (!wanted.isEmpty()) {
        List<Instrument> listed = SymbolCheck.listed(setup.name(), source, wanted, warnings);
        if (listed.isEmpty()) {
          continue;
        }
        options.instruments(listed);
      }
      limits.put(setup.name(), limit);
      builder.venue(source, options.build());
    }
    if (limits.isEmpty()) {
      throw usage("--symbols " + String.join(",", symbols) + ": no venue scanned lists "
          + (symbols.size() == 1 ? "it" : "any of them") + " (" + String.join(", ", names)
          + ")");
    }
    warnings.forEach(w -> out.println("warning: " + w));
    return builder;
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
    lastLine.set(System.nanoTime());
    out.println(LiveView.line(scan.report()));
    for (VenueReport v : scan.report().venues().values()) {
      if (v.successes() == 0 && v.failed() > 0) {
        out.println("  " + v.venue() + ": unreachable or failing in this scan's period ("
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

  private void finalReport(@Nullable Scan last, LiveView live, long signalCount,
      long snapshots, AlertRun alerts, @Nullable Recorder recorder) {
    out.println();
    out.println("Final report (the whole run)");
    live.totals().forEach(line -> out.println("  " + line));
    if (last == null) {
      out.println("  no scan completed: some venue had not finished its first pass");
    } else {
      out.println("  last " + LiveView.line(last.report()));
      last.report().venues().values().stream()
          .sorted(Comparator.comparing(VenueReport::venue))
          .forEach(v -> out.println(String.format(Locale.ROOT,
              "    %-10s %4d instruments, in the last scan's period: %s requests, p50 %.0f ms,"
                  + " p99 %.0f ms, utilisation %.0f%%",
              v.venue(), v.instruments(), LiveView.count(v.requests()),
              v.latencyP50().toNanos() / 1e6, v.latencyP99().toNanos() / 1e6,
              v.utilisation() * 100)));
    }
    out.println("  " + signalCount + " signals from " + Strategies.NAMES);
    out.println("  " + alerts.summary());
    alerts.sinkLines().forEach(line -> out.println("    " + line));
    if (record != null) {
      out.println("  recorded " + snapshots + " snapshots to " + record + " ("
          + Recorder.bytes(recorder == null ? 0 : recorder.currentSize()) + ")");
    }
    if (jsonReport != null) {
      out.println("  JSON report: " + jsonReport);
    }
    if (htmlReport != null) {
      out.println("  HTML timeline: " + htmlReport);
    }
  }
}
