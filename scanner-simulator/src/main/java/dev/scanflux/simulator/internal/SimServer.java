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
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The simulator's HTTP server: JDK {@code HttpServer} on 127.0.0.1, a port chosen by the system.
 *
 * <p>Handlers only decide the answer; the answer is written later by a timer thread after the
 * simulated round trip, so latency holds no thread. A hung request is never answered; its
 * connection is closed with the server. A slow drip is written piece by piece by the timer; an
 * endless body holds one thread of its own, writing as fast as the client reads, until the
 * client leaves or the server closes.
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
  /** Answers still being written by a hostile fault (endless body, slow drip). */
  private final Set<HttpExchange> hostile = ConcurrentHashMap.newKeySet();
  private final Map<Fault, AtomicLong> served = new EnumMap<>(Fault.class);
  private final AtomicLong endlessBytes = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService timer;
  private final ExecutorService endless;
  private volatile boolean closed;
  private volatile boolean randomFaults = true;

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
    this.endless = Executors.newCachedThreadPool(threads("scanflux-sim-" + config.name()
        + "-endless"));
    for (Fault f : Fault.values()) {
      served.put(f, new AtomicLong());
    }
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

  /** Turns the faults drawn at the configured rates on or off; scripted faults still apply. */
  public void randomFaults(boolean on) {
    randomFaults = on;
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

  /**
   * Faults served since the start, by kind (every kind present), whatever the request log was
   * cleared of. A fault is counted when the request meeting it arrives.
   */
  public Map<Fault, Long> faultsServed() {
    EnumMap<Fault, Long> counts = new EnumMap<>(Fault.class);
    served.forEach((f, n) -> counts.put(f, n.get()));
    return counts;
  }

  /** Body bytes written into endless bodies so far, over every request. */
  public long endlessBytesSent() {
    return endlessBytes.get();
  }

  /** Answers a hostile fault is still writing (endless bodies, slow drips). */
  public int hostileOpen() {
    return hostile.size();
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
    for (HttpExchange ex : hostile) {
      ex.close();
    }
    hostile.clear();
    timer.shutdownNow();
    endless.shutdownNow();
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
      send(ex, new VenueProtocol.Reply(500, "{\"error\":\"simulator failure\"}"), null);
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
    if (fault != null) {
      served.get(fault).incrementAndGet();
    }
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
    @Nullable Fault how = fault;
    long delay = delayNanos();
    if (delay == 0) {
      send(ex, answer, how);
    } else {
      try {
        timer.schedule(() -> send(ex, answer, how), delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("{} simulator closed before answering {}", config.name(), request.path(), e);
        inFlight.decrementAndGet();
        ex.close();
      }
    }
  }

  private void send(HttpExchange ex, VenueProtocol.Reply reply, @Nullable Fault fault) {
    // counted out before the answer leaves: a client holding it must not see it in flight
    inFlight.decrementAndGet();
    if (fault == Fault.ENDLESS_BODY || fault == Fault.SLOW_DRIP) {
      hostile(ex, reply, fault);
      return;
    }
    try {
      if (fault == Fault.CONNECTION_RESET || closed) {
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

  /** Starts an endless body or a slow drip; the exchange is closed when it ends. */
  private void hostile(HttpExchange ex, VenueProtocol.Reply reply, Fault fault) {
    hostile.add(ex);
    try {
      if (closed) {
        throw new java.util.concurrent.RejectedExecutionException("closed");
      }
      ex.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
      if (fault == Fault.ENDLESS_BODY) {
        ex.sendResponseHeaders(200, 0); // chunked: no length, no end
        endless.execute(() -> endlessBody(ex));
      } else {
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        drip(ex, bytes, 0);
      }
    } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("{} simulator: the client left before a {} answer", config.name(), fault, e);
      endHostile(ex);
    }
  }

  /** Writes an array that never closes, as fast as the client reads, until either side ends. */
  private void endlessBody(HttpExchange ex) {
    byte[] chunk = EndlessJson.CHUNK;
    try {
      OutputStream out = ex.getResponseBody();
      out.write(EndlessJson.START);
      while (!closed && !Thread.currentThread().isInterrupted()) {
        out.write(chunk);
        endlessBytes.addAndGet(chunk.length);
      }
    } catch (IOException e) {
      LOG.debug("{} simulator: the client left an endless body", config.name(), e);
    } finally {
      endHostile(ex);
    }
  }

  /** Writes the next piece of a slow drip, then schedules the one after. */
  private void drip(HttpExchange ex, byte[] body, int from) {
    if (closed) {
      endHostile(ex);
      return;
    }
    int piece = Math.max(1, (body.length + SLOW_DRIP_PIECES - 1) / SLOW_DRIP_PIECES);
    int to = Math.min(body.length, from + piece);
    try {
      OutputStream out = ex.getResponseBody();
      out.write(body, from, to - from);
      out.flush();
      if (to >= body.length) {
        out.close();
        endHostile(ex);
        return;
      }
      timer.schedule(() -> drip(ex, body, to), SLOW_DRIP_SPAN.toNanos() / SLOW_DRIP_PIECES,
          TimeUnit.NANOSECONDS);
    } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("{} simulator: the client left a slow drip", config.name(), e);
      endHostile(ex);
    }
  }

  private void endHostile(HttpExchange ex) {
    hostile.remove(ex);
    ex.close();
  }

  /** Pieces a {@link Fault#SLOW_DRIP} body is cut into. */
  public static final int SLOW_DRIP_PIECES = 60;

  /** How long a {@link Fault#SLOW_DRIP} body takes to arrive in full. */
  public static final Duration SLOW_DRIP_SPAN = Duration.ofSeconds(60);

  /** The bytes of an endless body. */
  private static final class EndlessJson {
    static final byte[] START = "{\"data\":[".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CHUNK = "[\"100.5\",\"1.25\"],".repeat(4096)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private @Nullable Fault nextFault() {
    Fault f = scripted.poll();
    if (f != null || config.faultRates().isEmpty() || !randomFaults) {
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
