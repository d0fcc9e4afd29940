package dev.scanflux.exchanges;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An HTTP/1.1 server on 127.0.0.1 (raw sockets, one thread per connection, keep-alive) that
 * plays a hostile venue: each request is answered by the behaviour its route returns, an answer,
 * a hang (nothing ever sent; the server notes when the client closes the connection) or an
 * endless body (written until the client closes; the server counts the bytes it got out).
 * Records every request's arrival time ({@code System.nanoTime()}), and for each answer the time
 * it was written.
 */
final class HostileHttpServer implements AutoCloseable {

  /** What the server does with one request. */
  sealed interface Behaviour permits Answer, Hang, Endless {}

  /** A whole answer. */
  record Answer(int status, Map<String, String> headers, byte[] body) implements Behaviour {
    static Answer ok(byte[] body) {
      return new Answer(200, Map.of(), body);
    }
  }

  /** Never answers; the connection stays open until the client closes it. */
  record Hang() implements Behaviour {}

  /** A 200 whose chunked body starts with {@code head} and repeats {@code unit} forever. */
  record Endless(String head, String unit) implements Behaviour {}

  /** One request the server read. */
  record Seen(String path, String query, long arrivedNanos) {}

  /** One answer the server wrote, and when it finished writing it. */
  record Written(String path, int status, long writtenNanos) {}

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hostile-venue");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Written> written = new CopyOnWriteArrayList<>();
  private final List<Long> hangsEndedByClient = new CopyOnWriteArrayList<>();
  private final AtomicLong endlessBytes = new AtomicLong();
  private final AtomicLong endlessEnded = new AtomicLong();
  private volatile Function<Seen, Behaviour> routes;

  /** @param routes the behaviour of each request */
  HostileHttpServer(Function<Seen, Behaviour> routes) {
    this.routes = Objects.requireNonNull(routes, "routes");
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    threads.execute(this::accept);
  }

  /** {@code http://127.0.0.1:PORT}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Replaces the routes for the requests from now on. */
  void routes(Function<Seen, Behaviour> routes) {
    this.routes = Objects.requireNonNull(routes, "routes");
  }

  /** Every request so far, in arrival order. */
  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Every answer written so far. */
  List<Written> written() {
    return List.copyOf(written);
  }

  /** When the client closed each hung connection, in {@code System.nanoTime()}. */
  List<Long> hangsEndedByClient() {
    return List.copyOf(hangsEndedByClient);
  }

  /** Body bytes of endless answers that reached the client's socket. */
  long endlessBytes() {
    return endlessBytes.get();
  }

  /** Endless answers the client ended by closing the connection. */
  long endlessEndedByClient() {
    return endlessEnded.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        open.add(s);
        threads.execute(() -> serve(s));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      BufferedReader reader = new BufferedReader(
          new InputStreamReader(in, StandardCharsets.ISO_8859_1));
      OutputStream out = socket.getOutputStream();
      while (true) {
        String line = reader.readLine();
        if (line == null) {
          return;
        }
        if (line.isEmpty()) {
          continue;
        }
        long arrived = System.nanoTime();
        int contentLength = 0;
        for (String h = reader.readLine(); h != null && !h.isEmpty(); h = reader.readLine()) {
          if (h.toLowerCase().startsWith("content-length:")) {
            contentLength = Integer.parseInt(h.substring(15).strip());
          }
        }
        reader.skip(contentLength);
        String target = line.split(" ")[1];
        int q = target.indexOf('?');
        Seen request = new Seen(q < 0 ? target : target.substring(0, q),
            q < 0 ? "" : target.substring(q + 1), arrived);
        seen.add(request);
        Behaviour b = routes.apply(request);
        if (b instanceof Answer a) {
          answer(out, a);
          written.add(new Written(request.path(), a.status(), System.nanoTime()));
        } else if (b instanceof Hang) {
          // The client sends nothing more on this connection: a read ends when it closes it.
          while (in.read() >= 0) {
            // discard
          }
          hangsEndedByClient.add(System.nanoTime());
          return;
        } else if (b instanceof Endless e) {
          endless(out, e);
          return;
        }
      }
    } catch (IOException gone) {
      // The client closed the connection: nothing to answer any more.
    } finally {
      open.remove(socket);
    }
  }

  private static void answer(OutputStream out, Answer a) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(a.status()).append(" X\r\n")
        .append("Content-Type: application/json\r\nContent-Length: ").append(a.body().length)
        .append("\r\n");
    a.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(a.body());
    out.flush();
  }

  private void endless(OutputStream out, Endless e) throws IOException {
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    chunk(out, e.head().getBytes(StandardCharsets.UTF_8));
    StringBuilder many = new StringBuilder();
    while (many.length() < 64 * 1024) {
      many.append(e.unit());
    }
    byte[] unit = many.toString().getBytes(StandardCharsets.UTF_8);
    try {
      while (true) {
        chunk(out, unit);
        endlessBytes.addAndGet(unit.length);
      }
    } catch (SocketException closedByClient) {
      endlessEnded.incrementAndGet();
    }
  }

  private static void chunk(OutputStream out, byte[] data) throws IOException {
    out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(data);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : new ArrayList<>(open)) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    threads.shutdownNow();
  }
}
