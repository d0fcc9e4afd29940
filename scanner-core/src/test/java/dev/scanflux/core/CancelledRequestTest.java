package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.ErrorClass;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Requests the scanner sent and then cancelled, in virtual time: a stream's snapshot fetch whose
 * connection dropped, and the requests in flight when the scanner closes. Each is counted once,
 * as cancelled (never as a success or a failure), with its weight, so every request the venue saw
 * is in a count.
 */
class CancelledRequestTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Duration LATENCY = Duration.ofSeconds(2);

  private VirtualTimeScheduler vts;
  private FakeSource source;
  private SnapshotStream stream;
  private Scanner scanner;
  private final List<RequestEvent> events = new CopyOnWriteArrayList<>();
  private final List<Scan> scans = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vts = VirtualTimeScheduler.create();
    stream = new SnapshotStream();
    source = new FakeSource("a", vts, List.of(BTC, ETH)).latency(LATENCY)
        .limit(RateLimitSpec.of(100, Duration.ofSeconds(1))).stream(stream);
  }

  @AfterEach
  void tearDown() {
    if (scanner != null) {
      scanner.close();
    }
    vts.dispose();
  }

  private void start(boolean streamed) {
    scanner = Scanner.builder().scheduler(vts).interval(Duration.ofSeconds(1))
        .venue(source, VenueOptions.custom().instruments(List.of(BTC, ETH)).tickers(false)
            .stream(streamed).build())
        .listener(new ScanListener() {
          @Override
          public void onRequest(RequestEvent event) {
            events.add(event);
          }
        })
        .build();
    scanner.scans().subscribe(scans::add);
    scanner.start();
  }

  private void at(Duration t) {
    vts.advanceTimeTo(Instant.ofEpochMilli(t.toMillis()));
  }

  private List<RequestEvent> cancelled() {
    return events.stream().filter(RequestEvent::cancelled).toList();
  }

  @Test
  void aStreamsSnapshotFetchCancelledByADropIsCountedAsCancelledWithItsWeight() {
    start(true);
    at(Duration.ofMillis(1_000)); // the fetch is at the venue, its answer 1 s away
    assertThat(stream.fetchesStarted).isEqualTo(1);
    assertThat(cancelled()).isEmpty();

    stream.drop();

    assertThat(cancelled()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(RequestKind.BOOK);
      assertThat(e.priority()).isTrue();
      assertThat(e.failure()).isNull();
      assertThat(e.succeeded()).isFalse();
      assertThat(e.weight()).isEqualTo(1);
      assertThat(e.start()).isEqualTo(Instant.EPOCH);
      assertThat(e.roundTrip()).isEqualTo(Duration.ofSeconds(1));
    });
    at(Duration.ofSeconds(12));
    assertThat(cancelled()).as("the reconnection's fetch ended normally").hasSize(1);

    List<VenueReport> reports = scans.stream().map(s -> s.report().venues().get("a")).toList();
    for (VenueReport r : reports) {
      assertThat(r.requests()).as("requests = successes + failures + cancelled in " + r)
          .isEqualTo(r.successes() + r.failed() + r.cancelled());
    }
    assertThat(reports.stream().mapToLong(VenueReport::cancelled).sum()).isEqualTo(1);
    assertThat(reports.stream().mapToLong(VenueReport::failed).sum()).isZero();
    assertThat(reports.stream().mapToLong(VenueReport::weightUsed).sum())
        .as("weight of the requests reported (1 each), the cancelled one's included")
        .isEqualTo(reports.stream().mapToLong(VenueReport::requests).sum());
  }

  @Test
  void theRequestsInFlightAtCloseAreCountedAsCancelledAndEveryRequestSentIsCountedOnce() {
    start(false);
    at(Duration.ofMillis(5_500)); // polls of 2 s: some always in flight
    long inFlight = events.stream().filter(RequestEvent::cancelled).count();
    assertThat(inFlight).isZero();
    int sentBeforeClose = source.calls().size();
    int endedBeforeClose = events.size();
    assertThat(sentBeforeClose).as("requests in flight").isGreaterThan(endedBeforeClose);

    scanner.close();

    assertThat(cancelled()).hasSize(sentBeforeClose - endedBeforeClose)
        .allSatisfy(e -> {
          assertThat(e.failure()).isNull();
          assertThat(e.roundTrip()).isLessThan(LATENCY);
          assertThat(e.start().plus(e.roundTrip())).isEqualTo(Instant.ofEpochMilli(5_500));
        });
    at(Duration.ofSeconds(30));
    assertThat(events).as("one event for every request the venue saw, none twice")
        .hasSize(source.calls().size());
    assertThat(events.stream().filter(e -> e.failure() != null)).isEmpty();
  }

  @Test
  void aRequestIsEitherFailedOrCancelledNeverBoth() {
    assertThatThrownBy(() -> new RequestEvent("a", 1, RequestKind.BOOK, BTC, false, 1, 1,
        Instant.EPOCH, Duration.ZERO, ErrorClass.TRANSIENT, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TRANSIENT");
    assertThatThrownBy(() -> new VenueReport("a", 1, 1, 0, java.util.Map.of(), -1, 0, 0, 1,
        Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, false, StreamReport.OFF, 0,
        Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cancelled");
  }

  /**
   * A stream that, like Binance's, fetches BTC's book over REST through the scanner when it
   * connects, and whose connection the test can drop.
   */
  private final class SnapshotStream implements MarketStream {
    private volatile Sinks.Many<StreamEvent> open = Sinks.many().unicast().onBackpressureError();
    volatile int fetchesStarted;

    @Override
    public String venue() {
      return "a";
    }

    @Override
    public Flux<StreamEvent> connect(StreamRequest request, StreamContext context) {
      return Flux.defer(() -> {
        Sinks.Many<StreamEvent> sink = Sinks.many().unicast().onBackpressureError();
        open = sink;
        Flux<StreamEvent> snapshot = context.request(RequestKind.BOOK, request.depth(), () -> {
          fetchesStarted++;
          return source.book(BTC, request.depth());
        }).<StreamEvent>map(StreamEvent::update).flux();
        return Flux.merge(Flux.just(StreamEvent.connected()), snapshot, sink.asFlux());
      });
    }

    void drop() {
      open.tryEmitError(new IOException("connection reset by the venue"));
    }

    @Override
    public void close() {}
  }
}
