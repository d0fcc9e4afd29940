package dev.scanflux.exchanges;

import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.UrlRedaction;
import dev.scanflux.exchanges.internal.SourceFactory;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.StreamFactory;
import dev.scanflux.exchanges.internal.StreamingSource;
import dev.scanflux.exchanges.internal.VenueDefinition;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Configures one venue's source. Start from a preset in {@link Venues}; every setter checks its
 * argument at once and names it; {@link #build()} may be called more than once, each time making
 * a new, independent source. Not thread-safe.
 */
public final class VenueBuilder {

  private final SourceFactory factory;
  private final @Nullable StreamFactory streams;
  private String streamUrl;
  private boolean baseUrlGiven;
  private boolean streamUrlGiven;
  private String venue;
  private String baseUrl;
  private RateLimitSpec rateLimit;
  private int concurrency;
  private Duration httpTimeout = Duration.ofSeconds(10);
  private long maxResponseBytes;
  private Scheduler clock = Schedulers.parallel();

  VenueBuilder(VenueDefinition definition) {
    this(definition.name(), definition.descriptor().restUrl(),
        definition.descriptor().rateLimit(), definition.descriptor().concurrency(),
        definition.source(), definition.descriptor().streamUrl(), definition.stream());
    this.maxResponseBytes = definition.descriptor().maxResponseBytes();
  }

  VenueBuilder(String venue, String baseUrl, RateLimitSpec rateLimit, int concurrency,
      SourceFactory factory) {
    this(venue, baseUrl, rateLimit, concurrency, factory, "", null);
  }

  VenueBuilder(String venue, String baseUrl, RateLimitSpec rateLimit, int concurrency,
      SourceFactory factory, String streamUrl, @Nullable StreamFactory streams) {
    this.streamUrl = streamUrl;
    this.streams = streams;
    this.venue = venue;
    this.baseUrl = baseUrl;
    this.rateLimit = rateLimit;
    this.concurrency = concurrency;
    this.factory = factory;
    this.maxResponseBytes = SourceSettings.DEFAULT_MAX_RESPONSE_BYTES;
  }

  /**
   * The REST base URL instead of the venue's production one: a testnet, a proxy, a mirror or a
   * simulator ({@code dev.scanflux.simulator.VenueSimulator}, module scanner-simulator).
   *
   * @param baseUrl an absolute {@code http} or {@code https} URL without a path, e.g.
   *                {@code http://127.0.0.1:8123}, and without credentials
   * @throws IllegalArgumentException if it is not such a URL, or carries credentials
   *     ({@code http://user:password@host}: Scanflux never sends them; the message shows the
   *     URL {@linkplain UrlRedaction#redact redacted})
   */
  public VenueBuilder baseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    noCredentials("baseUrl", baseUrl);
    URI uri;
    try {
      uri = URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("baseUrl must be a URL but was '" + baseUrl + "'", e);
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme())
        || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException(
          "baseUrl must be an absolute http or https URL but was '" + baseUrl + "'");
    }
    portOfTwoDigitsOrMore("baseUrl", baseUrl, uri);
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.baseUrlGiven = true;
    return this;
  }

  /**
   * The push stream's URL instead of the venue's production one: a testnet, a proxy or a
   * simulator ({@code dev.scanflux.simulator.VenueSimulator}, module scanner-simulator)'s {@code websocketUrl()}.
   *
   * @param streamUrl an absolute {@code ws} or {@code wss} URL, e.g.
   *                  {@code ws://127.0.0.1:8123/ws/v5/public}, without credentials
   * @throws IllegalStateException if the preset has no stream
   * @throws IllegalArgumentException if it is not such a URL, or carries credentials (shown
   *     redacted)
   */
  public VenueBuilder streamUrl(String streamUrl) {
    Objects.requireNonNull(streamUrl, "streamUrl");
    noCredentials("streamUrl", streamUrl);
    if (streams == null) {
      throw new IllegalStateException("venue '" + venue + "' has no push stream");
    }
    URI uri;
    try {
      uri = URI.create(streamUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("streamUrl must be a URL but was '" + streamUrl + "'", e);
    }
    if (uri.getHost() == null || !("ws".equals(uri.getScheme())
        || "wss".equals(uri.getScheme()))) {
      throw new IllegalArgumentException(
          "streamUrl must be an absolute ws or wss URL but was '" + streamUrl + "'");
    }
    portOfTwoDigitsOrMore("streamUrl", streamUrl, uri);
    this.streamUrl = streamUrl;
    this.streamUrlGiven = true;
    return this;
  }

  /**
   * Refuses ports 1 to 9: Reactor Netty, the transport, reads a one-digit port as part of the
   * host name ({@code 127.0.0.1:1}) and asks the system's DNS server for it.
   */
  private static void portOfTwoDigitsOrMore(String name, String url, URI uri) {
    if (uri.getPort() >= 0 && uri.getPort() < 10) {
      throw new IllegalArgumentException(name + " must have a port of 10 or more (ports 0-9 are"
          + " not supported by the transport) but was '" + url + "'");
    }
  }

  private static void noCredentials(String name, String url) {
    if (UrlRedaction.hasUserInfo(url)) {
      throw new IllegalArgumentException(name + " must not carry credentials (Scanflux never"
          + " sends a URL's user name or password) but was '" + UrlRedaction.redact(url) + "'");
    }
  }

  /** True if the preset has a push stream, used when the scanner's options enable streaming. */
  public boolean hasStream() {
    return streams != null;
  }

  /** The venue's name in reports instead of the preset's; must not be blank. */
  public VenueBuilder name(String venue) {
    Objects.requireNonNull(venue, "venue");
    if (venue.isBlank()) {
      throw new IllegalArgumentException("venue must not be blank");
    }
    this.venue = venue;
    return this;
  }

  /** The rate limit the source declares instead of the venue's documented one. */
  public VenueBuilder rateLimit(RateLimitSpec rateLimit) {
    this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
    return this;
  }

  /**
   * Requests in flight at once, 1 to 1,024, instead of the preset's default; for a blocking
   * (XChange) source also its thread count.
   */
  public VenueBuilder concurrency(int concurrency) {
    if (concurrency < 1 || concurrency > 1024) {
      throw new IllegalArgumentException(
          "concurrency must be in [1, 1024] but was " + concurrency);
    }
    this.concurrency = concurrency;
    return this;
  }

  /**
   * The deadline of one HTTP call, 1 ms to 10 min; default 10 s. A native source's call must
   * connect, send and read its whole answer within it (a slow or endless body is stopped); an
   * XChange call uses it as its connect and read timeout.
   */
  public VenueBuilder httpTimeout(Duration httpTimeout) {
    Objects.requireNonNull(httpTimeout, "httpTimeout");
    if (httpTimeout.compareTo(Duration.ofMillis(1)) < 0
        || httpTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException(
          "httpTimeout must be in [1ms, 10m] but was " + httpTimeout);
    }
    this.httpTimeout = httpTimeout;
    return this;
  }

  /**
   * The largest response body a native source reads, 1 KiB to 1 GiB; default the preset's own,
   * {@link VenueDescriptor#maxResponseBytes()} (4 MiB on most venues, 16 MiB on Binance spot:
   * a few times the venue's largest real answer). A larger answer is not read further: the
   * request fails as bad data (counted by the scanner) and its connection is closed, so a hostile
   * or broken venue costs at most this much memory per request in flight. Raise it if a venue's
   * real answers outgrow it (the bad-data message names the cap).
   *
   * @throws IllegalArgumentException if it is outside [1 KiB, 1 GiB]
   */
  public VenueBuilder maxResponseBytes(long maxResponseBytes) {
    this.maxResponseBytes = VenueDescriptor.checkResponseBytes(maxResponseBytes);
    return this;
  }

  /** The clock for receive times; default {@code Schedulers.parallel()}. */
  public VenueBuilder clock(Scheduler clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * A new source with these settings; it connects on its first request. A preset with a push
   * stream returns a source whose {@link MarketSource#stream()} offers it; the scanner connects
   * it only for venues whose options enable streaming. A preset given a {@link #baseUrl} and no
   * {@link #streamUrl} has no stream: it would otherwise stream from the production exchange
   * while polling elsewhere.
   */
  public MarketSource build() {
    SourceSettings settings =
        new SourceSettings(venue, baseUrl, rateLimit, concurrency, httpTimeout, clock, streamUrl,
            maxResponseBytes);
    MarketSource rest = factory.create(settings);
    if (streams == null || (baseUrlGiven && !streamUrlGiven)) {
      return rest; // a venue elsewhere never streams from the production address
    }
    try {
      return new StreamingSource(rest, streams.create(settings, rest));
    } catch (RuntimeException e) {
      rest.close();
      throw e;
    }
  }

  @Override
  public String toString() {
    return "VenueBuilder{" + venue + ' ' + baseUrl + (streams == null ? "" : " " + streamUrl)
        + ' ' + rateLimit + ", concurrency "
        + concurrency + ", httpTimeout " + httpTimeout + ", maxResponseBytes " + maxResponseBytes
        + '}';
  }
}
