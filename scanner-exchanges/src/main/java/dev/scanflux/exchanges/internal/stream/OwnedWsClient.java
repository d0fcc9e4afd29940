package dev.scanflux.exchanges.internal.stream;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link WsClient} with a thread of its own, for a stream whose REST source has no HTTP client
 * to share (an XChange source) or should not share one: made on first use, released by
 * {@link #close()}. Thread-safe.
 */
public final class OwnedWsClient implements AutoCloseable {

  private final String venue;
  private final Duration connectTimeout;
  private @Nullable ExecutorService executor;
  private @Nullable WsClient client;
  private boolean closed;

  /**
   * @param venue          the venue's name, for the thread's name
   * @param connectTimeout the HTTP client's connect timeout
   */
  public OwnedWsClient(String venue, Duration connectTimeout) {
    this.venue = Objects.requireNonNull(venue, "venue");
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
  }

  /**
   * The client, made on the first subscription on a bounded-elastic thread (the JDK's client
   * opens a selector when it is made); errors with {@link IllegalStateException} once closed.
   */
  public Mono<WsClient> get() {
    return Mono.fromCallable(this::client).subscribeOn(Schedulers.boundedElastic());
  }

  private synchronized WsClient client() {
    if (closed) {
      throw new IllegalStateException(venue + ": the stream is closed");
    }
    WsClient c = client;
    if (c == null) {
      AtomicInteger n = new AtomicInteger();
      ExecutorService e = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scanflux-" + venue + "-ws-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      c = new WsClient(HttpClient.newBuilder().executor(e).connectTimeout(connectTimeout)
          .build());
      executor = e;
      client = c;
    }
    return c;
  }

  /** Shuts the client's thread down; connections still open fail. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
