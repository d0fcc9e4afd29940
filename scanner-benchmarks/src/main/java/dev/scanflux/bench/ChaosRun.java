package dev.scanflux.bench;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;

/**
 * The chaos scenario: five simulated venues (Binance, OKX, Bybit, KuCoin, Kraken, their wire
 * formats on loopback, REST and WebSocket, their real rate limits enforced by the simulator),
 * about a fifth of REST requests faulted, spread evenly over every REST fault the simulator
 * injects, and a WebSocket fault every {@link Config#wsFaultEvery} on a streamed venue; then a
 * reconciliation per venue and kind: what the simulator served against what the scanner counted
 * (its {@link RequestEvent}s and {@link StreamTransition}s, the figures its reports sum), the
 * 429s the scanner caused (a 429 the simulator answered without injecting it) and every
 * delivered snapshot checked (uncrossed, sorted, positive).
 *
 * <p>Faults begin once every venue has discovered its instruments (a venue whose first discovery
 * fails scans nothing until its retry succeeds, which would shorten its run); from then on
 * discovery is faulted like any request. They end {@link #QUIET_TAIL} before the scanner closes,
 * so every faulted request has ended and been counted by then.
 *
 * <p>Every fault kind is injected on every venue, the hostile ones included (an endless body, a
 * slow drip, a connection reset, a hang, an endless WebSocket message on every streamed venue):
 * every preset is native on Reactor Netty, whose bodies and messages are capped while read,
 * whose calls have a whole-call deadline and which never re-sends a request silently.
 *
 * <pre>
 * mvn -B -ntp -pl scanner-benchmarks -am package -DskipTests
 * java -jar scanner-benchmarks/target/benchmarks.jar chaos            # 12 minutes, the table
 * java -jar scanner-benchmarks/target/benchmarks.jar chaos 60s
 * </pre>
 */
public final class ChaosRun {

  /** The venues, in order: simulated venue and preset. */
  static final Map<SimulatedVenue, String> VENUES = venues();

  /** The venues whose streamed books carry a checksum. */
  static final Set<SimulatedVenue> CHECKSUMS = EnumSet.of(SimulatedVenue.OKX,
      SimulatedVenue.KRAKEN);

  /**
   * What to run.
   *
   * @param duration        how long the scanner runs under faults
   * @param instruments     instruments per venue
   * @param faultShare      share of REST requests faulted, spread evenly over the REST kinds
   * @param wsFaultEvery    one WebSocket fault this often, on a streamed venue drawn at random
   * @param seed            seeds the market, the faults and the draws
   */
  public record Config(Duration duration, int instruments, double faultShare,
      Duration wsFaultEvery, long seed) {

    /** The full scenario: 12 minutes, 100 instruments a venue, 20 % faulted. */
    public static Config full() {
      return new Config(Duration.ofMinutes(12), 100, 0.20, Duration.ofSeconds(2), 7);
    }

    /** The REST faults injected on {@code venue}: every kind the simulator has. */
    public Set<Fault> restFaults(SimulatedVenue venue) {
      return EnumSet.allOf(Fault.class);
    }

    /**
     * The WebSocket faults injected on {@code venue}: every kind the simulator has, a checksum
     * mismatch only where the venue's stream carries checksums (OKX, Kraken: elsewhere it would
     * wait forever for a message it could apply to).
     */
    public List<WsFault> wsFaults(SimulatedVenue venue) {
      List<WsFault> kinds = new ArrayList<>(List.of(WsFault.values()));
      if (!CHECKSUMS.contains(venue)) {
        kinds.remove(WsFault.CHECKSUM_MISMATCH);
      }
      return kinds;
    }
  }

