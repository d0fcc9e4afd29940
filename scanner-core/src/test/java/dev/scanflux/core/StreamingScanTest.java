package dev.scanflux.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.StreamTransition.Type;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The engine with a push stream beside polling, in virtual time: what the stream keeps live is
 * not polled, and everything else (a dropped, idle, never-connecting or resyncing stream, a stale
 * instrument) falls back to REST until the stream delivers again.
 */
class StreamingScanTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument ETH = Instrument.spot("ETH", "USDT");
  private static final Instrument SOL = Instrument.spot("SOL", "USDT");
  private static final List<Instrument> UNIVERSE = List.of(BTC, ETH, SOL);

  private VirtualTimeScheduler vts;
  private FakeSource source;
  private FakeStream stream;
  private final List<Scan> scans = new CopyOnWriteArrayList<>();
  private final List<StreamTransition> transitions = new CopyOnWriteArrayList<>();
  private Scanner scanner;

  @BeforeEach
  void setUp() {
    vts = VirtualTimeScheduler.create();
    stream = new FakeStream("a", vts);
    source = new FakeSource("a", vts, UNIVERSE).stream(stream);
  }

  @AfterEach
  void tearDown() {
    if (scanner != null) {
      scanner.close();
    }
    vts.dispose();
  }

  private void start(VenueOptions.Builder options) {
    start(options, Duration.ofSeconds(1));
  }

  private void start(VenueOptions.Builder options, Duration interval) {
    VenueOptions built = options.stream(true).build();
    scanner = Scanner.builder().scheduler(vts).interval(interval)
        .venue(source, built.instruments().isPresent() ? built
            : options.instruments(UNIVERSE).build())
        .listener(new ScanListener() {
          @Override
          public void onStreamTransition(StreamTransition t) {
            transitions.add(t);
          }
        })
        .build();
    scanner.scans().subscribe(scans::add);
    scanner.start();
  }

  private void at(Duration t) {
    vts.advanceTimeTo(java.time.Instant.ofEpochMilli(t.toMillis()));
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private StreamEvent book(Instrument i) {
    return StreamEvent.update(source.bookOf(i));
  }

  private StreamEvent ticker(Instrument i) {
    return StreamEvent.update(source.tickerOf(i));
  }

  private void streamEverything() {
    stream.emit(StreamEvent.connected());
    for (Instrument i : UNIVERSE) {
      stream.emit(book(i), ticker(i));
    }
  }

  /** The requests the venue saw from {@code from} (inclusive) to {@code to} (exclusive). */
  private List<FakeSource.Call> polledBetween(Duration from, Duration to) {
    return source.calls().stream()
        .filter(c -> c.startNanos() >= from.toNanos() && c.startNanos() < to.toNanos())
        .toList();
  }

  private Scan scan(long cycle) {
    return scans.stream().filter(s -> s.cycle() == cycle).findFirst().orElseThrow();
  }

  @Test
  void whatTheStreamKeepsLiveIsNotPolled() {
    start(VenueOptions.custom());
    at(ms(500));
    assertThat(stream.requests()).singleElement().satisfies(r -> {
      assertThat(r.instruments()).containsExactlyElementsOf(UNIVERSE);
      assertThat(r.books()).isTrue();
      assertThat(r.tickers()).isTrue();
      assertThat(r.depth()).isEqualTo(20);
    });
    stream.emit(StreamEvent.connected(), book(BTC), ticker(BTC), book(ETH), ticker(ETH));
    at(ms(3_500));

    assertThat(polledBetween(ms(0), ms(500))).as("before the stream delivered").hasSize(6);
    assertThat(polledBetween(ms(500), ms(3_500))).as("only what the stream does not cover")
        .extracting(FakeSource.Call::instrument).containsOnly(SOL).hasSizeGreaterThanOrEqualTo(4);
    StreamReport first = scan(1).report().venues().get("a").stream();
    assertThat(first.state()).isEqualTo(StreamReport.State.CONNECTED);
    assertThat(first.updates()).isEqualTo(4);
    assertThat(first.connects()).isEqualTo(1);
    assertThat(first.liveBooks()).isEqualTo(2);
    assertThat(first.liveTickers()).isEqualTo(2);
    assertThat(first.polled()).isEqualTo(6);
    // the latest per venue, instrument and kind since the previous scan: streamed BTC replaced
    // the polled one
    assertThat(scan(1).snapshots()).hasSize(6);
    assertThat(scan(1).book("a", BTC)).get()
        .extracting(MarketSnapshot::receivedAt).isEqualTo(java.time.Instant.ofEpochMilli(500));
    assertThat(scan(1).snapshots()).extracting(MarketSnapshot::receivedAt).isSorted();

    StreamReport second = scan(2).report().venues().get("a").stream();
    assertThat(second.polled()).isEqualTo(2);
    assertThat(second.updates()).isZero();
    assertThat(scanner.view().book("a", BTC)).get()
        .extracting(MarketSnapshot::receivedAt).isEqualTo(java.time.Instant.ofEpochMilli(500));
    assertThat(scanner.view().health("a", BTC)).get().satisfies(h -> {
      assertThat(h.origin()).isEqualTo(BookHealth.Origin.STREAM);
      assertThat(h.state()).isEqualTo(BookHealth.State.LIVE);
      assertThat(h.age()).isEqualTo(Duration.ofSeconds(3));
    });
    assertThat(scanner.view().health("a", SOL)).get()
        .extracting(BookHealth::origin).isEqualTo(BookHealth.Origin.POLL);
  }

  @Test
  void streamedSnapshotsArePublishedTheMomentTheyArrive() {
    start(VenueOptions.custom());
    List<MarketSnapshot> seen = new CopyOnWriteArrayList<>();
    scanner.snapshots().filter(s -> s.receivedAt().toEpochMilli() >= 1_200).subscribe(seen::add);
    at(ms(1_234));
    stream.emit(StreamEvent.connected(), book(ETH));
    assertThat(seen).singleElement().satisfies(s -> {
      assertThat(s.instrument()).isEqualTo(ETH);
      assertThat(s.receivedAt()).isEqualTo(java.time.Instant.ofEpochMilli(1_234));
    });
    assertThat(scanner.view().book("a", ETH)).contains((BookSnapshot) seen.get(0));
  }

  @Test
  void aDroppedStreamFallsBackToPollingAndSwitchesBackWhenItReconnects() {
    start(VenueOptions.custom());
    at(ms(500));
    streamEverything();
    at(ms(2_500));
    assertThat(polledBetween(ms(600), ms(2_500))).as("everything streamed").isEmpty();

    stream.drop();
    at(ms(2_600));
    assertThat(polledBetween(ms(2_500), ms(2_600))).as("REST fallback at once").hasSize(6);
    at(ms(3_900));
    assertThat(stream.connectNanos()).as("reconnected within 500 ms ± 50%").hasSize(2);
    long pause = stream.connectNanos().get(1) - ms(2_500).toNanos();
    assertThat(pause).isBetween(ms(250).toNanos(), ms(750).toNanos());
    assertThat(stream.requests().get(1)).as("every channel resubscribed")
        .isEqualTo(stream.requests().get(0));
    assertThat(polledBetween(ms(3_400), ms(3_600)))
        .as("connected but not delivering yet: still polled, once per interval").hasSize(6);
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("a").stream().disconnects())
        .sum()).isEqualTo(1);
    assertThat(scans).anySatisfy(s -> assertThat(s.report().venues().get("a").stream().state())
        .isEqualTo(StreamReport.State.DOWN));

    streamEverything();
    at(ms(6_500));
    assertThat(polledBetween(ms(4_000), ms(6_500))).as("back on the stream").isEmpty();
    assertThat(transitions).extracting(StreamTransition::type)
        .containsExactly(Type.CONNECTED, Type.DISCONNECTED, Type.CONNECTED);
    assertThat(transitions.get(1).detail()).contains("connection reset");
  }

  @Test
  void aStreamThatNeverConnectsIsRetriedWithGrowingBackoffWhileEverythingIsPolled() {
    stream.refuse(true);
    start(VenueOptions.custom().reconnectBackoff(ms(100), Duration.ofSeconds(2)));
    at(Duration.ofSeconds(20));

    List<Long> at = stream.connectNanos();
    assertThat(at.size()).isBetween(10, 20);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) {
      gaps.add(at.get(i) - at.get(i - 1));
    }
    for (int i = 0; i < gaps.size(); i++) {
      long nominal = Math.min(ms(100).toNanos() << Math.min(i, 20), ms(2_000).toNanos());
      assertThat(gaps.get(i)).as("pause %d", i)
          .isBetween(nominal / 2, Math.min(nominal * 3 / 2, ms(2_000).toNanos()));
    }
    for (Scan s : scans) {
      assertThat(s.report().venues().get("a").stream().state()).isEqualTo(StreamReport.State.DOWN);
      assertThat(s.report().venues().get("a").requests()).isEqualTo(6);
    }
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("a").stream().disconnects())
        .sum()).isLessThanOrEqualTo(at.size()).isGreaterThan(at.size() - 3);
    assertThat(transitions).extracting(StreamTransition::type).containsOnly(Type.DISCONNECTED);
  }

  @Test
  void anInstrumentWithoutUpdatesGoesStaleIsResyncedAndPolled() {
    start(VenueOptions.custom().tickers(false).staleAfter(Duration.ofSeconds(5)));
    at(ms(500));
    stream.emit(StreamEvent.connected(), book(BTC), book(ETH), book(SOL));
    for (int t = 1_500; t <= 8_500; t += 1_000) {
      at(ms(t));
      stream.emit(book(ETH), book(SOL)); // BTC goes quiet
    }
    assertThat(stream.resyncsAsked()).containsExactly(BTC);
    assertThat(transitions).filteredOn(t -> t.type() == Type.RESYNC).singleElement()
        .satisfies(t -> {
          assertThat(t.instrument()).isEqualTo(BTC);
          assertThat(t.cause()).isEqualTo(ResyncCause.STALE);
          assertThat(t.at()).isBetween(java.time.Instant.ofEpochMilli(5_500),
              java.time.Instant.ofEpochMilli(5_500 + 1_250));
        });
    at(ms(9_000));
    long cycle = scans.get(scans.size() - 1).cycle() + 1; // the cycle running now
    assertThat(polledBetween(ms(8_000), ms(8_600)))
        .extracting(FakeSource.Call::instrument).containsExactly(BTC);
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("a").stream()
        .resyncs(ResyncCause.STALE)).sum()).isEqualTo(1);
    assertThat(cycle).isGreaterThan(3);
  }

  @Test
  void anIdleConnectionCountsAsDroppedAndIsReconnected() {
    start(VenueOptions.custom().staleAfter(Duration.ofSeconds(5)));
    at(ms(500));
    stream.emit(StreamEvent.connected()); // then silence
    at(ms(6_500));
    assertThat(transitions).extracting(StreamTransition::type)
        .containsExactly(Type.CONNECTED, Type.DISCONNECTED);
    assertThat(transitions.get(1).detail()).isEqualTo("no message for PT5S");
    assertThat(transitions.get(1).at()).isEqualTo(java.time.Instant.ofEpochMilli(5_500));
    assertThat(stream.connectNanos()).hasSize(2);
    assertThat(stream.cancelled()).isEqualTo(1);
  }

  @Test
  void aResyncingBookIsPolledUntilItsStreamDeliversAgain() {
    start(VenueOptions.custom().tickers(false));
    at(ms(500));
    stream.emit(StreamEvent.connected(), book(BTC), book(ETH), book(SOL));
    at(ms(1_500));
    stream.emit(StreamEvent.resync(BTC, ResyncCause.SEQUENCE_GAP, "expected 11, got 14"));
    assertThat(scanner.view().health("a", BTC)).get()
        .extracting(BookHealth::state, BookHealth::origin)
        .containsExactly(BookHealth.State.RESYNCING, BookHealth.Origin.POLL);
    at(ms(1_600));
    assertThat(polledBetween(ms(1_500), ms(1_600))).as("polled at once")
        .extracting(FakeSource.Call::instrument).containsExactly(BTC);
    at(ms(2_400));
    stream.emit(book(BTC));
    assertThat(scanner.view().health("a", BTC)).get()
        .extracting(BookHealth::state, BookHealth::origin)
        .containsExactly(BookHealth.State.LIVE, BookHealth.Origin.STREAM);
    at(ms(4_500));
    assertThat(polledBetween(ms(1_600), ms(4_500))).isEmpty();
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("a").stream()
        .resyncs(ResyncCause.SEQUENCE_GAP)).sum()).isEqualTo(1);
    assertThat(transitions).filteredOn(t -> t.type() == Type.RESYNC)
        .singleElement().extracting(StreamTransition::detail).isEqualTo("expected 11, got 14");
  }

  @Test
  void streamedDataThatDoesNotBelongIsRejectedCountedAndNeverPublished() {
    start(VenueOptions.custom());
    List<MarketSnapshot> seen = new CopyOnWriteArrayList<>();
    scanner.snapshots().filter(s -> s.receivedAt().toEpochMilli() >= 1_200).subscribe(seen::add);
    at(ms(1_200));
    Instrument doge = Instrument.spot("DOGE", "USDT");
    FakeSource other = new FakeSource("b", vts, List.of(BTC));
    stream.emit(StreamEvent.connected(), StreamEvent.update(source.bookOf(doge)),
        StreamEvent.update(other.bookOf(BTC)), StreamEvent.rejected("not JSON: 'garbage'"));
    at(ms(1_500));
    assertThat(seen).isEmpty();
    assertThat(scanner.view().book("a", doge)).isEmpty();
    assertThat(scanner.view().book("b", BTC)).isEmpty();
    at(ms(3_100)); // counted in the first scan completed after them
    assertThat(scan(2).report().venues().get("a").stream().rejected()).isEqualTo(3);
    assertThat(transitions).filteredOn(t -> t.type() == Type.REJECTED)
        .extracting(StreamTransition::detail)
        .containsExactly("update for DOGE/USDT, which this scanner does not follow",
            "snapshot claims venue 'b'", "not JSON: 'garbage'");
  }

  @Test
  void aFullyStreamedVenueCutsAScanEveryStreamCycleInsteadOfSpinning() {
    start(VenueOptions.custom().streamCycle(ms(500)), Duration.ZERO);
    at(ms(100));
    streamEverything();
    for (int t = 1_000; t <= 10_000; t += 1_000) {
      at(ms(t));
      stream.emit(book(BTC));
    }
    assertThat(scans.size()).isBetween(18, 21);
    Scan late = scans.get(scans.size() - 1);
    assertThat(late.report().venues().get("a").requests()).isZero();
    assertThat(late.report().venues().get("a").stream().polled()).isZero();
    assertThat(late.report().venues().get("a").passes()).isEqualTo(1);
    assertThat(polledBetween(ms(0), ms(100))).isNotEmpty(); // before the stream delivered
    assertThat(polledBetween(ms(150), ms(10_000))).isEmpty();
  }

  @Test
  void closeCancelsTheConnectionAndClosesTheStreamBeforeTheSource() {
    start(VenueOptions.custom());
    at(ms(500));
    streamEverything();
    scanner.close();
    assertThat(stream.cancelled()).isEqualTo(1);
    assertThat(stream.isClosed()).isTrue();
    assertThat(source.isClosed()).isTrue();
    at(ms(60_000));
    assertThat(stream.connectNanos()).hasSize(1);
    assertThat(source.calls().stream().filter(c -> c.kind() == RequestKind.BOOK)).hasSize(3);
  }

  @Test
  void aStreamsRestSnapshotGoesThroughTheVenuesLimiterAndIsCounted() {
    // a venue that allows one book per 10 s: the stream's snapshot must wait for the cycle's
    source.limit(dev.scanflux.core.spi.RateLimitSpec.of(1, Duration.ofSeconds(10)));
    MarketStreamWithSnapshot snapshotting = new MarketStreamWithSnapshot();
    source.stream(snapshotting);
    start(VenueOptions.custom().tickers(false).instruments(List.of(BTC)));
    at(ms(30_000));
    List<FakeSource.Call> books = source.calls();
    assertThat(books).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 1; i < books.size(); i++) {
      assertThat(books.get(i).startNanos() - books.get(i - 1).startNanos())
          .as("one request per 10 s window, stream's and cycle's alike")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(10).toNanos());
    }
    assertThat(snapshotting.loaded).hasValueGreaterThanOrEqualTo(1);
    assertThat(scans.stream().mapToLong(s -> s.report().venues().get("a").requests()).sum())
        .as("the stream's request is counted in a cycle's report").isEqualTo(books.size());
  }

  /** Loads one REST snapshot per connection through the context, then streams it. */
  private final class MarketStreamWithSnapshot implements dev.scanflux.core.spi.MarketStream {
    final java.util.concurrent.atomic.AtomicInteger loaded =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String venue() {
      return "a";
    }

    @Override
    public reactor.core.publisher.Flux<StreamEvent> connect(
        dev.scanflux.core.spi.StreamRequest request, dev.scanflux.core.spi.StreamContext context) {
      return reactor.core.publisher.Flux.concat(
          reactor.core.publisher.Mono.just(StreamEvent.connected()),
          context.request(RequestKind.BOOK, 20, () -> source.book(BTC, 20))
              .doOnNext(b -> loaded.incrementAndGet())
              .map(StreamEvent::update),
          reactor.core.publisher.Flux.never());
    }
  }

  @Test
  void anInstrumentTheConnectionNeverDeliversIsAskedForAgainEveryStaleAfter() {
    start(VenueOptions.custom().tickers(false).staleAfter(Duration.ofSeconds(4)));
    at(ms(500));
    stream.emit(StreamEvent.connected(), book(ETH), book(SOL)); // BTC's snapshot was lost
    for (int t = 1_000; t <= 13_000; t += 1_000) {
      at(ms(t));
      stream.emit(book(ETH), book(SOL));
    }
    assertThat(stream.resyncsAsked()).as("asked at about 4.5, 8.5 and 12.5 s")
        .containsExactly(BTC, BTC, BTC);
    assertThat(transitions).filteredOn(t -> t.type() == Type.RESYNC)
        .extracting(StreamTransition::detail).first().asString()
        .isEqualTo("no book since the connection opened, PT4S or more ago");
    assertThat(polledBetween(ms(12_000), ms(13_000)))
        .extracting(FakeSource.Call::instrument).containsExactly(BTC);
  }
}
