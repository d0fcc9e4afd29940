package dev.scanflux.exchanges.internal;

import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One venue's network resources, owned and disposed by whoever made them: a Reactor Netty event
 * loop of {@value #THREADS} daemon thread named {@code scanflux-<venue>-<role>-nio-<n>}, a DNS
 * resolver on it, and the HTTP connection pool. The loop is Java NIO even where Netty's native
 * epoll is on the class path (XChange's stream modules bring it), so that the resolver's
 * channels, NIO too, match it. {@link #close()} releases them all without
 * blocking: every connection is closed and the threads end shortly after; requests and
 * connections still in flight end with {@link #closed()}'s signal. Nothing here uses Reactor
 * Netty's global resources, so a scanner that is closed leaves no thread or socket behind.
 * Thread-safe.
 */
public final class Transport implements AutoCloseable {

  /**
   * Event-loop threads per transport. One: a venue's traffic is a few requests or messages at a
   * time, and one thread keeps them in the order the engine sent them (with two, a thread the
   * machine is slow to schedule lets later requests overtake a priority one).
   */
  static final int THREADS = 1;
  private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private final String name;
  private final LoopResources loops;
  private final DnsAddressResolverGroup resolver;
  private final ConnectionProvider pool;
  private final Sinks.Empty<Void> closing = Sinks.empty();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * New resources; no thread starts before the first connection.
   *
   * @param venue          the venue's name, for the threads' names
   * @param role           what they serve, e.g. {@code http} or {@code ws}
   * @param maxConnections the HTTP pool's size: connections open at once, at least 1
   */
  public Transport(String venue, String role, int maxConnections) {
    Objects.requireNonNull(venue, "venue");
    Objects.requireNonNull(role, "role");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1 but was "
          + maxConnections);
    }
    this.name = "scanflux-" + venue + "-" + role;
    this.loops = LoopResources.create(name, 1, THREADS, true, false);
    this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
        .datagramChannelType(NioDatagramChannel.class)
        .socketChannelType(NioSocketChannel.class));
    this.pool = ConnectionProvider.builder(name)
        .maxConnections(maxConnections)
        // Waiting for a connection is bounded by each request's own deadline, not by a count:
        // a count would fail requests the engine has already admitted.
        .pendingAcquireMaxCount(-1)
        .maxIdleTime(Duration.ofSeconds(30))
        .build();
  }

  /**
   * An HTTP client on the pool: requests reuse idle connections. Reactor Netty's one silent
   * re-send of a request whose pooled connection was reset is off: the venue would see a request
   * that the scanner neither counted nor charged to the venue's budget.
   */
  public HttpClient pooled() {
    return HttpClient.create(pool).runOn(loops, false).resolver(resolver).disableRetry(true);
  }

  /** An HTTP client that opens a connection of its own per request, for WebSocket sessions. */
  public HttpClient unpooled() {
    return HttpClient.newConnection().runOn(loops, false).resolver(resolver)
        .disableRetry(true);
  }

  /** Completes when {@link #close()} is called; at once if it was. */
  public Mono<Void> closed() {
    return closing.asMono();
  }

  /** True once {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Releases everything, without blocking: requests and connections in flight are told (see
   * {@link #closed()}), the pool and every connection are closed, and the event loop's threads
   * end once their last task ran. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closing.tryEmitEmpty();
    resolver.close();
    // Independent, so that a pool still waiting for a connection cannot hold the threads.
    pool.disposeLater().subscribe(null, e -> LOG.debug("{}: closing the pool failed", name, e));
    loops.disposeLater(Duration.ZERO, SHUTDOWN_TIMEOUT)
        .subscribe(null, e -> LOG.debug("{}: closing the event loop failed", name, e));
  }

  @Override
  public String toString() {
    return "Transport{" + name + (closed.get() ? ", closed}" : "}");
  }
}