  /**
   * One venue's reconciliation.
   *
   * @param venue          the venue
   * @param concurrency    its requests in flight at most
   * @param served         book and ticker requests the simulator served (the rest is
   *                       {@code servedMeta})
   * @param servedOk       of which answered without a fault and not 429
   * @param servedFaults   of which met an injected fault, by kind
   * @param caused429      429s the simulator answered without injecting them: the scanner's own
   * @param counted        book and ticker requests the scanner counted (discovery apart)
   * @param countedOk      of which succeeded
   * @param countedFailed  of which failed, by class
   * @param cancelled      of which the scanner cancelled before they ended (counted apart,
   *                       {@code RequestEvent.cancelled()}): in flight when it closed, or a
   *                       stream's snapshot fetch whose connection was replaced meanwhile
   * @param wsApplied      WebSocket faults applied, by kind
   * @param connects       stream connections the scanner reported
   * @param disconnects    stream disconnections the scanner reported
   * @param resyncs        resyncs the scanner reported, by cause
   * @param rejected       stream messages the scanner rejected
   * @param endlessBytes   bytes the simulator wrote into endless bodies and messages
   * @param servedMeta     discovery and metadata requests the simulator served (counted apart:
   *                       an XChange discovery may send several, e.g. OKX's spot and swap lists)
   * @param countedDiscovery discovery requests the scanner counted
   * @param timeouts       requests the scanner counted transient after waiting its whole
   *                       request timeout
   * @param delivered      snapshots of the venue delivered
   */
  public record VenueResult(String venue, int concurrency, long served, long servedOk,
      Map<Fault, Long> servedFaults, long caused429, long counted, long countedOk,
      Map<ErrorClass, Long> countedFailed, long cancelled, Map<WsFault, Long> wsApplied,
      long connects, long disconnects, Map<ResyncCause, Long> resyncs, long rejected,
      long endlessBytes, long servedMeta, long countedDiscovery, long timeouts,
      long delivered) {

    /**
     * Requests the scanner gave up on (5 s without an answer) beyond the hangs and slow drips
     * served (which never answer within 5 s): answers that were served, but too late on a loaded
     * machine (an endless body whose cap was not reached within 5 s among them); the scanner
     * rightly counts them transient whatever the simulator put in them.
     */
    public long lateAnswers() {
      return Math.max(0, timeouts - servedFaults.get(Fault.HANG)
          - servedFaults.get(Fault.SLOW_DRIP));
    }

    /** Faults served that the scanner should count as {@code c}. */
    public long expected(ErrorClass c) {
      long n = 0;
      for (Map.Entry<Fault, Long> e : servedFaults.entrySet()) {
        if (expectedClass(e.getKey()) == c) {
          n += e.getValue();
        }
      }
      return n;
    }

    /**
     * Requests counted but never served: cancelled before they reached the venue (the scanner
     * counts a request it cancelled whether or not it was sent, since it cannot know). Between 0
     * and {@link #cancelled}; negative if the venue served requests the scanner never counted.
     */
    public long unserved() {
      return counted - served;
    }

    /**
     * Requests that ended (succeeded or failed) rather than being cancelled: the ones whose
     * class the scanner knows.
     */
    public long ended() {
      return counted - cancelled;
    }

    /**
     * Requests the venue served that the scanner cancelled before their answer ended: counted
     * cancelled, so not in the class their fault would have given them.
     */
    public long servedCancelled() {
      return served - ended();
    }

    /**
     * Bad answers the stream counted rather than the request: a stream that fetches its book
     * snapshot over REST (Binance) counts the request a success once the bytes arrived, and
     * rejects a crossed or unreadable snapshot as a stream event. The stream's rejections and
     * bad-data resyncs beyond the malformed messages the WebSocket side injected.
     */
    public long badDataViaStream() {
      return Math.max(0, rejected + resyncs.get(ResyncCause.BAD_DATA)
          - wsApplied.get(WsFault.MALFORMED));
    }
  }

