package dev.scanflux.core;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.RequestKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A scripted venue for engine tests: answers after a fixed latency on the test's scheduler,
 * logs every request it starts (time, kind, instrument) and counts requests in flight.
 */
public final class FakeSource implements MarketSource {

  /** One request as the fake venue saw it. */
  public record Call(long startNanos, RequestKind kind, @Nullable Instrument instrument) {}

  /** Decides a request's answer; return null for the default (a valid snapshot). */
  @FunctionalInterface
  public interface Responder {
    @Nullable Mono<?> respond(RequestKind kind, @Nullable Instrument instrument, int callNumber);
  }

  private final String venue;
  private final Scheduler clock;
  private volatile List<Instrument> instruments;
  private final List<Call> calls = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private RateLimitSpec limit = RateLimitSpec.of(1000, Duration.ofSeconds(1));
  private int concurrency = 4;
  private Duration latency = Duration.ofMillis(50);
  private boolean bulk;
  private Responder responder = (k, i, n) -> null;
  private @Nullable MarketStream stream;

  public FakeSource(String venue, Scheduler clock, List<Instrument> instruments) {
    this.venue = venue;
    this.clock = clock;
    this.instruments = List.copyOf(instruments);
  }

  static List<Instrument> universe(String... bases) {
    List<Instrument> list = new ArrayList<>();
    for (String b : bases) {
      list.add(Instrument.spot(b, "USDT"));
    }
    return list;
  }

  public static List<Instrument> universe(int count) {
    List<Instrument> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(Instrument.spot("C" + i, "USDT"));
    }
    return list;
  }

  /** Changes what the venue lists from now on (its next discovery sees it). */
  public FakeSource listing(List<Instrument> instruments) {
    this.instruments = List.copyOf(instruments);
    return this;
  }

  public FakeSource limit(RateLimitSpec limit) {
    this.limit = limit;
    return this;
  }

  public FakeSource concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  public FakeSource latency(Duration latency) {
    this.latency = latency;
    return this;
  }

  FakeSource bulkTickers() {
    this.bulk = true;
    return this;
  }

  /** Offers this push stream through {@link #stream()}. */
  public FakeSource stream(MarketStream stream) {
    this.stream = stream;
    return this;
  }

  @Override
  public Optional<MarketStream> stream() {
    return Optional.ofNullable(stream);
  }

  public FakeSource responder(Responder responder) {
    this.responder = responder;
    return this;
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public int peakInFlight() {
    return peakInFlight.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  boolean isClosed() {
    return closed.get() > 0;
  }

  @Override
  public String venue() {
    return venue;
  }

  @Override
  public RateLimitSpec rateLimit() {
    return limit;
  }

  @Override
  public int defaultConcurrency() {
    return concurrency;
  }

  @Override
  public Mono<List<Instrument>> instruments() {
    return answer(RequestKind.INSTRUMENTS, null, () -> instruments);
  }

  @Override
  public Mono<BookSnapshot> book(Instrument instrument, int depth) {
    return answer(RequestKind.BOOK, instrument, () -> bookOf(instrument));
  }

  @Override
  public Mono<TickerSnapshot> ticker(Instrument instrument) {
    return answer(RequestKind.TICKER, instrument, () -> tickerOf(instrument));
  }

  @Override
  public boolean hasBulkTickers() {
    return bulk;
  }

  @Override
  public Mono<List<TickerSnapshot>> tickers() {
    return answer(RequestKind.TICKERS, null,
        () -> instruments.stream().map(this::tickerOf).toList());
  }

  @Override
  public void close() {
    closed.incrementAndGet();
  }

  public BookSnapshot bookOf(Instrument instrument) {
    return BookSnapshot.builder(venue, instrument)
        .bid(100, 1).bid(99, 2).ask(101, 1).ask(102, 2)
        .exchangeTime(Instant.ofEpochMilli(clock.now(TimeUnit.MILLISECONDS)))
        .build();
  }

  TickerSnapshot tickerOf(Instrument instrument) {
    Instant now = Instant.ofEpochMilli(clock.now(TimeUnit.MILLISECONDS));
    return new TickerSnapshot(venue, instrument, 100, 101, 100.5, 10, 1005, 0.01, now, now);
  }

  @SuppressWarnings("unchecked")
  private <T> Mono<T> answer(RequestKind kind, @Nullable Instrument instrument,
      java.util.function.Supplier<T> value) {
    return Mono.defer(() -> {
      int n;
      synchronized (this) {
        n = calls.size();
        calls.add(new Call(clock.now(TimeUnit.NANOSECONDS), kind, instrument));
      }
      int now = inFlight.incrementAndGet();
      peakInFlight.accumulateAndGet(now, Math::max);
      Mono<?> scripted = responder.respond(kind, instrument, n);
      Mono<T> result = scripted != null ? (Mono<T>) scripted : Mono.fromSupplier(value);
      // the venue is done when it answers, before the answer travels on
      return Mono.delay(latency, clock).then(result)
          .doOnTerminate(inFlight::decrementAndGet)
          .doOnCancel(inFlight::decrementAndGet);
    });
  }
}
