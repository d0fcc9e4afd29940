package dev.scanflux.server;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.server.internal.Api;
import dev.scanflux.server.internal.Feeds;
import dev.scanflux.server.internal.Settings;
import dev.scanflux.server.internal.ThresholdSpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * The scan service over a running {@link Scanner}: an HTTP API, Server-Sent Events, Prometheus
 * metrics and a live dashboard, on Reactor Netty.
 *
 * <ul>
 *   <li>{@code POST /api/scanner/scan}: signals and per-venue timing for {@code {"exchange":
 *       "binance"}} or a list, answered from the running scanner's latest scan, or by a one-off
 *       scan for venues it does not cover;
 *   <li>{@code GET /api/scanner/latest}, {@code /api/venues}, {@code /api/venues/{venue}},
 *       {@code /api/book}, {@code /api/ticker}, {@code /api/alerts}, {@code /api/signals};
 *   <li>{@code GET /api/events/scans}, {@code /alerts}, {@code /snapshots}, {@code /dashboard}:
 *       event streams that keep only the latest event per key for a slow client;
 *   <li>{@code GET /metrics} (Prometheus), {@code GET /health}, and {@code GET /}, the dashboard.
 * </ul>
 * docs/server.md shows every endpoint with an example.
 *
 * <p>Any {@link Scanner} will do: a local one, or one fed by other processes (scanner-kafka's
 * {@code MarketFeed}). The venues served are asked of it on each request, so a feed's venues
 * appear as its nodes announce them; where its scans each cover some venues (one per node), each
 * venue is answered from the latest scan that covered it; and a book whose health says {@code
 * REMOTE} and {@code STALE} (its node stopped) shows as stale.
 *
 * <pre>{@code
 * ScanTap tap = ScanTap.create();
 * Scanner scanner = Scanner.builder().venue(source).listener(tap).build().start();
 * try (ScanServer server = ScanServer.builder(scanner).tap(tap).port(8080).build().start()) {
 *   System.out.println("dashboard at " + server.url());
 *   ...
 * }
 * }</pre>
 *
 * <h2>Safety</h2>
 * Binds {@code 127.0.0.1} by default; any other address needs a {@link Builder#token token}, which
 * every request but {@code /health} must then present ({@code Authorization: Bearer}, or the
 * cookie a browser gets from {@code /?token=…}). Request lines, headers and bodies are capped;
 * bad input gets a 400 with a JSON error naming the problem, counted by reason in {@code
 * scanflux_server_bad_requests_total}; one-off scans beyond {@link Builder#maxOneOffScans} at once
 * get a 429 with {@code Retry-After}; no stack trace ever reaches an answer.
 *
 * <h2>Threading and lifecycle</h2>
 * Nothing blocks an event-loop thread: reads take the scanner's lock-free view, strategies run on
 * the server's worker. The server owns its event loops and worker and frees them on {@link
 * #close()}; it does not close the scanner.
 */
public final class ScanServer implements AutoCloseable {

  private final Settings settings;
  private final String bindAddress;
  private final int port;
  private @Nullable LoopResources loops;
  private @Nullable Scheduler worker;
  private @Nullable Feeds feeds;
  private @Nullable DisposableServer server;
  private boolean closed;

  private ScanServer(Settings settings, String bindAddress, int port) {
    this.settings = settings;
    this.bindAddress = bindAddress;
    this.port = port;
  }

  /** A builder for a server over a scanner, which the caller starts and closes. */
  public static Builder builder(Scanner scanner) {
    return new Builder(scanner);
  }

  /**
   * Binds and starts serving; calling it again has no effect.
   *
   * @return this server
   * @throws IllegalStateException if closed, or if the address cannot be bound
   */
  public synchronized ScanServer start() {
    if (closed) {
      throw new IllegalStateException("the server is closed");
    }
    if (server != null) {
      return this;
    }
    loops = LoopResources.create("scanflux-server", 1, 2, true);
    worker = Schedulers.newParallel("scanflux-server-worker", 2, true);
    feeds = new Feeds(settings, worker);
    Api api = new Api(settings, worker, feeds);
    try {
      server = HttpServer.create()
          .runOn(loops)
          .host(bindAddress)
          .port(port)
          .httpRequestDecoder(spec -> spec.maxInitialLineLength(4096).maxHeaderSize(8192))
          .idleTimeout(Duration.ofMinutes(2))
          .readTimeout(Duration.ofSeconds(30))
          .handle(api)
          .bindNow(Duration.ofSeconds(10));
    } catch (RuntimeException e) {
      close();
      throw new IllegalStateException("cannot serve on " + bindAddress + ":" + port + ": "
          + e.getMessage(), e);
    }
    api.started();
    return this;
  }

  /**
   * The port it listens on (the system's choice when built with port 0).
   *
   * @throws IllegalStateException if not started
   */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("the server is not started");
    }
    return server.port();
  }

  /** Its base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    String host = bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
    return "http://" + host + ":" + port();
  }

  /** The registry behind {@code GET /metrics}: the tap's, or the server's own. */
  public PrometheusMeterRegistry registry() {
    return settings.registry();
  }

  /** Stops serving, closes open connections and event streams and frees its threads; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (server != null) {
      server.disposeNow(Duration.ofSeconds(5));
      server = null;
    }
    if (feeds != null) {
      feeds.dispose();
      feeds = null;
    }
    if (worker != null) {
      worker.dispose();
      worker = null;
    }
    if (loops != null) {
      loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
      loops = null;
    }
  }

  @Override
  public String toString() {
    return "ScanServer{" + bindAddress + ":" + port + ", " + settings.scanner().venues() + '}';
  }

  /**
   * Builds a {@link ScanServer}. Setters check their argument at once and name it when it is bad;
   * {@link #build()} checks the whole. Not thread-safe.
   */
  public static final class Builder {
    private final Scanner scanner;
    private int port = 8080;
    private String bindAddress = "127.0.0.1";
    private @Nullable String token;
    private @Nullable ScanTap tap;
    private final Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    private List<String> priority = List.of();
    private final Set<String> oneOffVenues = new LinkedHashSet<>();
    private @Nullable OneOffScanner oneOff;
    private int maxOneOff = 2;
    private Duration oneOffTimeout = Duration.ofMinutes(2);
    private final Map<String, ThresholdSpec> thresholds = new LinkedHashMap<>();
    private @Nullable Function<Thresholds, Strategy<Signal>> signals;
    private @Nullable Alerts alerts;
    private int maxBodyBytes = 64 * 1024;
    private Duration staleAfter = Duration.ofSeconds(10);

    private Builder(Scanner scanner) {
      this.scanner = Objects.requireNonNull(scanner, "scanner");
    }

    /** The port, 0 to 65535; 0 lets the system choose (default 8080). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535] but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The address to listen on (default {@code 127.0.0.1}, this machine only). Any address
     * that is not a loopback one needs a {@link #token}.
     */
    public Builder bindAddress(String address) {
      this.bindAddress = Objects.requireNonNull(address, "address").strip();
      return this;
    }

    /**
     * The token every request but {@code /health} must present, at least 16 characters (default
     * none; required when binding beyond loopback). Never logged or echoed.
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.strip().length() < 16) {
        throw new IllegalArgumentException("token must be at least 16 characters but had "
            + token.strip().length());
      }
      this.token = token.strip();
      return this;
    }

    /** The scanner's tap, for live venue rows, the timeline and its meters (default none). */
    public Builder tap(ScanTap tap) {
      this.tap = Objects.requireNonNull(tap, "tap");
      return this;
    }

    /** Each venue's rate limit, for the rows' "of limit" figures (default none shown). */
    public Builder limits(Map<String, RateLimitSpec> limits) {
      limits.forEach((v, l) -> this.limits.put(Objects.requireNonNull(v, "venue"),
          Objects.requireNonNull(l, "limit")));
      return this;
    }

    /** Bases whose books the dashboard lists first, e.g. BTC, ETH (default any). */
    public Builder priority(List<String> bases) {
      List<String> upper = new ArrayList<>();
      bases.forEach(b -> upper.add(Objects.requireNonNull(b, "base").strip()
          .toUpperCase(Locale.ROOT)));
      this.priority = List.copyOf(upper);
      return this;
    }

    /**
     * Venues the running scanner does not cover that a scan request may still name: each is
     * scanned once by {@code scanner} (default none: such a request gets a 400).
     */
    public Builder oneOff(Collection<String> venues, OneOffScanner scanner) {
      venues.forEach(v -> oneOffVenues.add(Objects.requireNonNull(v, "venue")
          .toLowerCase(Locale.ROOT)));
      this.oneOff = Objects.requireNonNull(scanner, "scanner");
      return this;
    }

    /** One-off scans at once, 1 to 64 (default 2); more get a 429 with Retry-After. */
    public Builder maxOneOffScans(int max) {
      if (max < 1 || max > 64) {
        throw new IllegalArgumentException("maxOneOffScans must be in [1, 64] but was " + max);
      }
      this.maxOneOff = max;
      return this;
    }

    /**
     * How long a one-off scan (or, before the first scan, a wait for the running scanner's) may
     * take, 1 s to 1 h (default 2 min); its venues are then answered as failed.
     */
    public Builder oneOffTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0
          || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("oneOffTimeout must be in [1s, 1h] but was "
            + timeout);
      }
      this.oneOffTimeout = timeout;
      return this;
    }

    /**
     * Declares a threshold scan requests may set, by name (e.g. {@code min_edge}), with its
     * default and inclusive range; a value outside it gets a 400.
     */
    public Builder threshold(String name, double defaultValue, double min, double max) {
      thresholds.put(Objects.requireNonNull(name, "name"),
          new ThresholdSpec(name, defaultValue, min, max));
      return this;
    }

    /**
     * The strategy whose signals scan requests get, built for each request's thresholds (and
     * once at the defaults for the dashboard's live signals). Default none: answers carry no
     * signals.
     */
    public Builder signals(Function<Thresholds, Strategy<Signal>> strategy) {
      this.signals = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /**
     * The alerts to serve ({@code GET /api/alerts}: its {@link Alerts#snapshot() snapshot}) and
     * push (the {@code alerts} event stream: its {@link Alerts#events() events}); default none,
     * and the dashboard says so. The server only reads them: what they track, and closing
     * them, is the caller's.
     */
    public Builder alerts(Alerts alerts) {
      this.alerts = Objects.requireNonNull(alerts, "alerts");
      return this;
    }

    /** The largest request body, 1 KiB to 1 MiB (default 64 KiB); larger gets a 413. */
    public Builder maxBodyBytes(int max) {
      if (max < 1024 || max > 1024 * 1024) {
        throw new IllegalArgumentException("maxBodyBytes must be in [1024, 1048576] but was "
            + max);
      }
      this.maxBodyBytes = max;
      return this;
    }

    /** A book or ticker older than this shows as stale, 100 ms to 1 h (default 10 s). */
    public Builder staleAfter(Duration age) {
      Objects.requireNonNull(age, "age");
      if (age.compareTo(Duration.ofMillis(100)) < 0 || age.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("staleAfter must be in [100ms, 1h] but was " + age);
      }
      this.staleAfter = age;
      return this;
    }

    /**
     * Checks the whole and builds an unstarted server.
     *
     * @throws IllegalArgumentException if the address is not this machine's and no token was
     *     given, or a one-off venue is also a running one
     */
    public ScanServer build() {
      if (token == null && !loopback(bindAddress)) {
        throw new IllegalArgumentException("binding " + bindAddress + " exposes the server "
            + "beyond this machine: give a token (at least 16 characters), or bind 127.0.0.1");
      }
      for (String v : oneOffVenues) {
        if (scanner.venues().contains(v)) {
          throw new IllegalArgumentException("one-off venue '" + v + "' is scanned by the "
              + "running scanner already");
        }
      }
      PrometheusMeterRegistry registry = tap != null ? tap.registry()
          : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Settings s = new Settings(scanner, tap == null ? null : tap.activity(), registry,
          Map.copyOf(limits), priority, Set.copyOf(oneOffVenues), oneOff, maxOneOff,
          oneOffTimeout, Map.copyOf(thresholds), signals, alerts, maxBodyBytes, staleAfter,
          token);
      return new ScanServer(s, bindAddress, port);
    }

    private static boolean loopback(String address) {
      try {
        return InetAddress.getByName(address).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("bindAddress '" + address + "' is not an address "
            + "of this machine: " + e.getMessage(), e);
      }
    }
  }
}
