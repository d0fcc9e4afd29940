package dev.scanflux.simulator.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The simulator's HTTP server: JDK {@code HttpServer} on 127.0.0.1, a port chosen by the system.
 *
 * <p>Handlers only decide the answer; the answer is written later by a timer thread after the
 * simulated round trip, so latency holds no thread. A hung request is never answered; its
 * connection is closed with the server.
 */
public final class SimServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SimServer.class);

  /*
   * The JDK server writes the headers and the body of an answer in two segments; with Nagle's
   * algorithm on, the body waits for the client's delayed ACK of the headers, adding ~40 ms to
   * every request on Linux. The server's only switch is this property, read once when its first
   * instance is made; a value the application set itself is kept.
   */
  static {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /**
   * What the server is told.
   *
   * @param name       the venue's name, for thread names and logs
   * @param protocol   the wire format
   * @param latency    the round trip added to every answer
   * @param jitter     up to this much more, uniformly
   * @param rateLimit  whether the venue's limit is enforced
   * @param faultRates the probability of each fault per request
   * @param retryAfter the wait announced by an injected {@link Fault#THROTTLE}
   * @param seed       seeds the fault and jitter draws
   * @param clock      the clock for the log and the limiter
   */
  public record Config(String name, VenueProtocol protocol, Duration latency, Duration jitter,
      boolean rateLimit, Map<Fault, Double> faultRates, Duration retryAfter, long seed,
      Scheduler clock) {}

  private final Config config;
  private final SlidingWindowLimiter limiter;
  private final SplittableRandom random;
  private final Queue<Fault> scripted = new ConcurrentLinkedQueue<>();
  private final Queue<ServedRequest> log = new ConcurrentLinkedQueue<>();
  private final Set<HttpExchange> hung = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService timer;
  private volatile boolean closed;

  /**
   * Binds the server; it accepts requests once {@link #start()} is called.
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  public SimServer(Config config) {
    this.config = config;
    this.limiter = new SlidingWindowLimiter(config.protocol().limits());
    this.random = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
    try {
      this.server = HttpServer.create(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the " + config.name() + " simulator", e);
    }
    this.handlers = Executors.newFixedThreadPool(2, threads("scanflux-sim-" + config.name()));
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, threads("scanflux-sim-" + config.name() + "-timer"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
  }

  /** Starts serving. */
  public void start() {
    server.start();
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Makes the next requests fail with these faults, in order, ahead of any random fault. */
  public void failNext(List<Fault> faults) {
    scripted.addAll(faults);
  }

  /** Drops the queued faults. */
  public void clearScriptedFaults() {
    scripted.clear();
  }

  /** Every request served so far, in arrival order. */
  public List<ServedRequest> requestLog() {
    return List.copyOf(new ArrayList<>(log));
  }

  /** Forgets the request log. */
  public void clearRequestLog() {
    log.clear();
  }

  /** Requests in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Stop listening first: a client that re-sends a request when its hung one is cut (the JDK
    // client re-sends a GET once) must find the port closed, not a server that answers it.
    server.stop(0);
    for (HttpExchange ex : hung) {
      ex.close();
    }
    hung.clear();
    timer.shutdownNow();
    handlers.shutdownNow();
  }

  private void handle(HttpExchange ex) {
    if (closed) {
      ex.close();
      return;
    }
    int inFlightNow = inFlight.incrementAndGet();
    try {
      serve(ex, inFlightNow);
    } catch (RuntimeException e) {
      // A bug in a wire format: answer 500 rather than leave the client without an answer.
      LOG.warn("{} simulator failed on {}", config.name(), ex.getRequestURI(), e);
      send(ex, new VenueProtocol.Reply(500, "{\"error\":\"simulator failure\"}"), false);
    }
  }

  private void serve(HttpExchange ex, int inFlightNow) {
    long now = config.clock().now(TimeUnit.MILLISECONDS);
    VenueProtocol.Request request;
    try {
      request = parse(ex);
    } catch (IOException e) {
      LOG.debug("{} simulator: cannot read a request", config.name(), e);
      inFlight.decrementAndGet();
      ex.close();
      return;
    }
    VenueProtocol.Call call = config.protocol().route(request);
    Fault fault = nextFault();
    Duration wait = config.rateLimit()
        ? limiter.acquire(call.bucket(), call.weight(), now) : Duration.ZERO;
    VenueProtocol.Reply reply;
    @Nullable Duration retryAfter = null;
    if (!wait.isZero()) {
      fault = null;
      retryAfter = Duration.ofSeconds((wait.toMillis() + 999) / 1000);
      reply = config.protocol().throttled(retryAfter);
    } else if (fault == Fault.THROTTLE) {
      retryAfter = config.retryAfter();
      reply = config.protocol().throttled(retryAfter);
    } else if (fault == Fault.SERVER_ERROR) {
      reply = config.protocol().serverError();
    } else {
      reply = call.answer().apply(fault == Fault.CROSSED_BOOK);
      if (fault == Fault.TRUNCATED_JSON) {
        reply = new VenueProtocol.Reply(reply.status(),
            reply.body().substring(0, reply.body().length() / 2));
      } else if (fault == Fault.MALFORMED_JSON) {
        reply = new VenueProtocol.Reply(reply.status(),
            "<html><body>" + reply.body().replace(':', '=') + "</body></html>");
      }
    }
    boolean silent = fault == Fault.HANG || fault == Fault.CONNECTION_RESET;
    log.add(new ServedRequest(Instant.ofEpochMilli(now), request.method(), request.path(),
        rawQuery(ex), call.symbol(), call.weight(), silent ? 0 : reply.status(), inFlightNow,
        fault));
    if (fault == Fault.HANG) {
      hung.add(ex);
      if (closed) {
        ex.close();
      }
      return;
    }
    config.protocol().addHeaders(ex.getResponseHeaders(), limiter, now);
    if (retryAfter != null) {
      ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfter.toSeconds()));
    }
    VenueProtocol.Reply answer = reply;
    boolean reset = fault == Fault.CONNECTION_RESET;
    long delay = delayNanos();
    if (delay == 0) {
      send(ex, answer, reset);
    } else {
      try {
        timer.schedule(() -> send(ex, answer, reset), delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("{} simulator closed before answering {}", config.name(), request.path(), e);
        inFlight.decrementAndGet();
        ex.close();
      }
    }
  }

  private void send(HttpExchange ex, VenueProtocol.Reply reply, boolean reset) {
    // counted out before the answer leaves: a client holding it must not see it in flight
    inFlight.decrementAndGet();
    try {
      if (reset || closed) {
        return;
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
      ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      LOG.debug("{} simulator: the client left before the answer", config.name(), e);
    } finally {
      ex.close();
    }
  }

  private @Nullable Fault nextFault() {
    Fault f = scripted.poll();
    if (f != null || config.faultRates().isEmpty()) {
      return f;
    }
    double draw;
    synchronized (random) {
      draw = random.nextDouble();
    }
    for (Map.Entry<Fault, Double> e : config.faultRates().entrySet()) {
      draw -= e.getValue();
      if (draw < 0) {
        return e.getKey();
      }
    }
    return null;
  }

  private long delayNanos() {
    long base = config.latency().toNanos();
    long jitter = config.jitter().toNanos();
    if (jitter == 0) {
      return base;
    }
    synchronized (random) {
      return base + (long) (random.nextDouble() * jitter);
    }
  }

  private static VenueProtocol.Request parse(HttpExchange ex) throws IOException {
    String body;
    try (InputStream in = ex.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Map<String, String> query = new LinkedHashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null && !raw.isEmpty()) {
      for (String part : raw.split("&")) {
        int eq = part.indexOf('=');
        String key = eq < 0 ? part : part.substring(0, eq);
        String value = eq < 0 ? "" : part.substring(eq + 1);
        query.put(URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return new VenueProtocol.Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
        Map.copyOf(query), body);
  }

  private static String rawQuery(HttpExchange ex) {
    String raw = ex.getRequestURI().getRawQuery();
    return raw == null ? "" : raw;
  }

  private static ThreadFactory threads(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** An empty fault-rate map, for configurations without faults. */
  public static Map<Fault, Double> noFaults() {
    return new EnumMap<>(Fault.class);
  }
}
