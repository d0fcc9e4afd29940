package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.RequestEvent;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.exchanges.HostileHttpServer.Answer;
import dev.scanflux.exchanges.HostileHttpServer.Behaviour;
import dev.scanflux.exchanges.HostileHttpServer.Endless;
import dev.scanflux.exchanges.HostileHttpServer.Hang;
import dev.scanflux.exchanges.HostileHttpServer.Seen;
import dev.scanflux.exchanges.HostileHttpServer.Written;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The five presets that went through XChange (Binance spot, OKX spot, Kraken, Coinbase,
 * Bitstamp), now native, against a hostile venue on 127.0.0.1 ({@link HostileHttpServer}):
 * an endless answer is cut at the response cap, a hung request is ended when the scanner gives
 * up on it and holds nothing, requests behind hung ones are sent at once, and each venue's own
 * 429 with {@code Retry-After} pauses the scanner for the whole window, after which it recovers.
 * Routes answer with the venues' recorded answers from {@code wire-samples} (see its SOURCES.md).
 */
class HostileRestVenuesTest {

  private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  /** One listing entry of an endless answer, repeated. */
  private static final String ENDLESS_ENTRY =
      "{\"symbol\":\"FILLERUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"FILLER\"},";
  /** More than loopback sockets buffer between the server's writes and the client's reads. */
  private static final long SOCKET_SLACK = 16L << 20;