  /**
   * The run's outcome.
   *
   * @param config           what ran
   * @param venues           one reconciliation per venue
   * @param snapshots        snapshots delivered, every one checked
   * @param invalid          delivered snapshots that broke an invariant
   * @param invalidExamples  the first few of them
   * @param listenerFailures listener callbacks that threw (the checker's own bugs)
   */
  public record Result(Config config, List<VenueResult> venues, long snapshots, long invalid,
      List<String> invalidExamples, long listenerFailures) {}

  /** The scanner's request timeout (VenueOptions' default). */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** How long the run goes on without faults before the scanner closes. */
  static final Duration QUIET_TAIL = TIMEOUT.plusSeconds(3);

  private ChaosRun() {}

  /** The class a scanner should give a request that met {@code fault}. */
  public static ErrorClass expectedClass(Fault fault) {
    return switch (fault) {
      case THROTTLE -> ErrorClass.THROTTLED;
      case SERVER_ERROR, HANG, CONNECTION_RESET, SLOW_DRIP -> ErrorClass.TRANSIENT;
      // the venue's body cap (4 or 16 MiB) ends it as bad data; should the scanner's 5 s timeout
      // come first on a loaded machine, it is counted transient as a late answer
      case ENDLESS_BODY, TRUNCATED_JSON, MALFORMED_JSON, CROSSED_BOOK -> ErrorClass.BAD_DATA;
    };
  }

