package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * How the scanner treats one venue. Every option has a default, written on its setter; the
 * concurrency and rate limit default to what the venue's source declares.
 *
 * <p>Immutable; build with {@link #custom()}, whose {@link Builder#build()} validates and names
 * any bad argument with its allowed range.
 */
public final class VenueOptions {

  /** Largest allowed concurrency per venue. */
  public static final int MAX_CONCURRENCY = 1024;
  /** Largest allowed book depth. */
  public static final int MAX_DEPTH = 5000;

  private static final VenueOptions DEFAULTS = custom().build();

  private final @Nullable Integer concurrency;
  private final @Nullable RateLimitSpec rateLimit;
  private final @Nullable List<Instrument> instruments;
  private final int depth;
  private final Duration requestTimeout;
  private final RetryPolicy retry;
  private final int rediscoverAfterFailures;
  private final Duration rediscoverEvery;
  private final @Nullable UniverseFilter filter;
  private final boolean books;
  private final boolean tickers;
  private final int priorityReserve;
  private final boolean stream;
  private final Duration staleAfter;
  private final Duration streamCycle;
  private final Duration reconnectFirst;
  private final Duration reconnectMax;
  private final @Nullable Duration priorityRefresh;

  private VenueOptions(Builder b) {
    this.priorityRefresh = b.priorityRefresh == null ? null
        : Checks.range("priorityRefresh", b.priorityRefresh, Duration.ofMillis(1),
            Duration.ofHours(1));
    this.stream = b.stream;
    this.staleAfter = Checks.range("staleAfter", b.staleAfter, Duration.ofMillis(10),
        Duration.ofHours(1));
    this.streamCycle = Checks.range("streamCycle", b.streamCycle, Duration.ofMillis(10),
        Duration.ofHours(1));
    this.reconnectFirst = Checks.range("reconnectBackoff first", b.reconnectFirst,
        Duration.ofMillis(1), Duration.ofMinutes(10));
    this.reconnectMax = Checks.range("reconnectBackoff max", b.reconnectMax, reconnectFirst,
        Duration.ofHours(1));
    this.priorityReserve = Checks.range("priorityReserve", b.priorityReserve, 0, 1_000_000);
    this.concurrency = b.concurrency == null ? null
        : Checks.range("concurrency", b.concurrency, 1, MAX_CONCURRENCY);
    this.rateLimit = b.rateLimit;
    this.instruments = b.instruments;
    this.depth = Checks.range("depth", b.depth, 1, MAX_DEPTH);
    this.requestTimeout = Checks.range("requestTimeout", b.requestTimeout, Duration.ofMillis(1),
        Duration.ofMinutes(10));
    this.retry = b.retry;
    this.rediscoverAfterFailures =
        Checks.range("rediscoverAfterFailures", b.rediscoverAfterFailures, 1, 1_000_000);
    this.rediscoverEvery = Checks.range("rediscoverEvery", b.rediscoverEvery,
        Duration.ofSeconds(1), Duration.ofDays(7));
    this.filter = b.filter;
    if (!b.books && !b.tickers) {
      throw new IllegalArgumentException("books and tickers must not both be off");
    }
    this.books = b.books;
    this.tickers = b.tickers;
  }

  /** The defaults: discovery, depth 20, 5 s timeout, default retries, books and tickers. */
  public static VenueOptions ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** Requests in flight at once, if set; otherwise the source's default. */
  public OptionalInt concurrency() {
    return concurrency == null ? OptionalInt.empty() : OptionalInt.of(concurrency);
  }

  /** The rate limit, if set; otherwise the source's own. */
  public Optional<RateLimitSpec> rateLimit() {
    return Optional.ofNullable(rateLimit);
  }

  /** A fixed instrument list, if set; otherwise the venue's instruments are discovered. */
  public Optional<List<Instrument>> instruments() {
    return Optional.ofNullable(instruments);
  }

  /** Book levels per side to ask for. */
  public int depth() {
    return depth;
  }

  /** How long one request may take before it is cancelled and counted as transient. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** How failed requests are retried. */
  public RetryPolicy retry() {
    return retry;
  }

  /** Consecutive failed fetches after which the venue re-runs instrument discovery. */
  public int rediscoverAfterFailures() {
    return rediscoverAfterFailures;
  }

  /** How often discovered instruments are refreshed. */
  public Duration rediscoverEvery() {
    return rediscoverEvery;
  }

  /** This venue's universe filter, if set; otherwise the scanner's. */
  public Optional<UniverseFilter> filter() {
    return Optional.ofNullable(filter);
  }

  /**
   * How often each priority instrument is refreshed at least, if set; otherwise the scanner's
   * {@link Scanner.Builder#priorityRefresh}. Where the priority set alone needs more than the
   * venue's budget, it is refreshed as often as half the budget allows, spread evenly.
   */
  public Optional<Duration> priorityRefresh() {
    return Optional.ofNullable(priorityRefresh);
  }

  /** Weight of each rate-limit window kept for priority requests (0: none). */
  public int priorityReserve() {
    return priorityReserve;
  }

  /** Whether order books are fetched. */
  public boolean books() {
    return books;
  }

  /** Whether tickers are fetched (in bulk where the venue can). */
  public boolean tickers() {
    return tickers;
  }

  /**
   * Whether the venue's push stream is used where its source has one: streamed books and
   * tickers replace polling for every instrument the stream keeps live, and REST polling takes
   * over for the others while the stream is down, resyncing or stale.
   */
  public boolean stream() {
    return stream;
  }

  /** How long a streamed instrument may go without an update before it is resynced and polled. */
  public Duration staleAfter() {
    return staleAfter;
  }

  /**
   * The shortest pass of a streamed venue: when the stream keeps everything live there is
   * nothing to poll, and its pass ends this often.
   */
  public Duration streamCycle() {
    return streamCycle;
  }

  /** First pause before reconnecting a dropped stream; doubles, with jitter, per failure. */
  public Duration reconnectFirst() {
    return reconnectFirst;
  }

  /** Longest pause between reconnection attempts. */
  public Duration reconnectMax() {
    return reconnectMax;
  }

  @Override
  public String toString() {
    return "VenueOptions{concurrency " + (concurrency == null ? "source default" : concurrency)
        + ", rateLimit " + (rateLimit == null ? "source default" : rateLimit) + ", instruments "
        + (instruments == null ? "discovered" : instruments.size()) + ", depth " + depth
        + ", requestTimeout " + requestTimeout + ", " + retry + ", rediscoverAfterFailures "
        + rediscoverAfterFailures + ", rediscoverEvery " + rediscoverEvery + ", filter "
        + (filter == null ? "scanner default" : filter) + ", priorityRefresh "
        + (priorityRefresh == null ? "scanner default" : priorityRefresh)
        + ", priorityReserve " + priorityReserve
        + ", books " + books + ", tickers " + tickers
        + (stream ? ", stream (staleAfter " + staleAfter + ", streamCycle " + streamCycle
            + ", reconnect " + reconnectFirst + ".." + reconnectMax + ")" : ", no stream") + '}';
  }

  /** Builds {@link VenueOptions}. Not thread-safe. */
  public static final class Builder {
    private @Nullable Integer concurrency;
    private @Nullable RateLimitSpec rateLimit;
    private @Nullable List<Instrument> instruments;
    private int depth = 20;
    private Duration requestTimeout = Duration.ofSeconds(5);
    private RetryPolicy retry = RetryPolicy.ofDefaults();
    private int rediscoverAfterFailures = 10;
    private Duration rediscoverEvery = Duration.ofHours(1);
    private @Nullable UniverseFilter filter;
    private boolean books = true;
    private boolean tickers = true;
    private int priorityReserve;
    private boolean stream;
    private Duration staleAfter = Duration.ofSeconds(30);
    private Duration streamCycle = Duration.ofSeconds(1);
    private Duration reconnectFirst = Duration.ofMillis(500);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private @Nullable Duration priorityRefresh;

    private Builder() {}

    /**
     * How often each priority instrument of this venue is refreshed at least, 1 ms to 1 h
     * (default: the scanner's {@link Scanner.Builder#priorityRefresh}, 1 s).
     */
    public Builder priorityRefresh(Duration priorityRefresh) {
      this.priorityRefresh = Objects.requireNonNull(priorityRefresh, "priorityRefresh");
      return this;
    }

    /** Requests in flight at once, 1 to 1024 (default: the source's own). */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** The rate limit (default: the source's own). */
    public Builder rateLimit(RateLimitSpec rateLimit) {
      this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
      return this;
    }

    /** A fixed list of instruments, at least one (default: discover the venue's instruments). */
    public Builder instruments(List<Instrument> instruments) {
      List<Instrument> copy = List.copyOf(instruments);
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("instruments must not be empty");
      }
      this.instruments = copy;
      return this;
    }

    /** Book levels per side, 1 to 5000 (default 20). */
    public Builder depth(int depth) {
      this.depth = depth;
      return this;
    }

    /** Timeout of one request, 1 ms to 10 min (default 5 s). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** Retry policy (default {@link RetryPolicy#ofDefaults()}). */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** Consecutive failed fetches that trigger rediscovery, 1 to 1,000,000 (default 10). */
    public Builder rediscoverAfterFailures(int failures) {
      this.rediscoverAfterFailures = failures;
      return this;
    }

    /** How often discovered instruments are refreshed, 1 s to 7 days (default 1 h). */
    public Builder rediscoverEvery(Duration every) {
      this.rediscoverEvery = Objects.requireNonNull(every, "rediscoverEvery");
      return this;
    }

    /** Which discovered instruments to scan on this venue (default: the scanner's filter). */
    public Builder filter(UniverseFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * Weight of each rate-limit window that only priority requests may use (default 0). The
     * scheduler paces requests evenly across the window, so a priority request rarely waits for
     * weight; a reserve makes sure one can go at once even when a stream's snapshot requests or
     * a throttle left the window full, at the cost of that much ordinary throughput per window.
     * Must stay below the venue's budget.
     */
    public Builder priorityReserve(int weight) {
      this.priorityReserve = weight;
      return this;
    }

    /** Whether to fetch order books (default true). */
    public Builder books(boolean books) {
      this.books = books;
      return this;
    }

    /** Whether to fetch tickers (default true). */
    public Builder tickers(boolean tickers) {
      this.tickers = tickers;
      return this;
    }

    /**
     * Whether to use the venue's push stream where its source has one (default false: streams
     * hold connections open, so they are asked for). See {@link VenueOptions#stream()}.
     */
    public Builder stream(boolean stream) {
      this.stream = stream;
      return this;
    }

    /**
     * How long a streamed instrument may go without an update before the scanner asks the
     * stream to resync it and polls it meanwhile, 10 ms to 1 h (default 30 s). Quiet markets
     * send few updates: keep it well above their usual gap.
     */
    public Builder staleAfter(Duration staleAfter) {
      this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
      return this;
    }

    /** The shortest pass of a streamed venue, 10 ms to 1 h (default 1 s). */
    public Builder streamCycle(Duration streamCycle) {
      this.streamCycle = Objects.requireNonNull(streamCycle, "streamCycle");
      return this;
    }

    /**
     * Reconnection backoff of a dropped stream: the first pause, 1 ms to 10 min (default
     * 500 ms), doubling per failed attempt with ±50% jitter up to the longest, at least the
     * first and at most 1 h (default 30 s). It starts again from the first pause once a
     * connection delivered data.
     */
    public Builder reconnectBackoff(Duration first, Duration max) {
      this.reconnectFirst = Objects.requireNonNull(first, "first");
      this.reconnectMax = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the bad argument and its allowed range
     */
    public VenueOptions build() {
      return new VenueOptions(this);
    }
  }
}
