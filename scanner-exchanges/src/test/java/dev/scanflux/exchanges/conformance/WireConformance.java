package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Real-wire conformance of one preset: its source, pointed at a {@link WireSampleServer} that
 * answers with the venues' real answers (wire-samples/SOURCES.md says where each comes from),
 * must parse every endpoint it calls. Each test asserts figures read from the sample itself, and
 * after each test no request may have gone to an endpoint without a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WireConformance {

  static final Duration WAIT = Duration.ofSeconds(20);

  WireSampleServer server;
  MarketSource source;

  /** The preset under test. */
  abstract VenueBuilder preset();

  /** The routes the preset calls, each answered with a sample. */
  abstract void routes(WireSampleServer server);

  @BeforeAll
  void start() {
    server = new WireSampleServer();
    routes(server);
    source = preset().baseUrl(server.baseUrl()).httpTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  void stop() {
    source.close();
    server.close();
  }

  @AfterEach
  void everyRequestHadARealAnswer() {
    assertThat(server.unmatched()).as("requests to endpoints without a wire sample").isEmpty();
  }

  List<Instrument> fetchInstruments() {
    return source.instruments().block(WAIT);
  }

  BookSnapshot fetchBook(Instrument instrument, int depth) {
    return source.book(instrument, depth).block(WAIT);
  }

  TickerSnapshot fetchTicker(Instrument instrument) {
    return source.ticker(instrument).block(WAIT);
  }

  List<TickerSnapshot> fetchTickers() {
    return source.tickers().block(WAIT);
  }

  /** The requests the server saw to {@code path}. */
  List<WireSampleServer.Seen> requestsTo(String path) {
    return server.seen().stream().filter(s -> s.path().equals(path)).toList();
  }

  /**
   * Asserts the book's best levels and level counts, and that both sides are ordered best first
   * (bids descending, asks ascending) whatever order the venue sent them in.
   */
  static void assertBook(BookSnapshot book, Instrument instrument, double bestBid,
      double bestBidSize, double bestAsk, double bestAskSize, int bidLevels, int askLevels) {
    assertThat(book.instrument()).isEqualTo(instrument);
    assertThat(book.bidLevels()).as("bid levels").isEqualTo(bidLevels);
    assertThat(book.askLevels()).as("ask levels").isEqualTo(askLevels);
    assertThat(book.bestBid()).as("best bid").isEqualTo(bestBid);
    assertThat(book.bidSize(0)).as("best bid size").isEqualTo(bestBidSize);
    assertThat(book.bestAsk()).as("best ask").isEqualTo(bestAsk);
    assertThat(book.askSize(0)).as("best ask size").isEqualTo(bestAskSize);
    for (int i = 1; i < book.bidLevels(); i++) {
      assertThat(book.bidPrice(i)).as("bid %d", i).isLessThan(book.bidPrice(i - 1));
    }
    for (int i = 1; i < book.askLevels(); i++) {
      assertThat(book.askPrice(i)).as("ask %d", i).isGreaterThan(book.askPrice(i - 1));
    }
  }

  /** Asserts a ticker's bid, ask and last (NaN where the venue's answer has none). */
  static void assertTicker(TickerSnapshot t, Instrument instrument, double bid, double ask,
      double last) {
    assertThat(t.instrument()).isEqualTo(instrument);
    assertThat(t.bid()).as("bid").isEqualTo(bid);
    assertThat(t.ask()).as("ask").isEqualTo(ask);
    assertThat(t.last()).as("last").isEqualTo(last);
  }
}
