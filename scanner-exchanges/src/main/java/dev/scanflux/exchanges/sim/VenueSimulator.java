package dev.scanflux.exchanges.sim;

import dev.scanflux.exchanges.sim.internal.BinanceProtocol;
import dev.scanflux.exchanges.sim.internal.BingxProtocol;
import dev.scanflux.exchanges.sim.internal.BitstampProtocol;
import dev.scanflux.exchanges.sim.internal.CoinbaseProtocol;
import dev.scanflux.exchanges.sim.internal.BybitProtocol;
import dev.scanflux.exchanges.sim.internal.GateFuturesProtocol;
import dev.scanflux.exchanges.sim.internal.GateProtocol;
import dev.scanflux.exchanges.sim.internal.KucoinFuturesProtocol;
import dev.scanflux.exchanges.sim.internal.KucoinProtocol;
import dev.scanflux.exchanges.sim.internal.LighterProtocol;
import dev.scanflux.exchanges.sim.internal.HyperliquidProtocol;
import dev.scanflux.exchanges.sim.internal.KrakenProtocol;
import dev.scanflux.exchanges.sim.internal.OkxProtocol;
import dev.scanflux.exchanges.sim.internal.SimServer;
import dev.scanflux.exchanges.sim.internal.SyntheticMarket;
import dev.scanflux.exchanges.sim.internal.VenueProtocol;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
 * <p>Thread-safe. {@link #close()} stops the server, answers nothing more, drops hung requests'
 * connections and frees the simulator's threads.
 */
public final class VenueSimulator implements AutoCloseable {

  private final SimulatedVenue venue;
  private final SimServer server;
  private volatile boolean started;

  private VenueSimulator(Builder b) {
    this.venue = b.venue;
    SyntheticMarket market = market(b.venue, b.seed, b.instruments);
    Scheduler clock = b.clock;
    LongSupplier now = () -> clock.now(TimeUnit.MILLISECONDS);
    VenueProtocol protocol = switch (b.venue) {
      case BINANCE_SPOT -> new BinanceProtocol(market, now);
      case BINANCE_FUTURES -> new BinanceProtocol(market, now, true);
      case OKX -> new OkxProtocol(market, now);
      case OKX_SWAP -> new OkxProtocol(market, now, true);
      case KRAKEN -> new KrakenProtocol(market, now);
      case HYPERLIQUID -> new HyperliquidProtocol(market, now);
      case BYBIT -> new BybitProtocol(market, now);
      case BYBIT_LINEAR -> new BybitProtocol(market, now, true);
      case KUCOIN -> new KucoinProtocol(market, now);
      case GATE -> new GateProtocol(market, now);
      case COINBASE -> new CoinbaseProtocol(market, now);
      case BITSTAMP -> new BitstampProtocol(market, now);
      case BINGX -> new BingxProtocol(market, now);
      case GATE_FUTURES -> new GateFuturesProtocol(market, now);
      case KUCOIN_FUTURES -> new KucoinFuturesProtocol(market, now);
      case LIGHTER -> new LighterProtocol(market);
    };
    this.server = new SimServer(new SimServer.Config(b.venue.name().toLowerCase(Locale.ROOT),
        protocol, b.latency, b.jitter, b.rateLimit, Map.copyOf(b.faultRates), b.retryAfter,
        b.seed, b.clock));
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
      started = true;
    }
    return baseUrl();
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

  /** Stops the server and frees its threads; idempotent. */
  @Override
  public void close() {
    server.close();
  }

  private static SyntheticMarket market(SimulatedVenue venue, long seed, int size) {
    return new SyntheticMarket(seed, size, venue.quote(), venue.perpetual(),
        venue == SimulatedVenue.BYBIT_LINEAR);
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
