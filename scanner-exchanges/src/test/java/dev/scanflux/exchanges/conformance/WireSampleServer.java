package dev.scanflux.exchanges.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * An HTTP server on 127.0.0.1 that answers each route with a real venue answer from
 * {@code src/test/resources/wire-samples} (or, where no real answer exists, a fixture of the
 * test's own). Records every request, and answers one that matches no route with 404 and
 * {@code {"error":"no wire sample for …"}} so that a test can assert the preset called only
 * endpoints it has real answers for.
 */
final class WireSampleServer implements AutoCloseable {

  /** One request the server saw. */
  record Seen(String method, String path, String query, String body, boolean matched) {
    @Override
    public String toString() {
      return method + ' ' + path + (query.isEmpty() ? "" : "?" + query)
          + (body.isEmpty() ? "" : " " + body) + (matched ? "" : " (no route)");
    }
  }

  private record Route(String method, String path, Predicate<Seen> when, byte[] body) {}

  private final List<Route> routes = new ArrayList<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "wire-sample-server");
    t.setDaemon(true);
    return t;
  });
  private final HttpServer server;

  WireSampleServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code GET path} with the sample {@code resource} (under wire-samples/). */
  WireSampleServer get(String path, String resource) {
    return route("GET", path, s -> true, sample(resource));
  }

  /** Answers {@code GET path} whose query holds {@code queryPart} with the sample. */
  WireSampleServer get(String path, String queryPart, String resource) {
    return route("GET", path, s -> s.query().contains(queryPart), sample(resource));
  }

  /** Answers {@code POST path} whose body holds {@code bodyPart} with the sample. */
  WireSampleServer post(String path, String bodyPart, String resource) {
    return route("POST", path, s -> s.body().replace(" ", "").contains(bodyPart),
        sample(resource));
  }

  /** Answers {@code GET path} whose query holds {@code queryPart} with {@code json} itself. */
  WireSampleServer getJson(String path, String queryPart, String json) {
    return route("GET", path, s -> s.query().contains(queryPart),
        json.getBytes(StandardCharsets.UTF_8));
  }

  private WireSampleServer route(String method, String path, Predicate<Seen> when, byte[] body) {
    routes.add(new Route(method, path, when, body));
    return this;
  }

  /** Every request so far, in order. */
  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** The requests no route answered. */
  List<Seen> unmatched() {
    return seen.stream().filter(s -> !s.matched()).toList();
  }

  /** The bytes of {@code wire-samples/<resource>}. */
  static byte[] sample(String resource) {
    String name = "/wire-samples/" + resource;
    try (InputStream in = WireSampleServer.class.getResourceAsStream(name)) {
      Objects.requireNonNull(in, () -> "no test resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String query = exchange.getRequestURI().getRawQuery();
      Seen request = new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          query == null ? "" : query, body, false);
      Route route = routes.stream()
          .filter(r -> r.method().equals(request.method()) && r.path().equals(request.path()))
          .filter(r -> r.when().test(request))
          .findFirst().orElse(null);
      seen.add(new Seen(request.method(), request.path(), request.query(), body, route != null));
      byte[] answer = route != null ? route.body()
          : ("{\"error\":\"no wire sample for " + request.path() + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(route != null ? 200 : 404, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
