package dev.scanflux.simulator.internal;

import org.jspecify.annotations.Nullable;

/**
 * One connected client, as a {@link WsProtocol} sees it. Sending never blocks: frames are
 * queued on the connection. Identity is the connection: use it as a map key.
 */
public final class WsPeer {

  private final int id;
  private final WsServer server;
  private final org.java_websocket.WebSocket socket;
  private final String resource;

  public WsPeer(int id, WsServer server, org.java_websocket.WebSocket socket, String resource) {
    this.id = id;
    this.server = server;
    this.socket = socket;
    this.resource = resource;
  }

  /** The path and query the client connected to, e.g. {@code /stream?streams=a/b}. */
  public String resource() {
    return resource;
  }

  /** The connection's number, from 1, as in the WebSocket log. */
  public int id() {
    return id;
  }

  /** A short connection id, e.g. for OKX's {@code connId}. */
  public String connId() {
    return String.format(java.util.Locale.ROOT, "%08x", id * 0x9E3779B1L & 0xFFFFFFFFL);
  }

  /** Sends a frame that is not about one instrument (an answer, a pong). */
  public void send(String text) {
    server.send(this, text, null);
  }

  /**
   * Sends a frame about {@code instrument}, so that a {@code MALFORMED} fault given for it can
   * hit this frame.
   */
  public void send(String text, @Nullable SimInstrument instrument) {
    server.send(this, text, instrument);
  }

  public org.java_websocket.WebSocket socket() {
    return socket;
  }

  @Override
  public String toString() {
    return "WsPeer[" + id + "]";
  }
}
