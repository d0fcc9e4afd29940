package dev.scanflux.simulator;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.simulator.internal.SimInstrument;
import dev.scanflux.simulator.internal.SimServer;
import dev.scanflux.simulator.internal.SyntheticMarket;
import dev.scanflux.simulator.internal.VenueProtocol;
import dev.scanflux.simulator.internal.WsProtocol;
import dev.scanflux.simulator.internal.WsServer;
import dev.scanflux.simulator.internal.binance.BinanceProtocol;
import dev.scanflux.simulator.internal.binance.BinanceWsProtocol;
import dev.scanflux.simulator.internal.bingx.BingxProtocol;
import dev.scanflux.simulator.internal.bingx.BingxWsProtocol;
import dev.scanflux.simulator.internal.bitstamp.BitstampProtocol;
import dev.scanflux.simulator.internal.bitstamp.BitstampWsProtocol;
import dev.scanflux.simulator.internal.bybit.BybitProtocol;
import dev.scanflux.simulator.internal.bybit.BybitWsProtocol;
import dev.scanflux.simulator.internal.coinbase.CoinbaseProtocol;
import dev.scanflux.simulator.internal.gate.GateFuturesProtocol;
import dev.scanflux.simulator.internal.gate.GateProtocol;
import dev.scanflux.simulator.internal.gate.GateWsProtocol;
import dev.scanflux.simulator.internal.hyperliquid.HyperliquidProtocol;
import dev.scanflux.simulator.internal.hyperliquid.HyperliquidWsProtocol;
import dev.scanflux.simulator.internal.kraken.KrakenProtocol;
import dev.scanflux.simulator.internal.kraken.KrakenWsProtocol;
import dev.scanflux.simulator.internal.kucoin.KucoinFuturesProtocol;
import dev.scanflux.simulator.internal.kucoin.KucoinProtocol;
import dev.scanflux.simulator.internal.kucoin.KucoinWsProtocol;
import dev.scanflux.simulator.internal.lighter.LighterProtocol;
import dev.scanflux.simulator.internal.okx.OkxProtocol;
import dev.scanflux.simulator.internal.okx.OkxWsProtocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A simulated venue: a loopback HTTP server on {@code 127.0.0.1} (port chosen by the system)
 * that speaks one venue's real wire format, including the metadata calls XChange makes at start,
 * over a deterministic synthetic market.
 *
 * <p>It enforces the venue's real rate limit over a sliding window and answers the venue's own
 * 429 with {@code Retry-After} when it is exceeded; it adds latency and jitter without holding a
 * thread, injects faults at given rates or on demand ({@link #failNext}), and logs every request
 * it served ({@link #requestLog()}) so that tests and benchmarks can assert on order, rate and
 * concurrency.
 *
 * <p>With {@link Builder#websocket(boolean) websocket(true)} it also serves the venue's public
 * WebSocket at {@link #websocketUrl()}, over the same instruments: subscribed books and tickers
 * change every {@link Builder#streamInterval stream interval} and are pushed as the venue pushes
 * them (snapshot, then deltas), with faults on demand ({@link #wsFault}) and a log of
 * connections and client frames ({@link #wsLog()}). The venues with a WebSocket side are those
 * whose {@link SimulatedVenue#hasWebsocket()} is true.
 *
 * <p>Thread-safe. {@link #close()} stops the servers, answers nothing more, drops hung requests'
 * and WebSocket connections and frees the simulator's threads.
 */
public final class VenueSimulator implements AutoCloseable {

  private final SimulatedVenue venue;
  private final SimServer server;
  private final SyntheticMarket market;
  private final @Nullable WsServer ws;
  private final Scheduler clock;
  private volatile boolean started;

  private VenueSimulator(Builder b) {
    this.venue = b.venue;
    Scheduler clock = b.clock;
    this.clock = clock;
    LongSupplier now = () -> clock.now(TimeUnit.MILLISECONDS);
    this.market = market(b.venue, b.seed, b.instruments, now);
    WsProtocol streams = b.websocket ? wsProtocol(b.venue, market, now, b.seed) : null;
    VenueProtocol protocol = switch (b.venue) {
      case BINANCE_SPOT -> new BinanceProtocol(market, now, BinanceWsProtocol.of(streams));
      case BINANCE_FUTURES, ASTERDEX ->
          new BinanceProtocol(market, now, true, BinanceWsProtocol.of(streams));
      case OKX -> new OkxProtocol(market, now);
      case OKX_SWAP -> new OkxProtocol(market, now, true);
      case KRAKEN -> new KrakenProtocol(market, now);
      case HYPERLIQUID -> new HyperliquidProtocol(market, now);
      case BYBIT -> new BybitProtocol(market, now);
      case BYBIT_LINEAR -> new BybitProtocol(market, now, true);
      case KUCOIN -> new KucoinProtocol(market, now, KucoinWsProtocol.of(streams));
      case GATE -> new GateProtocol(market, now);
      case COINBASE -> new CoinbaseProtocol(market, now);
      case BITSTAMP -> new BitstampProtocol(market, now);
      case BINGX -> new BingxProtocol(market, now);
      case GATE_FUTURES -> new GateFuturesProtocol(market, now, GateWsProtocol.of(streams));
      case KUCOIN_FUTURES -> new KucoinFuturesProtocol(market, now,
          KucoinWsProtocol.of(streams));
      case LIGHTER -> new LighterProtocol(market);
    };
    this.server = new SimServer(new SimServer.Config(b.venue.name().toLowerCase(Locale.ROOT),
        protocol, b.latency, b.jitter, b.rateLimit, Map.copyOf(b.faultRates), b.retryAfter,
        b.seed, b.clock));
    this.ws = streams != null ? new WsServer(new WsServer.Config(
        b.venue.name().toLowerCase(Locale.ROOT), streams, b.streamInterval, b.clock)) : null;
    KucoinWsProtocol kucoin = KucoinWsProtocol.of(streams);
    if (kucoin != null && ws != null) {
      kucoin.endpoint(ws.url()); // the bullet's endpoint: KuCoin's clients connect where it says
    }
  }

  /** The venue's WebSocket format; a venue gets one by a case here and in hasWebsocket(). */
  private static WsProtocol wsProtocol(SimulatedVenue venue, SyntheticMarket market,
      LongSupplier now, long seed) {
    return switch (venue) {
      case OKX -> new OkxWsProtocol(market, now, seed, false);
      case OKX_SWAP -> new OkxWsProtocol(market, now, seed, true);
      case BINANCE_SPOT -> new BinanceWsProtocol(market, now, seed);
      case BINANCE_FUTURES -> new BinanceWsProtocol(market, now, seed, true, true);
      case ASTERDEX -> new BinanceWsProtocol(market, now, seed, true, false);
      case HYPERLIQUID -> new HyperliquidWsProtocol(market, now, seed);
      case BYBIT -> new BybitWsProtocol(market, now, seed, false);
      case BYBIT_LINEAR -> new BybitWsProtocol(market, now, seed, true);
      case KRAKEN -> new KrakenWsProtocol(market, now, seed);
      case KUCOIN -> new KucoinWsProtocol(market, now, seed, false);
      case KUCOIN_FUTURES -> new KucoinWsProtocol(market, now, seed, true);
      case GATE -> new GateWsProtocol(market, now, seed, false);
      case GATE_FUTURES -> new GateWsProtocol(market, now, seed, true);
      case BITSTAMP -> new BitstampWsProtocol(market, now, seed);
      case BINGX -> new BingxWsProtocol(market, now, seed);
      default -> throw new IllegalArgumentException(venue + " has no WebSocket side yet");
    };
  }

  /**
   * A builder for a simulator of {@code venue}, with defaults: 300 instruments, seed 42, no
   * latency, no faults, the venue's real rate limit enforced.
   */
  public static Builder builder(SimulatedVenue venue) {
    return new Builder(Objects.requireNonNull(venue, "venue"));
  }

  /**
   * Starts serving, if not started yet, and returns the base URL.
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public synchronized String start() {
    if (!started) {
      server.start();
      if (ws != null) {
        ws.start();
      }
      started = true;
    }
    return baseUrl();
  }

  /**
   * The WebSocket URL, e.g. {@code ws://127.0.0.1:PORT/ws/v5/public} for OKX; valid before
   * {@link #start()} too, connections are accepted once started.
   *
   * @throws IllegalStateException if the simulator was built without {@code websocket(true)}
   */
  public String websocketUrl() {
    return ws().url();
  }

  /**
   * Injects a WebSocket fault not tied to an instrument: {@link WsFault#DROP} closes every
   * connection now, {@link WsFault#IDLE} and {@link WsFault#REFUSE} hold until
   * {@link #clearWsFaults()}, {@link WsFault#MALFORMED}, {@link WsFault#SEQUENCE_GAP} and
   * {@link WsFault#CHECKSUM_MISMATCH} hit the next message they apply to, whatever its
   * instrument. Each call adds one such one-shot fault.
   *
   * @throws IllegalStateException if the simulator was built without {@code websocket(true)}
   */
  public void wsFault(WsFault fault) {
    ws().fault(Objects.requireNonNull(fault, "fault"), null);
  }

  /**
   * Injects a one-shot WebSocket fault into the next message about {@code instrument}: the
   * next book delta skips a sequence number ({@link WsFault#SEQUENCE_GAP}) or carries a wrong
   * checksum ({@link WsFault#CHECKSUM_MISMATCH}), the next message is not JSON
   * ({@link WsFault#MALFORMED}) or never ends ({@link WsFault#ENDLESS_MESSAGE}).
   *
   * @param instrument an instrument of this simulator, e.g. {@code venue().instrument("BTC")}
   * @throws IllegalArgumentException if the fault is not a one-shot fault or the simulator does
   *     not list the instrument
   * @throws IllegalStateException    if the simulator was built without {@code websocket(true)}
   */
  public void wsFault(WsFault fault, Instrument instrument) {
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(instrument, "instrument");
    if (fault != WsFault.SEQUENCE_GAP && fault != WsFault.CHECKSUM_MISMATCH
        && fault != WsFault.MALFORMED && fault != WsFault.ENDLESS_MESSAGE) {
      throw new IllegalArgumentException(fault + " is not tied to an instrument");
    }
    ws().fault(fault, sim(instrument));
  }

  /**
   * The WebSocket side's book of {@code instrument} as it was last streamed, as clients read it:
   * the top {@code depth} levels per side (prices and sizes parsed from the text sent), stamped
   * with the time of the last message about it and named like the simulated venue
   * ({@code hyperliquid}). For checking that a stream keeps its book in sync: a client that
   * read every message holds a book with these levels.
   *
   * @throws IllegalArgumentException if the simulator does not list the instrument or depth is
   *     below 1
   * @throws IllegalStateException    if the simulator was built without {@code websocket(true)},
   *     or no client subscribed the instrument's book
   */
  public BookSnapshot streamedBook(Instrument instrument, int depth) {
    Objects.requireNonNull(instrument, "instrument");
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be at least 1 but was " + depth);
    }
    SimInstrument sim = sim(instrument);
    BookSnapshot.Builder book =
        BookSnapshot.builder(venue.name().toLowerCase(Locale.ROOT), instrument);
    return ws().query(p -> Optional.ofNullable(p.streamedBook(sim, depth, book)))
        .orElseThrow(() -> new IllegalStateException("no client streams the book of "
            + instrument));
  }

  private SimInstrument sim(Instrument instrument) {
    return market.instruments().stream()
        .filter(i -> venue.instrument(i.base()).equals(instrument)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "the " + venue + " simulator does not list " + instrument));
  }

  /** Ends {@link WsFault#IDLE} and {@link WsFault#REFUSE} and drops one-shot faults not met. */
  public void clearWsFaults() {
    ws().clearFaults();
  }

  /**
   * The WebSocket log so far, in order: connections opened, refused and closed, frames clients
   * sent; an immutable copy. Messages the simulator sent are only counted
   * ({@link #wsMessagesSent()}).
   */
  public List<WsEvent> wsLog() {
    return ws().log();
  }

  /** Forgets the WebSocket log. */
  public void clearWsLog() {
    ws().clearLog();
  }

  /** Messages sent to WebSocket clients so far, over every connection. */
  public long wsMessagesSent() {
    return ws().sent();
  }

  /** WebSocket connections open now. */
  public int wsConnections() {
    return ws().open();
  }

  private WsServer ws() {
    if (ws == null) {
      throw new IllegalStateException(
          "the simulator has no WebSocket side: build it with websocket(true)");
    }
    return ws;
  }

  /** The base URL, {@code http://127.0.0.1:PORT}; valid before {@link #start()} too. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** The simulated venue. */
  public SimulatedVenue venue() {
    return venue;
  }

  /**
   * Makes the next requests fail with these faults, one each, in order, ahead of any random
   * fault. A {@link Fault#THROTTLE} announces the builder's {@code retryAfter}.
   */
  public void failNext(Fault... faults) {
    server.failNext(Arrays.asList(faults.clone()));
  }

  /**
   * Turns the faults drawn at the builder's {@linkplain Builder#faultRate rates} on or off from
   * now on (on by default); faults queued with {@link #failNext} apply either way. For a run that
   * lets clients start cleanly before the faults begin.
   */
  public void randomFaults(boolean on) {
    server.randomFaults(on);
  }

  /** Drops the faults {@link #failNext} queued that no request has met yet. */
  public void clearScriptedFaults() {
    server.clearScriptedFaults();
  }

  /** Every request served so far, in arrival order; an immutable copy. */
  public List<ServedRequest> requestLog() {
    return server.requestLog();
  }

  /** Forgets the requests served so far. */
  public void clearRequestLog() {
    server.clearRequestLog();
  }

  /** Requests in flight at this moment. */
  public int inFlight() {
    return server.inFlight();
  }

  /** How long a {@link Fault#SLOW_DRIP} body takes to arrive in full: 60 s. */
  public static final Duration SLOW_DRIP_SPAN = SimServer.SLOW_DRIP_SPAN;

  /** Pieces a {@link Fault#SLOW_DRIP} body is cut into, evenly spaced: 60. */
  public static final int SLOW_DRIP_PIECES = SimServer.SLOW_DRIP_PIECES;

  /**
   * REST faults served since the simulator was built, by kind (every kind present, zero when
   * none), counted when the request meeting the fault arrives; {@link #clearRequestLog()} does
   * not reset them. For reconciling a run: each should match what the client counted.
   */
  public Map<Fault, Long> faultsServed() {
    return server.faultsServed();
  }

  /**
   * WebSocket faults applied since the simulator was built, by kind (every kind present, zero
   * when none; all zero without a WebSocket side): a one-shot fault when it hits a message
   * ({@link WsFault#CHECKSUM_MISMATCH} only on a format with checksums), {@link WsFault#DROP}
   * per connection dropped, {@link WsFault#REFUSE} per connection refused, {@link WsFault#IDLE}
   * per time it was set.
   */
  public Map<WsFault, Long> wsFaultsApplied() {
    if (ws == null) {
      EnumMap<WsFault, Long> none = new EnumMap<>(WsFault.class);
      for (WsFault f : WsFault.values()) {
        none.put(f, 0L);
      }
      return none;
    }
    return ws.faultsApplied();
  }

  /**
   * Bytes written into endless answers so far: {@link Fault#ENDLESS_BODY} bodies and {@link
   * WsFault#ENDLESS_MESSAGE} messages together. What a client without a cap would have held.
   */
  public long endlessBytesSent() {
    return server.endlessBytesSent() + (ws == null ? 0 : ws.endlessBytesSent());
  }

  /** Answers a hostile fault is still writing now (endless bodies, slow drips). */
  public int hostileAnswersOpen() {
    return server.hostileOpen();
  }

  /**
   * WebSocket connections a {@link WsFault#ENDLESS_MESSAGE} is still being written on now (until
   * the client closes them); zero without a WebSocket side.
   */
  public int wsEndlessMessagesOpen() {
    return ws == null ? 0 : ws.endlessOpen();
  }

  /** Stops the server and frees its threads; idempotent. */
  @Override
  public void close() {
    server.close();
    if (ws != null) {
      ws.close();
    }
  }

  private static SyntheticMarket market(SimulatedVenue venue, long seed, int size,
      LongSupplier now) {
    return new SyntheticMarket(seed, size, venue.quote(), venue.perpetual(),
        venue == SimulatedVenue.BYBIT_LINEAR, venue.name(), now);
  }

  /** Builds a {@link VenueSimulator}; setters check their argument at once. Not thread-safe. */
  public static final class Builder {
    private final SimulatedVenue venue;
    private Duration latency = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private boolean rateLimit = true;
    private final Map<Fault, Double> faultRates = new EnumMap<>(Fault.class);
    private Duration retryAfter = Duration.ofSeconds(1);
    private int instruments = 300;
    private long seed = 42;
    private Scheduler clock = Schedulers.parallel();
    private boolean websocket;
    private Duration streamInterval = Duration.ofMillis(100);

    private Builder(SimulatedVenue venue) {
      this.venue = venue;
    }

    /** Round trip added to every answer, 0 to 60 s; default 0. */
    public Builder latency(Duration latency) {
      this.latency = range("latency", latency, Duration.ofSeconds(60));
      return this;
    }

    /** Up to this much more latency, uniformly drawn, 0 to 60 s; default 0. */
    public Builder jitter(Duration jitter) {
      this.jitter = range("jitter", jitter, Duration.ofSeconds(60));
      return this;
    }

    /** Whether the venue's real rate limit is enforced; default true. */
    public Builder rateLimit(boolean enforce) {
      this.rateLimit = enforce;
      return this;
    }

    /**
     * The probability, 0 to 1, that a request meets {@code fault}; default 0 for every fault.
     * The rates of all faults together must not exceed 1.
     */
    public Builder faultRate(Fault fault, double rate) {
      Objects.requireNonNull(fault, "fault");
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("rate must be in [0, 1] but was " + rate);
      }
      double others = faultRates.entrySet().stream().filter(e -> e.getKey() != fault)
          .mapToDouble(Map.Entry::getValue).sum();
      if (others + rate > 1) {
        throw new IllegalArgumentException(
            "fault rates must add up to at most 1 but would be " + (others + rate));
      }
      if (rate == 0) {
        faultRates.remove(fault);
      } else {
        faultRates.put(fault, rate);
      }
      return this;
    }

    /** The wait an injected {@link Fault#THROTTLE} announces, 1 s to 1 h; default 1 s. */
    public Builder retryAfter(Duration retryAfter) {
      Objects.requireNonNull(retryAfter, "retryAfter");
      if (retryAfter.compareTo(Duration.ofSeconds(1)) < 0
          || retryAfter.compareTo(Duration.ofHours(1)) > 0 || retryAfter.getNano() != 0) {
        throw new IllegalArgumentException(
            "retryAfter must be whole seconds in [1s, 1h] but was " + retryAfter);
      }
      this.retryAfter = retryAfter;
      return this;
    }

    /** Number of instruments, 1 to 5,000; default 300. */
    public Builder instruments(int count) {
      if (count < 1 || count > 5000) {
        throw new IllegalArgumentException("count must be in [1, 5000] but was " + count);
      }
      this.instruments = count;
      return this;
    }

    /** The seed of the market, faults and jitter; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The clock for the request log and the rate limiter; default {@code Schedulers.parallel()}. */
    public Builder clock(Scheduler clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether the venue's public WebSocket is served too, at
     * {@link VenueSimulator#websocketUrl()}; default false. Only for venues whose
     * {@link SimulatedVenue#hasWebsocket()} is true.
     *
     * @throws IllegalArgumentException if {@code enable} and the venue has no WebSocket side
     */
    public Builder websocket(boolean enable) {
      if (enable && !venue.hasWebsocket()) {
        throw new IllegalArgumentException(venue + " has no WebSocket side yet");
      }
      this.websocket = enable;
      return this;
    }

    /**
     * How often the WebSocket side changes the subscribed books and pushes deltas and tickers,
     * 1 ms to 60 s; default 100 ms. Real time, on the simulator's own thread.
     */
    public Builder streamInterval(Duration interval) {
      Duration d = range("streamInterval", interval, Duration.ofSeconds(60));
      if (d.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("streamInterval must be in [1ms, 60s] but was " + d);
      }
      this.streamInterval = d;
      return this;
    }

    /** A simulator, bound to a port but not yet serving: call {@link VenueSimulator#start()}. */
    public VenueSimulator build() {
      return new VenueSimulator(this);
    }

    private static Duration range(String name, @Nullable Duration value, Duration max) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name + " must be in [0, " + max + "] but was " + value);
      }
      return value;
    }
  }
}
