package dev.scanflux.exchanges.internal.stream;

import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.SourceSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;

/**
 * The skeleton of a native stream on a {@link WsClient}: the venue's settings, the connection's
 * {@link WsSpec} and the client, the venue's name, a {@link #connect} that checks its arguments
 * and opens nothing before it is subscribed, {@link #close()} and {@link #toString()}. A subclass
 * says what one connection does, in {@link #open}.
 *
 * <p>It also holds the small pieces every stream needs: the time on the settings' clock
 * ({@link #now()}, {@link #nowMillis()}), a venue's text shortened for an error or a log line
 * ({@link #abbreviate}), the venue depth that covers a requested one ({@link #covering}) and
 * a list cut into a frame's worth of arguments each ({@link #chunks}). {@link Outbox} is the
 * rest of the shared scaffolding: what one input of a connection sends and emits.
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

  /** The time now on the settings' clock, to the millisecond. */
  protected final Instant now() {
    return Instant.ofEpochMilli(nowMillis());
  }

  /** The time now on the settings' clock, in milliseconds since the epoch. */
  protected final long nowMillis() {
    return settings.clock().now(TimeUnit.MILLISECONDS);
  }

  /**
   * How many characters of a venue's text {@link #abbreviate} keeps: 120 unless a subclass says
   * otherwise. Called on each {@link #abbreviate}, so it must be constant and cheap.
   */
  protected int shownChars() {
    return 120;
  }

  /**
   * {@code text} as shown in a rejection, an error or a log line: whole if it has at most
   * {@link #shownChars()} characters, else its first {@link #shownChars()} followed by
   * {@code "..."}.
   */
  protected final String abbreviate(String text) {
    int shown = shownChars();
    return text.length() <= shown ? text : text.substring(0, shown) + "...";
  }

  /**
   * The smallest of a venue's book depths that holds {@code depth} levels, else its deepest.
   *
   * @param depths the venue's depths, ascending, at least one
   * @param depth  the depth requested
   * @return the first of {@code depths} at least {@code depth}, or the last one
   */
  protected static int covering(int[] depths, int depth) {
    for (int d : depths) {
      if (d >= depth) {
        return d;
      }
    }
    return depths[depths.length - 1];
  }

  /**
   * {@code items} cut into consecutive runs of at most {@code size}, in order: the arguments of
   * one (un)subscribe frame each. Each run is a view of {@code items}; none for an empty list.
   *
   * @param items what to cut, not changed while the runs are read
   * @param size  the most items in one run, positive
   * @return the runs, all of {@code size} but the last
   * @throws IllegalArgumentException if {@code size} is not positive
   */
  protected static <T> List<List<T>> chunks(List<T> items, int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive: " + size);
    }
    List<List<T>> runs = new ArrayList<>((items.size() + size - 1) / size);
    for (int from = 0; from < items.size(); from += size) {
      runs.add(items.subList(from, Math.min(items.size(), from + size)));
    }
    return runs;
  }

  /** The class's simple name, the venue and the stream's address. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + '{' + settings.venue() + ' ' + spec.shown() + '}';
  }
}
