package dev.scanflux.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflux.core.MarketView;
import dev.scanflux.core.Scan;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.AlertSnapshot;
import dev.scanflux.core.alert.AlertStats;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Every endpoint of the scan service, behind one handler: routing, the token check, body
 * limits, error answers (JSON, never a stack trace), the event streams and the server's meters.
 */
public final class Api
    implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  private static final Logger log = LoggerFactory.getLogger(Api.class);

  /** How often the dashboard stream sends a picture. */
  public static final Duration TICK = Duration.ofSeconds(1);
  /** How often an idle event stream sends a comment, so a dead client is noticed. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(15);
  /** How far back the dashboard's first picture reaches. */
  public static final Duration HISTORY = Duration.ofSeconds(60);
  /** The cookie that carries the token for a browser (event streams cannot send headers). */
  public static final String COOKIE = "scanflux_token";

  private static final String JSON = "application/json; charset=utf-8";
  private static final Set<String> ENDPOINTS = Set.of("/", "/health", "/metrics",
      "/api/scanner/scan", "/api/scanner/latest", "/api/venues", "/api/book", "/api/ticker",
      "/api/alerts", "/api/signals", "/api/events/scans", "/api/events/alerts",
      "/api/events/snapshots", "/api/events/dashboard");

  private final Settings settings;
  private final Scheduler worker;
  private final Feeds feeds;
  private final Status status;
  private final ScanEndpoint scans;
  private final String dashboard;
  private final AtomicInteger sseClients = new AtomicInteger();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicReference<@Nullable Instant> startedAt = new AtomicReference<>();

  /**
   * @param settings the server's settings
   * @param worker   the server's timer and worker scheduler
   * @param feeds    its subscriptions to the scanner and alerts
   */
  public Api(Settings settings, Scheduler worker, Feeds feeds) {
    this.settings = settings;
    this.worker = worker;
    this.feeds = feeds;
    this.status = new Status(settings, feeds);
    this.scans = new ScanEndpoint(settings, worker, feeds::latest);
    this.dashboard = resource("/dev/scanflux/server/dashboard.html");
    Gauge.builder("scanflux.server.sse.clients", sseClients, AtomicInteger::get)
        .description("Open Server-Sent Event streams").register(settings.registry());
    Gauge.builder("scanflux.server.oneoff.running", scans, ScanEndpoint::oneOffRunning)
        .description("One-off scans running").register(settings.registry());
  }

  /** Marks the server up, for {@code GET /health}. */
  public void started() {
    startedAt.set(settings.scanner().view().now());
  }

  @Override
  public Publisher<Void> apply(HttpServerRequest req, HttpServerResponse res) {
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    String endpoint = ENDPOINTS.contains(path) ? path
        : path.startsWith("/api/venues/") ? "/api/venues/{venue}" : "other";
    Mono<Void> answer;
    try {
      answer = Mono.from(authorized(req, res, uri) ? route(req, res, path, uri) : login(res, uri))
          .onErrorResume(BadRequest.class, e -> error(res, e))
          .onErrorResume(e -> internal(res, e));
    } catch (BadRequest e) {
      answer = error(res, e);
    } catch (RuntimeException e) {
      answer = internal(res, e);
    }
    return answer.doFinally(s -> count("scanflux.server.requests", "Requests answered",
        "endpoint", endpoint, "status", Integer.toString(res.status().code())));
  }

  private Publisher<Void> route(HttpServerRequest req, HttpServerResponse res, String path,
      QueryStringDecoder uri) {
    if (path.equals("/api/scanner/scan")) {
      method(req, HttpMethod.POST);
      return body(req).flatMap(scans::scan).flatMap(o -> json(res, 200, o));
    }
    method(req, HttpMethod.GET);
    switch (path) {
      case "/" -> {
        return res.header(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
            .header("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; "
                + "style-src 'unsafe-inline'; connect-src 'self'; img-src data:")
            .header("X-Content-Type-Options", "nosniff")
            .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .sendString(Mono.just(dashboard));
      }
      case "/health" -> {
        return json(res, 200, health());
      }
      case "/metrics" -> {
        return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
            .sendString(Mono.fromCallable(() -> settings.registry().scrape()));
      }
      case "/api/scanner/latest" -> {
        Scan scan = feeds.latest();
        if (scan == null) {
          throw new BadRequest(404, "no_scan_yet", "no scan has completed yet; the first "
              + "completes when every venue has finished its first pass");
        }
        return json(res, 200, Json.scan(scan, now()));
      }
      case "/api/venues" -> {
        return json(res, 200, status.venues(false));
      }
      case "/api/book", "/api/ticker" -> {
        return json(res, 200, latest(path.equals("/api/book"), uri));
      }
      case "/api/alerts" -> {
        return json(res, 200, alerts());
      }
      case "/api/signals" -> {
        ObjectNode o = Json.object();
        o.put("strategy", settings.signals() != null);
        ArrayNode list = o.putArray("signals");
        feeds.topSignals().forEach(s -> list.add(Json.signal(s)));
        return json(res, 200, o);
      }
      case "/api/events/scans" -> {
        return sse(res, settings.scanner().scans()
            .map(s -> new Sse("scan", "scan", () -> Json.write(Json.scan(s, now())))));
      }
      case "/api/events/alerts" -> {
        return sse(res, alertEvents());
      }
      case "/api/events/snapshots" -> {
        return sse(res, snapshots(uri));
      }
      case "/api/events/dashboard" -> {
        return sse(res, dashboardTicks());
      }
      default -> {
        if (path.startsWith("/api/venues/")) {
          String venue = path.substring("/api/venues/".length());
          requireVenue(venue);
          return json(res, 200, status.venue(venue, true));
        }
        throw new BadRequest(404, "not_found", "no endpoint at " + ScanQuery.clip(path)
            + "; see / for the dashboard and docs/server.md for the API");
      }
    }
  }

  private ObjectNode health() {
    ObjectNode o = Json.object();
    Instant up = startedAt.get();
    o.put("status", up == null ? "starting" : "up");
    if (up != null) {
      o.put("uptime_seconds", Json.seconds(Json.age(up, now())));
    }
    ArrayNode venues = o.putArray("venues");
    settings.scanner().venues().forEach(venues::add);
    Scan scan = feeds.latest();
    o.put("scans_completed", scan == null ? 0 : scan.cycle());
    if (scan != null) {
      o.put("latest_scan_age_seconds", Json.seconds(Json.age(scan.completedAt(), now())));
    }
    o.put("book_count", settings.scanner().view().size());
    return o;
  }

  private ObjectNode latest(boolean book, QueryStringDecoder uri) {
    String venue = param(uri, "venue", null);
    String symbol = param(uri, "instrument", null);
    if (venue == null || symbol == null) {
      throw BadRequest.of("missing_parameter", "give ?venue=NAME&instrument=SYMBOL, e.g. "
          + "?venue=binance&instrument=BTC/USDT");
    }
    requireVenue(venue);
    Instrument instrument = instrument(symbol);
    MarketView view = settings.scanner().view();
    Instant now = view.now();
    if (book) {
      int depth = intParam(uri, "depth", 20, 1, 1000);
      return view.book(venue, instrument).map(b -> Json.book(b, now, depth))
          .orElseThrow(() -> new BadRequest(404, "no_data", "no book of " + instrument + " on "
              + venue + " has arrived (is it listed there?)"));
    }
    return view.ticker(venue, instrument).map(t -> Json.ticker(t, now))
        .orElseThrow(() -> new BadRequest(404, "no_data", "no ticker of " + instrument + " on "
            + venue + " has arrived (is it listed there?)"));
  }

  private ObjectNode alerts() {
    ObjectNode o = Json.object();
    Alerts alerts = settings.alerts();
    o.put("alerting", alerts != null);
    ArrayNode open = o.putArray("open");
    ArrayNode recent = o.putArray("recent");
    if (alerts != null) {
      AlertSnapshot snapshot = alerts.snapshot();
      Instant now = now();
      snapshot.open().forEach(a -> open.add(Json.alert(a, now)));
      snapshot.recent().forEach(a -> recent.add(Json.alert(a, now)));
      AlertStats st = snapshot.stats();
      ObjectNode stats = o.putObject("stats");
      stats.put("signals", st.signals());
      stats.put("opened", st.opened());
      stats.put("updated", st.updated());
      stats.put("closed", st.closed());
      stats.put("suppressed", st.suppressed());
      stats.put("short_lived", st.shortLived());
      stats.put("overflowed", st.overflowed());
      stats.put("open", st.open());
    }
    return o;
  }

  /**
   * The open alerts as they stand (type {@code open}), then every delivered event (opened,
   * updated, closed; suppressed ones are not shown, as they are not delivered), keyed by alert.
   */
  private Flux<Sse> alertEvents() {
    Alerts alerts = settings.alerts();
    if (alerts == null) {
      return Flux.never();
    }
    Flux<Sse> live = alerts.events()
        .filter(e -> e.type() != AlertEvent.Type.SUPPRESSED)
        .map(e -> new Sse(e.alert().id(), "alert",
            () -> Json.write(Json.alertEvent(e, now()))));
    return Flux.defer(() -> Flux.concat(Flux.fromIterable(alerts.snapshot().open())
        .filter(a -> !a.suppressed())
        .map(a -> new Sse(a.id(), "alert", () -> {
          ObjectNode o = Json.alert(a, now());
          o.put("type", "open");
          o.put("at", a.lastSeen().toString());
          return Json.write(o);
        })), live));
  }

  private Flux<Sse> snapshots(QueryStringDecoder uri) {
    String venue = param(uri, "venue", null);
    if (venue != null) {
      requireVenue(venue);
    }
    String symbol = param(uri, "instrument", null);
    Instrument instrument = symbol == null ? null : instrument(symbol);
    String kind = Objects.requireNonNull(param(uri, "kind", "all"));
    if (!Set.of("all", "book", "ticker").contains(kind)) {
      throw BadRequest.of("bad_parameter", "kind must be book, ticker or all but was "
          + ScanQuery.clip(kind));
    }
    int depth = intParam(uri, "depth", 10, 1, 1000);
    return settings.scanner().snapshots()
        .filter(s -> (venue == null || s.venue().equals(venue))
            && (instrument == null || s.instrument().equals(instrument))
            && (kind.equals("all") || kind.equals(s instanceof BookSnapshot ? "book" : "ticker")))
        .map(s -> snapshotEvent(s, depth));
  }

  private Sse snapshotEvent(MarketSnapshot s, int depth) {
    String kind = s instanceof BookSnapshot ? "book" : "ticker";
    return new Sse(s.venue() + '|' + s.instrument() + '|' + kind, kind, () -> Json.write(
        s instanceof BookSnapshot b ? Json.book(b, now(), depth) : Json.snapshot(s, now())));
  }

  private Flux<Sse> dashboardTicks() {
    return Flux.defer(() -> {
      AtomicReference<Instant> since = new AtomicReference<>(now().minus(HISTORY));
      return Flux.interval(Duration.ZERO, TICK, worker).map(i -> {
        Instant now = now();
        ObjectNode o = status.dashboard(since.getAndSet(now));
        String text = Json.write(o);
        return new Sse("dashboard", "dashboard", () -> text);
      });
    });
  }

  /**
   * An event stream: the events conflated to the latest per key while the client is slow, with
   * a comment every {@link #HEARTBEAT} so a vanished client is noticed.
   */
  private Publisher<Void> sse(HttpServerResponse res, Flux<Sse> events) {
    String stream = res.path();
    AtomicLong ids = new AtomicLong();
    Flux<Sse> withBeats = Flux.merge(events,
        Flux.interval(HEARTBEAT, HEARTBEAT, worker).map(i -> Sse.HEARTBEAT));
    Flux<String> body = LatestPerKey.apply(withBeats, Sse::key,
            () -> count("scanflux.server.sse.conflated", "Events replaced by a newer one of "
                + "the same key before a slow client took them", "stream", "/" + stream))
        .map(e -> e.text(ids.incrementAndGet()))
        .doOnSubscribe(s -> sseClients.incrementAndGet())
        .doFinally(s -> sseClients.decrementAndGet());
    return res.sse().header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .sendString(Flux.concat(Mono.just(": connected\n\n"), body));
  }

  private Mono<String> body(HttpServerRequest req) {
    int max = settings.maxBodyBytes();
    String length = req.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw BadRequest.of("bad_header", "Content-Length is not a number");
      }
      if (n > max) {
        throw tooLarge(max);
      }
    }
    return req.receive().asByteArray()
        .reduce(new ByteArrayOutputStream(), (acc, chunk) -> {
          if (acc.size() + chunk.length > max) {
            throw tooLarge(max);
          }
          acc.writeBytes(chunk);
          return acc;
        })
        .map(acc -> acc.toString(StandardCharsets.UTF_8))
        .defaultIfEmpty("");
  }

  private static BadRequest tooLarge(int max) {
    return new BadRequest(413, "body_too_large", "the body must be at most " + max + " bytes");
  }

  private boolean authorized(HttpServerRequest req, HttpServerResponse res,
      QueryStringDecoder uri) {
    String token = settings.token();
    if (token == null || uri.path().equals("/health")) {
      return true;
    }
    String auth = req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
        && same(auth.substring(7).strip(), token)) {
      return true;
    }
    List<Cookie> cookies = req.allCookies().get(COOKIE);
    if (cookies != null) {
      for (Cookie c : cookies) {
        if (same(c.value(), token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code GET /?token=T}: the browser's way in; sets the cookie and drops the token from the URL. */
  private Publisher<Void> login(HttpServerResponse res, QueryStringDecoder uri) {
    List<String> given = uri.parameters().get("token");
    String token = Objects.requireNonNull(settings.token());
    if (uri.path().equals("/") && given != null && same(given.get(0), token)) {
      return res.status(303).header(HttpHeaderNames.LOCATION, "/")
          .header(HttpHeaderNames.SET_COOKIE, COOKIE + '=' + token
              + "; Path=/; HttpOnly; SameSite=Strict")
          .send();
    }
    throw new BadRequest(401, "unauthorized", "this server needs a token: send "
        + "'Authorization: Bearer TOKEN', or open /?token=TOKEN in a browser");
  }

  private static boolean same(String given, String token) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  private static void method(HttpServerRequest req, HttpMethod expected) {
    if (!req.method().equals(expected)) {
      throw new BadRequest(405, "method_not_allowed", req.method().name() + " is not allowed on "
          + req.fullPath() + "; use " + expected.name());
    }
  }

  private void requireVenue(String venue) {
    if (!settings.scanner().venues().contains(venue)) {
      throw new BadRequest(404, "unknown_venue", "unknown venue '" + ScanQuery.clip(venue)
          + "'; this scanner covers " + settings.scanner().venues());
    }
  }

  private static Instrument instrument(String symbol) {
    try {
      return Instrument.parse(symbol);
    } catch (IllegalArgumentException e) {
      throw BadRequest.of("bad_instrument", "instrument '" + ScanQuery.clip(symbol)
          + "' is not a symbol such as BTC/USDT or BTC/USDT:perp: " + e.getMessage());
    }
  }

  private static @Nullable String param(QueryStringDecoder uri, String name,
      @Nullable String fallback) {
    List<String> values = uri.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

  private static int intParam(QueryStringDecoder uri, String name, int fallback, int min,
      int max) {
    String v = param(uri, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw BadRequest.of("bad_parameter", name + " must be an integer in [" + min + ", " + max
        + "] but was " + ScanQuery.clip(v));
  }

  private Mono<Void> json(HttpServerResponse res, int code, ObjectNode body) {
    return res.status(code).header(HttpHeaderNames.CONTENT_TYPE, JSON)
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .sendString(Mono.just(Json.write(body))).then();
  }

  private Mono<Void> error(HttpServerResponse res, BadRequest e) {
    if (e.status() < 500) {
      count("scanflux.server.bad.requests", "Requests refused, by reason", "reason", e.reason());
    }
    if (res.hasSentHeaders()) {
      return Mono.empty();
    }
    if (e.status() == 429) {
      res.header(HttpHeaderNames.RETRY_AFTER, Integer.toString(ScanEndpoint.RETRY_AFTER_SECONDS));
    }
    if (e.status() == 401) {
      res.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    return res.status(e.status()).header(HttpHeaderNames.CONTENT_TYPE, JSON)
        .sendString(Mono.just(Json.error(e.status(), e.reason(), e.getMessage()))).then();
  }

  private Mono<Void> internal(HttpServerResponse res, Throwable e) {
    log.warn("internal error answering {}: {}", res.fullPath(), e.toString(), e);
    return error(res, new BadRequest(500, "internal_error", "the server failed to answer; "
        + "the reason is in its log"));
  }

  private void count(String name, String description, String... tags) {
    counters.computeIfAbsent(name + String.join("|", tags), k -> Counter.builder(name)
        .description(description).tags(tags).register(settings.registry())).increment();
  }

  private Instant now() {
    return settings.scanner().view().now();
  }

  private static String resource(String name) {
    try (InputStream in = Api.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One server-sent event; its key decides what a slow client may skip, and its data is written
   * only if it is sent (a skipped event costs no JSON).
   */
  record Sse(String key, String name, Supplier<String> data) {
    static final Sse HEARTBEAT = new Sse("", "", () -> "");

    String text(long id) {
      if (name.isEmpty()) {
        return ": keep-alive\n\n";
      }
      return "id: " + id + "\nevent: " + name + "\ndata: " + data.get() + "\n\n";
    }
  }
}
