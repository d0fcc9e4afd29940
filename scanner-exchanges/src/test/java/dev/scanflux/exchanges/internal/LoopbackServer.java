package dev.scanflux.exchanges.internal;

import java.time.Duration;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * A Reactor Netty HTTP (and WebSocket) server on 127.0.0.1 whose answers the test scripts, on
 * an event loop of its own that {@link #close()} releases: the transport tests' hostile venue.
 */
public final class LoopbackServer implements AutoCloseable {

  private final LoopResources loops = LoopResources.create("test-server", 1, 2, true, false);
  private final DisposableServer server;

  /** Starts a server answering every request with {@code handler}. */
  public LoopbackServer(
      BiFunction<? super HttpServerRequest, ? super HttpServerResponse, ? extends Publisher<Void>>
          handler) {
    this.server = HttpServer.create().host("127.0.0.1").port(0).runOn(loops)
        .handle(handler).bindNow(Duration.ofSeconds(10));
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** {@code ws://127.0.0.1:PORT/ws}. */
  public java.net.URI wsUri() {
    return java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws");
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(10));
    loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
  }
}