  /** Runs the scenario; blocks for its duration. */
  public static Result run(Config config) {
    Objects.requireNonNull(config, "config");
    List<VenueSimulator> sims = new ArrayList<>();
    Counters counters = new Counters();
    SnapshotCheck check = new SnapshotCheck();
    ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "chaos-driver");
      t.setDaemon(true);
      return t;
    });
    Map<String, Integer> concurrency = new LinkedHashMap<>();
    long listenerFailures = 0;
    try {
      Scanner.Builder builder = Scanner.builder().listener(counters)
          .interval(Duration.ofSeconds(1));
      Map<SimulatedVenue, VenueSimulator> streamed = new LinkedHashMap<>();
      for (Map.Entry<SimulatedVenue, String> v : VENUES.entrySet()) {
        double perKind = config.faultShare() / config.restFaults(v.getKey()).size();
        VenueBuilder preset = preset(v.getValue());
        boolean stream = preset.hasStream() && v.getKey().hasWebsocket();
        VenueSimulator.Builder sb = VenueSimulator.builder(v.getKey())
            .instruments(config.instruments()).seed(config.seed())
            .latency(Duration.ofMillis(20)).jitter(Duration.ofMillis(20)).websocket(stream);
        for (Fault f : config.restFaults(v.getKey())) {
          sb.faultRate(f, perKind);
        }
        VenueSimulator sim = sb.build();
        sim.randomFaults(false); // until every venue has discovered its instruments
        sims.add(sim);
        preset.baseUrl(sim.start());
        if (stream) {
          preset.streamUrl(sim.websocketUrl());
          streamed.put(v.getKey(), sim);
        }
        MarketSource source = preset.build();
        concurrency.put(source.venue(), source.defaultConcurrency());
        builder.venue(source, VenueOptions.custom().stream(stream).build());
      }
      // every (venue, WebSocket fault) pair in a seeded order, round and round
      List<Map.Entry<SimulatedVenue, WsFault>> targets = new ArrayList<>();
      for (SimulatedVenue venue : streamed.keySet()) {
        for (WsFault f : config.wsFaults(venue)) {
          targets.add(Map.entry(venue, f));
        }
      }
      java.util.Collections.shuffle(targets, new Random(config.seed()));
      AtomicLong drawn = new AtomicLong();
      long every = config.wsFaultEvery().toNanos();
      try (Scanner scanner = builder.build()) {
        Disposable checking = scanner.snapshots().subscribe(check::accept);
        scanner.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (counters.discovered() < sims.size() && System.nanoTime() < deadline) {
          pause(Duration.ofMillis(50));
        }
        for (VenueSimulator sim : sims) {
          sim.randomFaults(true);
        }
        if (!targets.isEmpty()) {
          Map<SimulatedVenue, Long> busyUntil = new ConcurrentHashMap<>();
          Map<SimulatedVenue, Map<WsFault, Long>> owed = new ConcurrentHashMap<>();
          Map<SimulatedVenue, Long> killedAt = new ConcurrentHashMap<>();
          driver.scheduleAtFixedRate(() -> {
            // a venue inside an IDLE or REFUSE window is skipped, and no window opens on a venue
            // whose one-shot faults still wait for a message (its connection down, say):
            // clearing the window drops them, and in a seeded round-robin the same order would
            // drop the same kinds every round (Bybit's malformed and endless messages were
            // never applied in 12 minutes so). A fault that kills the connection (a drop, an endless message, a refusal, which
            // drops too) waits until no endless message is being written on the venue and
            // KILL_GAP after the last one: a drop on a connection an endless message is already
            // killing, or on one the client has just left, is counted by the simulator per
            // connection but is one disconnect for the client
            for (int tries = 0; tries < targets.size(); tries++) {
              Map.Entry<SimulatedVenue, WsFault> t =
                  targets.get((int) (drawn.getAndIncrement() % targets.size()));
              VenueSimulator sim = streamed.get(t.getKey());
              boolean window = t.getValue() == WsFault.IDLE || t.getValue() == WsFault.REFUSE;
              boolean kills = KILLERS.contains(t.getValue());
              long at = System.nanoTime();
              if (busyUntil.getOrDefault(t.getKey(), 0L) - at < 0
                  && !(window && owes(sim, owed.get(t.getKey())))
                  && !(kills && (sim.wsEndlessMessagesOpen() > 0
                      || at - killedAt.getOrDefault(t.getKey(), at - KILL_GAP.toNanos())
                      < KILL_GAP.toNanos()))) {
                if (kills) {
                  killedAt.put(t.getKey(), at);
                }
                if (ONE_SHOT.contains(t.getValue())) {
                  owed.computeIfAbsent(t.getKey(), k -> new ConcurrentHashMap<>()).merge(
                      t.getValue(), sim.wsFaultsApplied().get(t.getValue()) + 1,
                      (was, now) -> Math.max(was + 1, now));
                }
                Duration busy = inject(sim, t.getValue(), driver);
                busyUntil.put(t.getKey(), System.nanoTime() + busy.toNanos());
                return;
              }
            }
          }, every, every, TimeUnit.NANOSECONDS);
        }
        pause(config.duration());
        // a quiet tail: no new fault for longer than the scanner's timeout, so every faulted
        // request has ended and been counted before the scanner closes; what is still in flight
        // then is clean, and cancelled by the close (counted cancelled by the scanner)
        driver.shutdownNow();
        for (VenueSimulator sim : sims) {
          sim.randomFaults(false);
        }
        for (VenueSimulator sim : streamed.values()) {
          sim.clearWsFaults();
        }
        pause(QUIET_TAIL);
        listenerFailures = scanner.latest().blockOptional(Duration.ofSeconds(1))
            .map(s -> s.report().listenerFailures()).orElse(0L);
        checking.dispose();
      }
      pause(Duration.ofMillis(500)); // the last answers of closed requests leave the simulator
      List<VenueResult> results = new ArrayList<>();
      for (VenueSimulator sim : sims) {
        String venue = sim.venue().name().toLowerCase(Locale.ROOT).replace("_spot", "");
        results.add(reconcile(venue, concurrency.getOrDefault(venue, 0), sim, counters,
            check.delivered(venue)));
      }
      return new Result(config, results, check.count.sum(), check.invalid.sum(),
          List.copyOf(check.examples), listenerFailures);
    } finally {
      driver.shutdownNow();
      for (VenueSimulator sim : sims) {
        sim.close();
      }
    }
  }

  /** The WebSocket faults that end the connection they hit. */
  static final Set<WsFault> KILLERS = EnumSet.of(WsFault.DROP, WsFault.ENDLESS_MESSAGE,
      WsFault.REFUSE);

  /** The least time between two faults that end a venue's connection. */
  static final Duration KILL_GAP = Duration.ofSeconds(2);

  /** The WebSocket faults that wait for the next message they can apply to. */
  static final Set<WsFault> ONE_SHOT = EnumSet.of(WsFault.SEQUENCE_GAP,
      WsFault.CHECKSUM_MISMATCH, WsFault.MALFORMED, WsFault.ENDLESS_MESSAGE);

  /** Whether one-shot faults injected on {@code sim} still wait to be applied. */
  private static boolean owes(VenueSimulator sim, @org.jspecify.annotations.Nullable
      Map<WsFault, Long> owed) {
    if (owed == null) {
      return false;
    }
    Map<WsFault, Long> applied = sim.wsFaultsApplied();
    for (Map.Entry<WsFault, Long> e : owed.entrySet()) {
      if (applied.get(e.getKey()) < e.getValue()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies one WebSocket fault; the lasting ones are cleared after a while.
   *
   * @return how long the venue is inside the fault's window (zero for a one-shot fault)
   */
  private static Duration inject(VenueSimulator sim, WsFault fault,
      ScheduledExecutorService driver) {
    switch (fault) {
      case IDLE -> {
        sim.wsFault(WsFault.IDLE); // longer than the stream's idle limit (10 s)
        driver.schedule(sim::clearWsFaults, 12, TimeUnit.SECONDS);
        return Duration.ofSeconds(13);
      }
      case REFUSE -> {
        sim.wsFault(WsFault.REFUSE);
        sim.wsFault(WsFault.DROP);
        driver.schedule(sim::clearWsFaults, 3, TimeUnit.SECONDS);
        return Duration.ofSeconds(4);
      }
      default -> {
        sim.wsFault(fault);
        return Duration.ZERO;
      }
    }
  }

  private static VenueResult reconcile(String venue, int concurrency, VenueSimulator sim,
      Counters counters, long delivered) {
    long served = 0;
    long meta = 0;
    long ok = 0;
    long caused429 = 0;
    EnumMap<Fault, Long> faults = new EnumMap<>(Fault.class);
    for (Fault f : Fault.values()) {
      faults.put(f, 0L);
    }
    for (ServedRequest r : sim.requestLog()) {
      if (!carriesPrices(r.path())) {
        meta++;
        continue;
      }
      served++;
      if (r.fault() != null) {
        faults.merge(r.fault(), 1L, Long::sum);
      } else if (r.status() == 429) {
        caused429++;
      } else {
        ok++;
      }
    }
    EnumMap<ErrorClass, Long> failed = new EnumMap<>(ErrorClass.class);
    for (ErrorClass c : ErrorClass.values()) {
      failed.put(c, counters.failed(venue, c));
    }
    EnumMap<ResyncCause, Long> resyncs = new EnumMap<>(ResyncCause.class);
    for (ResyncCause c : ResyncCause.values()) {
      resyncs.put(c, counters.get(venue + "|resync|" + c));
    }
    return new VenueResult(venue, concurrency, served, ok, faults, caused429,
        counters.get(venue + "|requests"), counters.get(venue + "|ok"), failed,
        counters.get(venue + "|cancelled"), sim.wsFaultsApplied(),
        counters.get(venue + "|CONNECTED"), counters.get(venue + "|DISCONNECTED"), resyncs,
        counters.get(venue + "|REJECTED"), sim.endlessBytesSent(), meta,
        counters.get(venue + "|discovery"), counters.get(venue + "|timeout"), delivered);
  }

  /** Whether an answer at {@code path} has prices a crossed-book fault can cross. */
  static boolean carriesPrices(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return !(p.contains("exchangeinfo") || p.contains("instruments") || p.contains("assetpairs")
        || p.contains("/assets") || p.contains("symbols") || p.contains("currenc")
        || p.contains("time"));
  }

  /** The reconciliation as printable lines: REST per venue and class, then WebSocket. */
  public static List<String> table(Result r) {
    List<String> out = new ArrayList<>();
    Config c = r.config();
    out.add(String.format(Locale.ROOT, "chaos: %s, %d instruments a venue, %.0f %% of REST "
            + "requests faulted, evenly over %s, a WebSocket fault"
            + " every %d ms over %s",
        human(c.duration()), c.instruments(), c.faultShare() * 100,
        c.restFaults(SimulatedVenue.BYBIT), c.wsFaultEvery().toMillis(),
        c.wsFaults(SimulatedVenue.BYBIT)));
    out.add("REST books and tickers: served by the simulator | counted by the scanner"
        + " (bad data +N: rejected by the stream that fetched it; cancelled: counted by the"
        + " scanner, of which served | never sent)");
    out.add(String.format(Locale.ROOT, "  %-8s %11s %11s %10s %10s %10s %9s %11s", "venue",
        "requests", "ok", "throttled", "transient", "bad data", "caused429", "cancelled"));
    for (VenueResult v : r.venues()) {
      out.add(String.format(Locale.ROOT, "  %-8s %11s %11s %10s %10s %10s %9d %11s",
          v.venue(),
          v.served() + "|" + v.counted(), v.servedOk() + "|" + v.countedOk(),
          pair(v, ErrorClass.THROTTLED), pair(v, ErrorClass.TRANSIENT)
              + (v.lateAnswers() == 0 ? "" : "(" + v.lateAnswers() + " late)"),
          pair(v, ErrorClass.BAD_DATA) + (v.badDataViaStream() == 0 ? ""
              : "+" + v.badDataViaStream()), v.caused429(),
          v.cancelled() + "(" + v.servedCancelled() + "|" + v.unserved() + ")"));
    }
    out.add("REST faults served on books and tickers, by kind; discovery served | counted:");
    for (VenueResult v : r.venues()) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-8s", v.venue()));
      v.servedFaults().forEach((f, n) -> line.append(' ').append(f.name().toLowerCase(Locale.ROOT))
          .append(' ').append(n));
      line.append(", permanent counted ").append(v.countedFailed().get(ErrorClass.PERMANENT))
          .append("; discovery ").append(v.servedMeta()).append(" | ")
          .append(v.countedDiscovery());
      out.add(line.toString());
    }
    out.add("WebSocket: applied by the simulator | reported by the scanner");
    for (VenueResult v : r.venues()) {
      Map<WsFault, Long> a = v.wsApplied();
      if (a.values().stream().mapToLong(Long::longValue).sum() == 0 && v.connects() == 0) {
        continue;
      }
      out.add(String.format(Locale.ROOT, "  %-8s gap %d|%d resyncs, checksum %d|%d resyncs,"
              + " malformed %d|%d rejected or bad-data resyncs, drop %d + endless %d + idle %d"
              + " | %d disconnects, refused %d, %d connects, stale resyncs %d, endless %.1f MiB",
          v.venue(), a.get(WsFault.SEQUENCE_GAP), v.resyncs().get(ResyncCause.SEQUENCE_GAP),
          a.get(WsFault.CHECKSUM_MISMATCH), v.resyncs().get(ResyncCause.CHECKSUM_MISMATCH),
          a.get(WsFault.MALFORMED), v.rejected() + v.resyncs().get(ResyncCause.BAD_DATA),
          a.get(WsFault.DROP), a.get(WsFault.ENDLESS_MESSAGE), a.get(WsFault.IDLE),
          v.disconnects(), a.get(WsFault.REFUSE), v.connects(), v.resyncs().get(ResyncCause.STALE),
          v.endlessBytes() / (1024.0 * 1024)));
    }
    out.add(String.format(Locale.ROOT, "snapshots delivered: %,d checked, %d invalid%s;"
            + " listener failures %d", r.snapshots(), r.invalid(),
        r.invalidExamples().isEmpty() ? "" : " e.g. " + r.invalidExamples(),
        r.listenerFailures()));
    return out;
  }

  /**
   * What does not reconcile, empty when everything does: per venue, a venue that delivered
   * hardly anything; served differing from counted (a request served and never counted, or more
   * requests counted than served beyond those the scanner cancelled, which it counts whether or
   * not they were sent); a class counted more often than its faults were served, or less often
   * by more than the served requests the scanner cancelled (counted cancelled, not in a class)
   * and the answers that came after the scanner's timeout (bad data counted by the stream
   * included); more discoveries counted than served; a 429 the scanner caused; and any invalid
   * snapshot delivered.
   */
  public static List<String> problems(Result r) {
    List<String> out = new ArrayList<>();
    for (VenueResult v : r.venues()) {
      if (v.delivered() < 10) {
        out.add(v.venue() + ": only " + v.delivered() + " snapshots delivered: it was hardly"
            + " scanned");
      }
      if (v.unserved() < 0 || v.unserved() > v.cancelled()) {
        out.add(v.venue() + ": served " + v.served() + " requests, counted " + v.counted()
            + " (" + v.cancelled() + " of them cancelled by the scanner)");
      }
      for (ErrorClass c : List.of(ErrorClass.THROTTLED, ErrorClass.TRANSIENT,
          ErrorClass.BAD_DATA)) {
        long counted = v.countedFailed().get(c);
        long slackHere = Math.max(0, v.servedCancelled()) + v.lateAnswers();
        long over = c == ErrorClass.TRANSIENT ? v.lateAnswers() : 0;
        if (c == ErrorClass.BAD_DATA && v.venue().equals("binance")) {
          // Binance's stream fetches its books' snapshots over REST: a request that got a crossed
          // book is a success, the book is rejected by the stream (a stream event), or dropped
          // unseen when its connection was replaced meanwhile. Those are the successes counted
          // beyond the clean answers served.
          slackHere += Math.max(0, v.countedOk() - v.servedOk());
        }
        long diff = v.expected(c) - counted;
        if (diff < -over || diff > slackHere) {
          out.add(v.venue() + ": " + c + " served " + v.expected(c) + ", counted " + counted
              + " (" + v.servedCancelled() + " served requests cancelled)");
        }
      }
      if (v.servedMeta() < v.countedDiscovery()) {
        out.add(v.venue() + ": counted " + v.countedDiscovery() + " discoveries, served "
            + v.servedMeta());
      }
      if (v.caused429() != 0) {
        out.add(v.venue() + ": " + v.caused429() + " 429s the scanner caused");
      }
    }
    if (r.invalid() != 0) {
      out.add(r.invalid() + " invalid snapshots delivered, e.g. " + r.invalidExamples());
    }
    return out;
  }

  private static String pair(VenueResult v, ErrorClass c) {
    return v.expected(c) + "|" + v.countedFailed().get(c);
  }

  private static String human(Duration d) {
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  static VenueBuilder preset(String name) {
    return switch (name) {
      case "binance" -> Venues.binance();
      case "okx" -> Venues.okx();
      case "bybit" -> Venues.bybit();
      case "kucoin" -> Venues.kucoin();
      case "kraken" -> Venues.kraken();
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static Map<SimulatedVenue, String> venues() {
    Map<SimulatedVenue, String> m = new LinkedHashMap<>();
    m.put(SimulatedVenue.BINANCE_SPOT, "binance");
    m.put(SimulatedVenue.OKX, "okx");
    m.put(SimulatedVenue.BYBIT, "bybit");
    m.put(SimulatedVenue.KUCOIN, "kucoin");
    m.put(SimulatedVenue.KRAKEN, "kraken");
    return m;
  }

  /** Parks the calling thread; the scanner runs on its own threads. */
  static void pause(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** What the scanner counted, from its listener: the events its reports sum. */
  private static final class Counters implements ScanListener {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private final Set<String> discovered = ConcurrentHashMap.newKeySet();

    @Override
    public void onRequest(RequestEvent e) {
      if (e.kind() == RequestKind.INSTRUMENTS) {
        if (e.succeeded()) {
          discovered.add(e.venue());
        }
        add(e.venue() + "|discovery");
        return;
      }
      add(e.venue() + "|requests");
      add(e.venue() + (e.cancelled() ? "|cancelled"
          : e.failure() == null ? "|ok" : "|failed|" + e.failure()));
      if (e.failure() == ErrorClass.TRANSIENT
          && e.roundTrip().compareTo(TIMEOUT.minusMillis(100)) >= 0) {
        add(e.venue() + "|timeout");
      }
    }

    @Override
    public void onStreamTransition(StreamTransition t) {
      add(t.venue() + '|' + t.type());
      if (t.cause() != null) {
        add(t.venue() + "|resync|" + t.cause());
      }
    }

    int discovered() {
      return discovered.size();
    }

    long failed(String venue, ErrorClass c) {
      return get(venue + "|failed|" + c);
    }

    long get(String key) {
      LongAdder n = counts.get(key);
      return n == null ? 0 : n.sum();
    }

    private void add(String key) {
      counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
  }

  /** Checks every delivered snapshot: uncrossed, sorted, positive. */
  private static final class SnapshotCheck {
    final LongAdder count = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final List<String> examples = new CopyOnWriteArrayList<>();
    private final AtomicLong kept = new AtomicLong();
    private final Map<String, LongAdder> byVenue = new ConcurrentHashMap<>();

    long delivered(String venue) {
      LongAdder n = byVenue.get(venue);
      return n == null ? 0 : n.sum();
    }

    void accept(MarketSnapshot s) {
      count.increment();
      byVenue.computeIfAbsent(s.venue(), k -> new LongAdder()).increment();
      String problem = problem(s);
      if (problem != null) {
        invalid.increment();
        if (kept.incrementAndGet() <= 5) {
          examples.add(s.venue() + ' ' + s.instrument() + ": " + problem);
        }
      }
    }

    static String problem(MarketSnapshot s) {
      if (s instanceof BookSnapshot b) {
        for (int i = 0; i < b.bidLevels(); i++) {
          if (!(b.bidPrice(i) > 0) || !(b.bidSize(i) > 0) || Double.isInfinite(b.bidPrice(i))) {
            return "bid level " + i + " not positive";
          }
          if (i > 0 && !(b.bidPrice(i) < b.bidPrice(i - 1))) {
            return "bids not sorted at level " + i;
          }
        }
        for (int i = 0; i < b.askLevels(); i++) {
          if (!(b.askPrice(i) > 0) || !(b.askSize(i) > 0) || Double.isInfinite(b.askPrice(i))) {
            return "ask level " + i + " not positive";
          }
          if (i > 0 && !(b.askPrice(i) > b.askPrice(i - 1))) {
            return "asks not sorted at level " + i;
          }
        }
        if (b.isTwoSided() && !(b.bestBid() < b.bestAsk())) {
          return "crossed: " + b.bestBid() + " >= " + b.bestAsk();
        }
        return null;
      }
      if (s instanceof TickerSnapshot t) {
        if (!(t.bid() > 0) || !(t.ask() > 0)) {
          return "ticker not positive";
        }
        if (!(t.bid() < t.ask())) {
          return "ticker crossed: " + t.bid() + " >= " + t.ask();
        }
      }
      return null;
    }
  }
}
