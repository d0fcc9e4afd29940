package dev.scanflux.simulator.internal;

import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.enums.Opcode;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.server.WebSocketServer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The simulator's WebSocket server: Java-WebSocket on 127.0.0.1 (a port chosen by the system,
 * bound at construction), one {@link WsProtocol}, and the WebSocket faults, log and counts.
 *
 * <p>Java-WebSocket reads and writes on its own threads; every protocol call is handed to one
 * daemon stream thread, which also runs the ticks at the stream interval, so protocols are
 * single-threaded. The server owns the faults that do not depend on a format: {@code MALFORMED}
 * (applied in {@link #send}), {@code DROP}, {@code IDLE} and {@code REFUSE}.
 */
public final class WsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WsServer.class);
  private static final String MALFORMED_TEXT = "<html><body>502 Bad Gateway</body></html>";

  /**
   * What the server is told.
   *
   * @param name     the venue's name, for thread names and logs
   * @param protocol the wire format
   * @param interval the stream tick
   * @param clock    the clock of the log
   */
  public record Config(String name, WsProtocol protocol, Duration interval, Scheduler clock) {}

  /** A one-shot fault waiting for the message it applies to. */
  private record Pending(WsFault fault, @Nullable SimInstrument instrument) {}

  private final Config config;
  private final Server server;
  private final ScheduledThreadPoolExecutor stream;
  private final Map<WebSocket, WsPeer> peers = new ConcurrentHashMap<>();
  private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final Queue<WsEvent> log = new ConcurrentLinkedQueue<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final Map<WsFault, AtomicLong> applied = new EnumMap<>(WsFault.class);
  private final AtomicLong endlessBytes = new AtomicLong();
  /** Connections an endless message is being written on: nothing else is sent on them. */
  private final Set<WsPeer> endless = ConcurrentHashMap.newKeySet();
  private final ExecutorService endlessWriters;
  private volatile boolean idle;
  private volatile boolean refuse;
  private volatile boolean started;
  private volatile boolean closed;

  /**
   * Binds the port; the server accepts connections once {@link #start()} is called.
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  public WsServer(Config config) {
    this.config = config;
    ServerSocketChannel channel;
    try {
      channel = ServerSocketChannel.open();
      channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the " + config.name() + " WebSocket simulator",
          e);
    }
    this.server = new Server(channel);
    server.setDaemon(true);
    server.setReuseAddr(true);
    server.setTcpNoDelay(true);
    server.setConnectionLostTimeout(0);
    AtomicInteger n = new AtomicInteger();
    this.stream = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "scanflux-sim-" + config.name() + "-ws-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    stream.setRemoveOnCancelPolicy(true);
    AtomicInteger e = new AtomicInteger();
    this.endlessWriters = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "scanflux-sim-" + config.name() + "-ws-endless-"
          + e.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    for (WsFault f : WsFault.values()) {
      applied.put(f, new AtomicLong());
    }
  }

  /** Starts accepting connections and ticking. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    server.start();
    long period = config.interval().toNanos();
    stream.scheduleAtFixedRate(() -> run("tick", () -> config.protocol().onTick(this::take)),
        period, period, TimeUnit.NANOSECONDS);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** {@code ws://127.0.0.1:PORT/path}. */
  public String url() {
    return "ws://127.0.0.1:" + port() + config.protocol().path();
  }

  /**
   * Injects a fault: one-shot faults wait for the message they apply to, {@code IDLE} and
   * {@code REFUSE} hold until {@link #clearFaults()}, {@code DROP} acts now.
   *
   * @param instrument the instrument a one-shot fault is for, or null for any
   */
  public void fault(WsFault fault, @Nullable SimInstrument instrument) {
    switch (fault) {
      case IDLE -> {
        idle = true;
        applied.get(WsFault.IDLE).incrementAndGet();
      }
      case REFUSE -> refuse = true;
      case DROP -> execute("drop", this::dropAll);
      case SEQUENCE_GAP, CHECKSUM_MISMATCH, MALFORMED, ENDLESS_MESSAGE ->
          pending.add(new Pending(fault, instrument));
    }
  }

  /** Ends {@code IDLE} and {@code REFUSE} and drops the one-shot faults not met yet. */
  public void clearFaults() {
    idle = false;
    refuse = false;
    pending.clear();
  }

  /** The log so far, in order; an immutable copy. */
  public List<WsEvent> log() {
    return List.copyOf(new ArrayList<>(log));
  }

  /** Forgets the log. */
  public void clearLog() {
    log.clear();
  }

  /** Messages sent to clients so far, on every connection. */
  public long sent() {
    return sent.get();
  }

  /** Connections open now. */
  public int open() {
    return peers.size();
  }

  /** Connections an endless message is being written on now. */
  public int endlessOpen() {
    return endless.size();
  }

  /**
   * Faults applied since the start, by kind (every kind present): one-shot faults when they hit
   * a message, {@code DROP} per connection dropped, {@code REFUSE} per connection refused,
   * {@code IDLE} per time it was set.
   */
  public Map<WsFault, Long> faultsApplied() {
    EnumMap<WsFault, Long> counts = new EnumMap<>(WsFault.class);
    applied.forEach((f, n) -> counts.put(f, n.get()));
    return counts;
  }

  /** Bytes written into endless messages so far. */
  public long endlessBytesSent() {
    return endlessBytes.get();
  }

  /**
   * Asks the protocol a question on the stream thread, between two ticks, and waits for the
   * answer.
   *
   * @throws IllegalStateException if the server is closed or no answer comes within 10 s
   */
  public <T> T query(Function<WsProtocol, T> question) {
    try {
      return stream.submit(() -> question.apply(config.protocol())).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the " + config.name() + " WebSocket simulator is closed",
          e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("the " + config.name()
          + " WebSocket simulator did not answer within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stream.shutdownNow();
    endlessWriters.shutdownNow();
    try {
      server.stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends a frame to a peer, unless idle or its connection is closing; a waiting
   * {@code MALFORMED} replaces it. A fault is counted as applied only once its frame was handed
   * to an open connection: one whose connection closed under it waits for the next frame.
   */
  public void send(WsPeer peer, String text, @Nullable SimInstrument instrument) {
    if (idle || closed || endless.contains(peer) || !peer.socket().isOpen()) {
      return;
    }
    if (takePending(WsFault.ENDLESS_MESSAGE, instrument) != null) {
      startEndless(peer);
      return;
    }
    Pending malformed = takePending(WsFault.MALFORMED, instrument);
    // Counted first: a client may read the frame before send() returns.
    sent.incrementAndGet();
    try {
      String frame = malformed != null ? MALFORMED_TEXT : text;
      byte[] binary = config.protocol().binary(frame);
      if (binary != null) {
        peer.socket().send(binary);
      } else {
        peer.socket().send(frame);
      }
    } catch (WebsocketNotConnectedException e) {
      sent.decrementAndGet();
      if (malformed != null) {
        untake(malformed);
      }
      LOG.debug("{} WebSocket simulator: {} left before a frame", config.name(), peer, e);
    }
  }

  /** A protocol's fault for a delta it is making: none while idle, when nothing is sent. */
  private boolean take(WsFault fault, SimInstrument instrument) {
    return !idle && !closed && takePending(fault, instrument) != null;
  }

  private @Nullable Pending takePending(WsFault fault, @Nullable SimInstrument instrument) {
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.fault() == fault && (p.instrument() == null || p.instrument() == instrument)) {
        if (pending.remove(p)) {
          applied.get(fault).incrementAndGet();
          return p;
        }
      }
    }
    return null;
  }

  /** A fault taken for a frame that could not be sent waits again, uncounted. */
  private void untake(Pending p) {
    applied.get(p.fault()).decrementAndGet();
    pending.add(p);
  }

  private void dropAll() {
    for (WsPeer peer : List.copyOf(peers.values())) {
      applied.get(WsFault.DROP).incrementAndGet();
      peer.socket().closeConnection(CloseFrame.ABNORMAL_CLOSE, "dropped by the simulator");
    }
  }

  /** Starts a text message that never ends on {@code peer}, on a thread of its own. */
  private void startEndless(WsPeer peer) {
    endless.add(peer);
    try {
      endlessWriters.execute(() -> endlessMessage(peer));
    } catch (RejectedExecutionException e) {
      LOG.debug("{} WebSocket simulator closed before an endless message", config.name(), e);
    }
  }

  private void endlessMessage(WsPeer peer) {
    WebSocket socket = peer.socket();
    byte[] piece = ENDLESS_PIECE;
    try {
      socket.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(ENDLESS_START), false);
      while (!closed && socket.isOpen() && !Thread.currentThread().isInterrupted()) {
        if (socket.hasBufferedData()) {
          LockSupport.parkNanos(200_000); // the client reads slower than we write: wait for it
          continue;
        }
        socket.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(piece), false); // continues it
        endlessBytes.addAndGet(piece.length);
      }
    } catch (WebsocketNotConnectedException e) {
      LOG.debug("{} WebSocket simulator: {} left an endless message", config.name(), peer, e);
    } finally {
      endless.remove(peer);
    }
  }

  private static final byte[] ENDLESS_START =
      "{\"data\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ENDLESS_PIECE =
      "[\"100.5\",\"1.25\"],".repeat(64 * 1024 / 17).getBytes(StandardCharsets.US_ASCII);

  private void record(int connection, WsEvent.Kind kind, String text) {
    log.add(new WsEvent(Instant.ofEpochMilli(config.clock().now(TimeUnit.MILLISECONDS)),
        connection, kind, text));
  }

  private void execute(String what, Runnable task) {
    try {
      stream.execute(() -> run(what, task));
    } catch (RejectedExecutionException e) {
      LOG.debug("{} WebSocket simulator closed before {}", config.name(), what, e);
    }
  }

  /** Runs a protocol call; a bug in a format is logged, never kills the stream thread. */
  private void run(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.warn("{} WebSocket simulator failed on {}", config.name(), what, e);
    }
  }

  private static String path(String resource) {
    int q = resource.indexOf('?');
    return q < 0 ? resource : resource.substring(0, q);
  }

  private final class Server extends WebSocketServer {

    Server(ServerSocketChannel channel) {
      super(channel);
    }

    @Override
    public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn,
        Draft draft, ClientHandshake request) throws InvalidDataException {
      String path = path(request.getResourceDescriptor());
      if (refuse || !config.protocol().accepts(path)) {
        int id = connections.incrementAndGet();
        if (refuse) {
          applied.get(WsFault.REFUSE).incrementAndGet();
        }
        record(id, WsEvent.Kind.REFUSED, path);
        throw new InvalidDataException(CloseFrame.POLICY_VALIDATION,
            refuse ? "refused by the simulator" : "no WebSocket endpoint at " + path);
      }
      return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      WsPeer peer = new WsPeer(connections.incrementAndGet(), WsServer.this, conn,
          handshake.getResourceDescriptor());
      peers.put(conn, peer);
      record(peer.id(), WsEvent.Kind.OPENED, path(handshake.getResourceDescriptor()));
      execute("open", () -> config.protocol().onOpen(peer));
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      WsPeer peer = peers.get(conn);
      if (peer == null) {
        return;
      }
      record(peer.id(), WsEvent.Kind.RECEIVED, message);
      execute("a client frame", () -> config.protocol().onText(peer, message));
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      WsPeer peer = peers.remove(conn);
      if (peer == null) {
        return;
      }
      record(peer.id(), WsEvent.Kind.CLOSED, code + (reason.isEmpty() ? "" : " " + reason));
      execute("close", () -> config.protocol().onClose(peer));
    }

    @Override
    public void onError(@Nullable WebSocket conn, Exception e) {
      LOG.debug("{} WebSocket simulator: connection error", config.name(), e);
    }

    @Override
    public void onStart() {
      LOG.debug("{} WebSocket simulator listening on {}", config.name(), url());
    }
  }
}
