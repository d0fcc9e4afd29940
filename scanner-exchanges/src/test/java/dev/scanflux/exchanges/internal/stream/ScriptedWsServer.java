package dev.scanflux.exchanges.internal.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.java_websocket.WebSocket;
import org.java_websocket.enums.Opcode;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A WebSocket server on 127.0.0.1 whose answer to each client frame is scripted by the test:
 * the client tests' MockWebServer. Records frames received, the first pong and closes seen.
 * Public for the venue streams' wire tests.
 */
public final class ScriptedWsServer implements AutoCloseable {

  private final Server server;
  private final Queue<String> received = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final CompletableFuture<String> pong = new CompletableFuture<>();
  private volatile BiConsumer<WebSocket, String> onMessage = (ws, m) -> {};
  private volatile Consumer<WebSocket> onOpen = ws -> {};

  /** Starts a server on a free loopback port. */
  public ScriptedWsServer() {
    try {
      ServerSocketChannel channel = ServerSocketChannel.open();
      channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      server = new Server(channel);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setDaemon(true);
    server.setConnectionLostTimeout(0);
    server.start();
  }

  /** What the server does with each client frame. */
  public ScriptedWsServer onMessage(BiConsumer<WebSocket, String> script) {
    this.onMessage = script;
    return this;
  }

  /** What the server does as soon as a connection opens, before any client frame. */
  public ScriptedWsServer onOpen(Consumer<WebSocket> script) {
    this.onOpen = script;
    return this;
  }

  /** {@code ws://127.0.0.1:PORT/ws}. */
  public URI uri() {
    return URI.create("ws://127.0.0.1:" + server.getPort() + "/ws");
  }

  /** The client frames received so far, in order. */
  public List<String> received() {
    return List.copyOf(received);
  }

  /** The first connection, once open. */
  public CompletableFuture<WebSocket> opened() {
    return opened;
  }

  /** The payload of the first pong a client sent, once it came. */
  public CompletableFuture<String> pong() {
    return pong;
  }

  /** The close code the server saw on its first connection. */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  /** Sends {@code text} in frames of at most {@code chunk} bytes (ASCII text). */
  public static void sendFragmented(WebSocket ws, String text, int chunk) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    for (int at = 0; at < bytes.length; at += chunk) {
      int end = Math.min(bytes.length, at + chunk);
      ws.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(bytes, at, end - at),
          end == bytes.length);
    }
  }

  @Override
  public void close() {
    try {
      server.stop(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Server extends WebSocketServer {
    Server(ServerSocketChannel channel) {
      super(channel);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
      opened.complete(conn);
      onOpen.accept(conn);
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
      closed.complete(code);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
      received.add(message);
      onMessage.accept(conn, message);
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
      pong.complete(StandardCharsets.UTF_8.decode(f.getPayloadData()).toString());
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {}

    @Override
    public void onStart() {}
  }
}
