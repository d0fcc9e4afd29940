package dev.scanflux.core.blockhound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.FakeSource;
import dev.scanflux.core.Scan;
import dev.scanflux.core.ScanListener;
import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.VenueReport;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.TransientSourceException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Proves that the engine never blocks a non-blocking thread: real scanners run on Reactor's
 * {@code parallel} scheduler, whose threads BlockHound watches, with sources that answer on those
 * threads, one that fails half the time, and one with a blocking client that shifts its calls
 * onto a blocking-friendly scheduler as the SPI requires.
 *
 * <p>Runs in a JVM of its own (a separate surefire execution) because BlockHound instruments the
 * JVM for good. The {@code Thread.sleep} calls here are the blocking calls under test.
 */
class NonBlockingTest {

  @BeforeAll
  static void install() {
    // Writing log lines is the logging backend's business (applications choose an asynchronous
    // one); the test backend writes to stderr, so it alone is allowed.
    BlockHound.install(b -> b.allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "log"));
  }

  @Test
  void blockHoundIsActiveOnParallelThreads() {
    assertThatThrownBy(() -> Mono.delay(Duration.ofMillis(1))
            .doOnNext(x -> sleep())
            .block(Duration.ofSeconds(5)))
        .hasCauseInstanceOf(BlockingOperationError.class);
  }

  @Test
  void theEngineNeverBlocksAParallelThread() {
    FakeSource fast = new FakeSource("fast", Schedulers.parallel(), FakeSource.universe(30))
        .latency(Duration.ofMillis(1));
    FakeSource flaky = new FakeSource("flaky", Schedulers.parallel(), FakeSource.universe(30))
        .latency(Duration.ofMillis(1))
        .responder((kind, instrument, n) -> n % 2 == 1
            ? Mono.error(new TransientSourceException("flaky", "HTTP 503", null)) : null);
    FakeSource blockingClient = new FakeSource("blocking", Schedulers.parallel(),
        FakeSource.universe(10))
        .latency(Duration.ZERO)
        .responder((kind, instrument, n) -> instrument == null ? null
            : Mono.fromCallable(() -> {
              sleep(); // a blocking HTTP client, as XChange is
              return snapshot("blocking", kind, instrument);
            }).subscribeOn(Schedulers.boundedElastic()));

    List<Scan> scans = run(fast, flaky, blockingClient);

    assertThat(scans).hasSize(3);
    for (Scan scan : scans) {
      for (VenueReport r : scan.report().venues().values()) {
        assertThat(r.failures(ErrorClass.PERMANENT)).as("%s: a blocking call was caught", r)
            .isZero();
      }
      // each scan follows at least one whole pass of every venue (fast ones may do more)
      assertThat(scan.report().venues().get("fast").successes()).isGreaterThanOrEqualTo(60);
      assertThat(scan.report().venues().get("flaky").failures(ErrorClass.TRANSIENT)).isPositive();
      assertThat(scan.report().venues().get("blocking").successes())
          .isGreaterThanOrEqualTo(20);
    }
  }

  @Test
  void aSourceThatBlocksOnAParallelThreadIsCaughtAndCounted() {
    FakeSource offender = new FakeSource("offender", Schedulers.parallel(),
        FakeSource.universe(5))
        .latency(Duration.ofMillis(1))
        .responder((kind, instrument, n) -> instrument == null ? null
            : Mono.delay(Duration.ofMillis(1)).map(x -> {
              sleep();
              return snapshot("offender", kind, instrument);
            }));

    List<Scan> scans = run(offender);

    VenueReport r = scans.get(0).report().venues().get("offender");
    assertThat(r.failures(ErrorClass.PERMANENT)).isEqualTo(10);
    // the instrument listing, and maybe its rediscovery after the 10th consecutive failure
    assertThat(r.successes()).isBetween(1L, 2L);
  }

  @Test
  void streamingReconnectsAndTheWatchdogNeverBlockAParallelThread() {
    List<Instrument> universe = FakeSource.universe(20);
    FakeSource source = new FakeSource("streamed", Schedulers.parallel(), universe)
        .latency(Duration.ofMillis(1))
        .limit(RateLimitSpec.parse("100000/1s"))
        .stream(new MarketStream() {
          @Override
          public String venue() {
            return "streamed";
          }

          @Override
          public Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
            // 100 updates on parallel threads, then the venue drops the connection
            return Flux.interval(Duration.ofMillis(1), Schedulers.parallel()).take(100)
                .<StreamEvent>map(i -> StreamEvent.update(snapshot("streamed", RequestKind.BOOK,
                    universe.get((int) (i % universe.size())))))
                .startWith(StreamEvent.connected())
                .concatWith(Flux.error(new java.io.IOException("dropped")));
          }
        });
    List<String> details = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Scan> scans;
    try (Scanner scanner = Scanner.builder().scheduler(Schedulers.parallel())
        .interval(Duration.ZERO).maxCycles(8)
        .venue(source, VenueOptions.custom().stream(true).staleAfter(Duration.ofMillis(50))
            .streamCycle(Duration.ofMillis(100))
            .reconnectBackoff(Duration.ofMillis(1), Duration.ofMillis(10)).build())
        .listener(new ScanListener() {
          @Override
          public void onStreamTransition(StreamTransition t) {
            details.add(t.detail());
          }
        })
        .build()) {
      Mono<List<Scan>> all = scanner.scans().collectList();
      scanner.start();
      scans = all.block(Duration.ofSeconds(30));
    }
    assertThat(details).as("no transition was caused by a blocking call")
        .noneMatch(d -> d.contains("Blocking call"));
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("streamed").stream()
        .updates()).sum()).isGreaterThan(100);
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("streamed").stream()
        .connects()).sum()).isGreaterThan(1);
  }

  private static List<Scan> run(FakeSource... sources) {
    Scanner.Builder builder = Scanner.builder().scheduler(Schedulers.parallel())
        .interval(Duration.ZERO).maxCycles(3);
    for (FakeSource s : sources) {
      builder.venue(s.limit(RateLimitSpec.parse("100000/1s")));
    }
    try (Scanner scanner = builder.build()) {
      Mono<List<Scan>> all = scanner.scans().collectList();
      scanner.start();
      return all.block(Duration.ofSeconds(30));
    }
  }

  private static MarketSnapshot snapshot(String venue, RequestKind kind, Instrument instrument) {
    return kind == RequestKind.BOOK
        ? BookSnapshot.builder(venue, instrument).bid(1, 1).ask(2, 1).build()
        : new TickerSnapshot(venue, instrument, 1, 2, 1.5, 1, 1, 0, Instant.EPOCH,
            Instant.EPOCH);
  }

  /** The blocking call under test: BlockHound must catch it on a non-blocking thread. */
  private static void sleep() {
    try {
      Thread.sleep(1); // deliberate: this is what BlockHound is proven to detect
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