  /**
   * One venue: its preset, an instrument it lists, its discovery and book routes with their
   * recorded answers, and the body of its own throttling answer.
   */
  record Venue(String name, Supplier<VenueBuilder> preset, Instrument instrument,
      String discoveryPath, String discoverySample, String endlessHead, String bookPath,
      String bookSample, String throttleBody) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Venue> venues() {
    return Stream.of(
        new Venue("binance", Venues::binance, Instrument.spot("BTC", "USDT"),
            "/api/v3/exchangeInfo", "binance/exchangeInfo.json",
            "{\"timezone\":\"UTC\",\"symbols\":[", "/api/v3/depth",
            "binance/depth-BTCUSDT.json",
            "{\"code\":-1003,\"msg\":\"Too many requests; current limit is 6000 request weight"
                + " per 1 MINUTE.\"}"),
        new Venue("okx", Venues::okx, Instrument.spot("BTC", "USDT"),
            "/api/v5/public/instruments", "okx/instruments-SPOT.json",
            "{\"code\":\"0\",\"msg\":\"\",\"data\":[", "/api/v5/market/books",
            "okx/books-fixture.json", "{\"code\":\"50011\",\"msg\":\"Too Many Requests\","
                + "\"data\":[]}"),
        new Venue("kraken", Venues::kraken, Instrument.spot("BTC", "USDT"),
            "/0/public/AssetPairs", "kraken/asset-pairs-XBTUSDT-2025.json",
            "{\"error\":[],\"result\":{\"XBTUSDT\":{\"fees\":[", "/0/public/Depth",
            "kraken/depth-XBTUSDT.json", "{\"error\":[\"EAPI:Rate limit exceeded\"]}"),
        new Venue("coinbase", Venues::coinbase, Instrument.spot("BTC", "USD"), "/products",
            "coinbase/products.json", "[", "/products/BTC-USD/book",
            "coinbase/book-level2-sdkfixture.json",
            "{\"message\":\"Public rate limit exceeded\"}"),
        new Venue("bitstamp", Venues::bitstamp, Instrument.spot("ETH", "USD"),
            "/api/v2/trading-pairs-info/", "bitstamp/trading-pairs-info.json", "[",
            "/api/v2/order_book/ethusd/", "bitstamp/order_book-ethusd.json",
            "{\"status\":\"error\",\"reason\":\"Rate limit exceeded\",\"code\":\"API0008\"}"));
  }

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /**
   * An answer that never ends, the venue's own JSON opening followed by listing entries forever:
   * the client reads no further than its cap, fails with bad data naming it and closes the
   * connection, so memory is bounded by the cap however long the venue would go on.
   */
  @ParameterizedTest
  @MethodSource("venues")
  void anEndlessDiscoveryAnswerIsBadDataAndReadNoFurtherThanTheCap(Venue venue) {
    HostileHttpServer server = new HostileHttpServer(request ->
        request.path().equals(venue.discoveryPath())
            ? new Endless(venue.endlessHead(), ENDLESS_ENTRY)
            : new Answer(404, Map.of(), new byte[0]));
    toClose.add(server);
    // The deadline far away: only the cap can end this read.
    MarketSource source = source(venue, server, Duration.ofSeconds(60));

    StepVerifier.create(source.instruments())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BadDataException.class)
            .hasMessageContaining("maxResponseBytes"))
        .verify(PATIENCE);
    await("the endless answer's connection closed by the client",
        () -> server.endlessEndedByClient() == 1);
    // What the server got out: the venue's cap the client read (less the unit in writing, which
    // the server counts once written), plus at most what the two sockets' buffers hold.
    long cap = cap(venue);
    assertThat(server.endlessBytes()).as("bytes sent before the client closed")
        .isGreaterThan(cap - (1 << 20))
        .isLessThan(cap + SOCKET_SLACK);
  }

  /**
   * A book answer over the venue's own cap (its preset's default, 4 or 16 MiB), through the
   * scanner: the request is a counted, classified failure (bad data in its request event and in
   * the venue's report, never retried at once), the read stopped at that cap, and the next book
   * is scanned as usual.
   */
  @ParameterizedTest
  @MethodSource("venues")
  void anAnswerOverTheVenuesOwnCapIsCountedAsBadDataByTheScanner(Venue venue) {
    AtomicInteger books = new AtomicInteger();
    HostileHttpServer server = server(venue, request -> books.incrementAndGet() == 1
        ? new Endless(venue.endlessHead(), ENDLESS_ENTRY) : null);
    MarketSource source = source(venue, server, Duration.ofSeconds(60));
    List<RequestEvent> events = new CopyOnWriteArrayList<>();
    List<VenueReport> reports = new CopyOnWriteArrayList<>();
    Scanner scanner = Scanner.builder()
        // the scanner's timeout far away too: only the cap can end the oversized answer
        .venue(source, VenueOptions.custom().instruments(List.of(venue.instrument()))
            .concurrency(1).tickers(false).depth(5).requestTimeout(Duration.ofSeconds(60))
            .build())
        .interval(Duration.ofMillis(100))
        .listener(new ScanListener() {
          @Override
          public void onRequest(RequestEvent e) {
            events.add(e);
          }

          @Override
          public void onScan(Scan scan) {
            reports.add(scan.report().venues().get(venue.name()));
          }
        })
        .build();
    toClose.add(scanner);
    scanner.start();

    await("a book scanned after the oversized one", () -> events.stream()
        .filter(e -> e.kind() == RequestKind.BOOK).anyMatch(RequestEvent::succeeded));
    await("a scan since", () -> reports.stream().mapToLong(VenueReport::successes).sum() > 0);
    assertThat(events).filteredOn(e -> e.kind() == RequestKind.BOOK).first().satisfies(e -> {
      assertThat(e.failure()).isEqualTo(ErrorClass.BAD_DATA);
      assertThat(e.attempt()).isEqualTo(1);
    });
    assertThat(events).filteredOn(e -> e.failure() != null).hasSize(1);
    assertThat(reports.stream().mapToLong(r -> r.failures(ErrorClass.BAD_DATA)).sum())
        .as("counted in the venue's report").isEqualTo(1);
    assertThat(reports.stream().mapToLong(VenueReport::failed).sum()).isEqualTo(1);
    await("the oversized answer's connection closed by the client",
        () -> server.endlessEndedByClient() == 1);
    long cap = cap(venue);
    assertThat(server.endlessBytes()).as("bytes sent before the client closed")
        .isGreaterThan(cap - (1 << 20))
        .isLessThan(cap + SOCKET_SLACK);
  }

  private static long cap(Venue venue) {
    return Venues.descriptors().stream().filter(d -> d.name().equals(venue.name())).findFirst()
        .orElseThrow().maxResponseBytes();
  }

  @ParameterizedTest
  @MethodSource("venues")
  void aHungRequestIsEndedWhenTheScannerGivesUpAndHoldsNothing(Venue venue) {
    AtomicBoolean hang = new AtomicBoolean(true);
    HostileHttpServer server = server(venue, request -> hang.get() ? new Hang() : null);
    // The client's own deadline is far away: only the caller's timeout can end the request.
    MarketSource source = source(venue, server, Duration.ofSeconds(60));

    // The caller gives up once the request is at the venue, as the scanner's timeout would.
    Sinks.Empty<Void> giveUp = Sinks.empty();
    AtomicLong gaveUp = new AtomicLong();
    StepVerifier.create(source.book(venue.instrument(), 5).timeout(giveUp.asMono()))
        .then(() -> {
          await("the request at the venue", () -> bookRequests(server, venue) == 1);
          gaveUp.set(System.nanoTime());
          giveUp.tryEmitEmpty();
        })
        .expectError(TimeoutException.class)
        .verify(PATIENCE);
    await("the hung connection closed by the client",
        () -> server.hangsEndedByClient().size() == 1);
    assertThat(server.hangsEndedByClient().get(0) - gaveUp.get())
        .as("nanoseconds from the call to the connection's close, far below the client's 60 s")
        .isLessThan(TimeUnit.SECONDS.toNanos(15));

    // As many requests as the venue's concurrency hang at once (the most the scanner puts in
    // flight): none waits for a worker, each reaches the venue now...
    int concurrency = source.defaultConcurrency();
    List<Disposable> hung = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      hung.add(source.book(venue.instrument(), 5).subscribe(b -> { }, e -> { }));
    }
    await(concurrency + " hung requests at the venue",
        () -> bookRequests(server, venue) == 1 + concurrency);
    // ...and one more behind them is answered while they still hang.
    hang.set(false);
    StepVerifier.create(source.book(venue.instrument(), 5))
        .assertNext(b -> assertThat(b.instrument()).isEqualTo(venue.instrument()))
        .expectComplete()
        .verify(PATIENCE);
    assertThat(server.hangsEndedByClient()).as("still hanging").hasSize(1);

    hung.forEach(Disposable::dispose);
    await("every hung connection closed once its caller cancelled",
        () -> server.hangsEndedByClient().size() == 1 + concurrency);
  }

  @ParameterizedTest
  @MethodSource("venues")
  void theVenuesRetryAfterPausesTheScannerForTheWholeWindowThenItRecovers(Venue venue) {
    AtomicInteger books = new AtomicInteger();
    HostileHttpServer server = server(venue, request -> books.incrementAndGet() == 3
        ? new Answer(429, Map.of("Retry-After", Long.toString(RETRY_AFTER.toSeconds())),
            venue.throttleBody().getBytes(StandardCharsets.UTF_8))
        : null);
    MarketSource source = source(venue, server, Duration.ofSeconds(5));
    // One request in flight at a time, so that every request after the 429 was sent after the
    // scanner had it; a request already in flight could not have known.
    Scanner scanner = Scanner.builder()
        .venue(source, VenueOptions.custom().instruments(List.of(venue.instrument()))
            .concurrency(1).tickers(false).depth(5).build())
        .interval(Duration.ofMillis(50))
        .build();
    toClose.add(scanner);
    List<Long> snapshotTimes = new CopyOnWriteArrayList<>();
    toClose.add(scanner.snapshots().filter(s -> s instanceof BookSnapshot)
        .subscribe(s -> snapshotTimes.add(System.nanoTime()))::dispose);
    scanner.start();

    await("the venue's 429", () -> throttled(server) != null);
    long windowStart = Objects.requireNonNull(throttled(server)).writtenNanos();
    long windowEnd = windowStart + RETRY_AFTER.toNanos();
    await("a book snapshot after the window",
        () -> snapshotTimes.stream().anyMatch(t -> t > windowEnd));

    List<Seen> inWindow = server.seen().stream()
        .filter(s -> s.arrivedNanos() > windowStart && s.arrivedNanos() < windowEnd).toList();
    assertThat(inWindow).as("requests inside the %s Retry-After window", RETRY_AFTER).isEmpty();
    assertThat(server.seen()).filteredOn(s -> s.arrivedNanos() >= windowEnd)
        .as("requests after the window").isNotEmpty();
    assertThat(server.written()).filteredOn(w -> w.status() == 429).hasSize(1);
  }

  /** The venue's routes; {@code bookOverride} may replace a book's answer (null: the sample). */
  private HostileHttpServer server(Venue venue, Function<Seen, @Nullable Behaviour> bookOverride) {
    byte[] discovery = sample(venue.discoverySample());
    byte[] book = sample(venue.bookSample());
    HostileHttpServer server = new HostileHttpServer(request -> {
      if (request.path().equals(venue.discoveryPath())) {
        return Answer.ok(discovery);
      }
      if (request.path().equals(venue.bookPath())) {
        Behaviour b = bookOverride.apply(request);
        return b != null ? b : Answer.ok(book);
      }
      return new Answer(404, Map.of(), "{\"error\":\"no route\"}".getBytes(StandardCharsets.UTF_8));
    });
    toClose.add(server);
    return server;
  }

  private MarketSource source(Venue venue, HostileHttpServer server, Duration httpTimeout) {
    MarketSource source = venue.preset().get().baseUrl(server.baseUrl()).httpTimeout(httpTimeout)
        .build();
    toClose.add(source);
    return source;
  }

  private static long bookRequests(HostileHttpServer server, Venue venue) {
    return server.seen().stream().filter(s -> s.path().equals(venue.bookPath())).count();
  }

  private static @Nullable Written throttled(HostileHttpServer server) {
    return server.written().stream().filter(w -> w.status() == 429).findFirst().orElse(null);
  }

  /** Polls {@code condition} every 10 ms; fails after {@link #PATIENCE}. */
  private static void await(String what, BooleanSupplier condition) {
    Boolean met = Flux.interval(Duration.ofMillis(10)).map(t -> condition.getAsBoolean())
        .filter(Boolean::booleanValue).next()
        .timeout(PATIENCE, Mono.just(false)).block();
    assertThat(met).as("%s within %s", what, PATIENCE).isTrue();
  }

  /** The bytes of {@code wire-samples/<resource>}. */
  static byte[] sample(String resource) {
    String name = "/wire-samples/" + resource;
    try (InputStream in = HostileRestVenuesTest.class.getResourceAsStream(name)) {
      Objects.requireNonNull(in, () -> "no test resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
