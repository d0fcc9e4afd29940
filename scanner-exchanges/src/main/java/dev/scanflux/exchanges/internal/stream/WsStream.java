package dev.scanflux.exchanges.internal.stream;

import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.SourceSettings;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * The skeleton of a native stream on a {@link WsClient}: the venue's settings, the connection's
 * {@link WsSpec} and the client, the venue's name, a {@link #connect} that checks its arguments
 * and opens nothing before it is subscribed, {@link #close()} and {@link #toString()}. A subclass
 * says what one connection does, in {@link #open}.
 */
public abstract class WsStream implements MarketStream {

  /** The venue's settings: its name, stream address, timeouts and clock. */
  protected final SourceSettings settings;
  /** Where and how each connection is opened. */
  protected final WsSpec spec;
  /** The client the connections run on. */
  protected final WsClient client;

  /**
   * @param settings the venue's settings
   * @param spec     where and how to connect
   * @param client   the client to connect with, closed by {@link #close()}
   */
  protected WsStream(SourceSettings settings, WsSpec spec, WsClient client) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.client = Objects.requireNonNull(client, "client");
  }

  @Override
  public final String venue() {
    return settings.venue();
  }

  @Override
  public final Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(context, "context");
    return Flux.defer(() -> open(request, context));
  }

  /**
   * One connection for {@code request}, its state its own: called once per subscription of
   * {@link #connect}'s flux, with arguments already checked.
   */
  protected abstract Flux<StreamEvent> open(StreamRequest request, StreamContext context);

  /**
   * Releases the client's own transport, if it has one, without blocking; connections still
   * open or opening fail.
   */
  @Override
  public void close() {
    client.close();
  }

  /** The class's simple name, the venue and the stream's address. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + '{' + settings.venue() + ' ' + spec.shown() + '}';
  }
}
