package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.PermanentSourceException;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.simulator.Fault;
import dev.scanflux.simulator.ServedRequest;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The tests every venue source passes against its simulator: discovery, ticker, book, bulk
 * tickers, and the classification of a 429, a 5xx, malformed and truncated JSON, a crossed book,
 * a reset and a hang. One simulator and one source per test class; the source loads its start-up
 * metadata before the first test so that injected faults hit the request under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class VenueSourceContract {

  /** Generous: the machine running the suite may be loaded far beyond its cores. */
  static final Duration VERIFY = Duration.ofSeconds(30);
  static final int INSTRUMENTS = 120;

  VenueSimulator sim;
  MarketSource source;
  List<Instrument> discovered;

  /** The simulated venue. */
  abstract SimulatedVenue simulatedVenue();

  /** The preset under test. */
  abstract VenueBuilder preset();

  /** An instrument the simulator lists. */
  abstract Instrument btc();

  /** Whether the venue has a bulk ticker endpoint. */
  boolean bulkTickers() {
    return true;
  }

  /**
   * Whether a book of an instrument the venue does not list is asked of the venue, so that the
   * failure the engine counts is a request the venue saw and refused. Every source does so but
   * Lighter's, which needs the market id discovery learnt before it can ask.
   */
  boolean asksTheVenueAboutAnUnknownInstrument() {
    return true;
  }

  /**
   * Whether the venue asked about an unlisted instrument's book is asked at its book endpoint
   * (the path a listed instrument's book asks), not only at another (discovery).
   */
  boolean asksTheBookEndpointAboutAnUnknownInstrument() {
    return true;
  }

  /** Requests one bulk ticker call makes. */
  int bulkRequests() {
    return 1;
  }

  /** Levels per side the venue's client can fetch at most (XChange fixes some). */
  int maxBookLevels() {
    return Integer.MAX_VALUE;
  }

  @BeforeAll
  void start() {
    // The real limits are enforced in VenueSimulatorTest; here they would only make tests slow.
    sim = VenueSimulator.builder(simulatedVenue()).instruments(INSTRUMENTS).seed(7)
        .rateLimit(false)
        .retryAfter(Duration.ofSeconds(3)).build();
    // No test here waits for the client's deadline (a hung request is given up by the test), so
    // it is long enough that a loaded machine does not turn a slow answer into a timeout.
    source = preset().baseUrl(sim.start()).httpTimeout(Duration.ofSeconds(10)).build();
    discovered = source.instruments().block(VERIFY);
  }

  @AfterAll
  void stop() {
    source.close();
    sim.close();
  }

  @BeforeEach
  void clearLog() {
    sim.clearScriptedFaults();
    sim.clearRequestLog();
  }

  @Test
  void discoversEveryInstrumentOfTheSimulator() {
    assertThat(discovered).hasSize(INSTRUMENTS).contains(btc());
    assertThat(discovered).allMatch(i -> i.kind() == btc().kind());
  }

  @Test
  void fetchesATicker() {
    StepVerifier.create(source.ticker(btc()))
        .assertNext(t -> {
          assertThat(t.venue()).isEqualTo(source.venue());
          assertThat(t.instrument()).isEqualTo(btc());
          assertThat(t.bid()).isLessThan(t.ask());
          assertThat(t.last()).isPositive();
        })
        .expectComplete()
        .verify(VERIFY);
    assertThat(sim.requestLog()).extracting(ServedRequest::status).containsOnly(200);
  }

  @Test
  void fetchesABookOfTheRequestedDepth() {
    StepVerifier.create(source.book(btc(), 20))
        .assertNext(b -> {
          assertThat(b.instrument()).isEqualTo(btc());
          assertThat(b.bidLevels()).isEqualTo(Math.min(20, maxBookLevels()));
          assertThat(b.askLevels()).isEqualTo(Math.min(20, maxBookLevels()));
          assertThat(b.bestBid()).isLessThan(b.bestAsk());
        })
        .expectComplete()
        .verify(VERIFY);
    assertThat(sim.requestLog()).hasSize(1);
    assertThat(sim.requestLog().get(0).symbol()).isNotNull();
  }

  @Test
  void fetchesEveryTickerInOneRequest() {
    if (!bulkTickers()) {
      assertThat(source.hasBulkTickers()).isFalse();
      StepVerifier.create(source.tickers()).expectError(PermanentSourceException.class)
          .verify(VERIFY);
      assertThat(sim.requestLog()).isEmpty();
      return;
    }
    assertThat(source.hasBulkTickers()).isTrue();
    StepVerifier.create(source.tickers())
        .assertNext(all -> {
          assertThat(all).hasSize(INSTRUMENTS);
          assertThat(all).extracting(TickerSnapshot::instrument).contains(btc());
        })
        .expectComplete()
        .verify(VERIFY);
    assertThat(sim.requestLog()).hasSize(bulkRequests());
  }

  @Test
  void throttlingIsThrottledWithTheVenuesRetryAfter() {
    sim.failNext(Fault.THROTTLE);
    StepVerifier.create(source.book(btc(), 20))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ThrottledException.class);
          assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(3));
        })
        .verify(VERIFY);
    assertThat(sim.requestLog()).extracting(ServedRequest::fault).containsExactly(Fault.THROTTLE);
    assertThat(sim.requestLog().get(0).status()).isIn(403, 429);
  }

  @Test
  void serverErrorIsTransient() {
    sim.failNext(Fault.SERVER_ERROR);
    StepVerifier.create(source.ticker(btc()))
        .expectError(TransientSourceException.class)
        .verify(VERIFY);
  }

  @Test
  void malformedJsonIsBadData() {
    sim.failNext(Fault.MALFORMED_JSON);
    StepVerifier.create(source.book(btc(), 20))
        .expectError(BadDataException.class)
        .verify(VERIFY);
  }

  @Test
  void truncatedJsonIsBadData() {
    sim.failNext(Fault.TRUNCATED_JSON);
    StepVerifier.create(source.ticker(btc()))
        .expectError(BadDataException.class)
        .verify(VERIFY);
  }

  @Test
  void crossedBookIsBadData() {
    sim.failNext(Fault.CROSSED_BOOK);
    StepVerifier.create(source.book(btc(), 20))
        .expectError(BadDataException.class)
        .verify(VERIFY);
  }

  @Test
  void connectionResetIsTransient() {
    // Two: XChange's HTTP client (HttpURLConnection) resends an idempotent request once when a
    // kept-alive connection closes without an answer; the native sources never do
    // (NativeHttpTest).
    sim.failNext(Fault.CONNECTION_RESET, Fault.CONNECTION_RESET);
    StepVerifier.create(source.book(btc(), 5))
        .expectError(TransientSourceException.class)
        .verify(VERIFY);
  }

  /**
   * The caller gives up once the hung request reached the venue: a fixed short timeout could
   * fire before a loaded machine sent the request, which a native source then never sends.
   */
  @Test
  void hungRequestTimesOut() {
    sim.failNext(Fault.HANG);
    Sinks.Empty<Void> giveUp = Sinks.empty();
    StepVerifier.create(source.book(btc(), 5).timeout(giveUp.asMono()))
        .then(() -> {
          awaitLog(log -> !log.isEmpty());
          giveUp.tryEmitEmpty();
        })
        .expectError(TimeoutException.class)
        .verify(VERIFY);
    assertThat(sim.requestLog()).extracting(ServedRequest::fault).containsExactly(Fault.HANG);
  }

  @Test
  void bookOfAnUnknownInstrumentFails() {
    Instrument unknown = btc().isSpot() ? Instrument.spot("NOPE", btc().quote())
        : Instrument.perpetual("NOPE", btc().quote());
    int known = sim.requestLog().size();
    StepVerifier.create(source.book(btc(), 5)).expectNextCount(1).verifyComplete();
    // the paths a listed instrument's book asks, its base currency replaced by the unknown one's
    String base = btc().base();
    List<String> bookPaths = sim.requestLog().stream().skip(known).map(ServedRequest::path)
        .map(p -> p.replace(base, "NOPE").replace(base.toLowerCase(java.util.Locale.ROOT),
            "nope")).toList();
    int before = sim.requestLog().size();
    StepVerifier.create(source.book(unknown, 5))
        .expectError()
        .verify(VERIFY);
    if (asksTheVenueAboutAnUnknownInstrument()) {
      List<ServedRequest> log = sim.requestLog();
      assertThat(log.subList(before, log.size())).as("the venue was asked").isNotEmpty();
      if (asksTheBookEndpointAboutAnUnknownInstrument()) {
        assertThat(log.subList(before, log.size())).extracting(ServedRequest::path)
            .as("the venue's book endpoint (as a listed instrument's book asks it: %s)",
                bookPaths)
            .anySatisfy(path -> assertThat(bookPaths).contains(path));
      }
    }
  }

  /** The request log once it satisfies {@code condition}; polls, fails after {@link #VERIFY}. */
  List<ServedRequest> awaitLog(Predicate<List<ServedRequest>> condition) {
    return Flux.interval(Duration.ofMillis(10))
        .map(tick -> sim.requestLog())
        .filter(condition)
        .blockFirst(VERIFY);
  }
}
