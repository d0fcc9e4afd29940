package dev.scanflux.exchanges.conformance;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jspecify.annotations.Nullable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Kraken's WebSocket v2 stream on Kraken's own messages: the recorded 2021 XBT/CHF session
 * (a 1000-level snapshot and 289 updates with Kraken's checksums, converted from v1 to v2's
 * shape, see {@code src/test/resources/kraken-ws-v2/README.md}) and the snapshot of Kraken's
 * checksum documentation. The stream follows the session by its checksums with no resync; a
 * lost update or a changed quantity is a checksum resync; a book that keeps failing is
 * resubscribed with a growing backoff.
 */
class KrakenStreamWireTest {

  private static final Instrument BTC_CHF = Instrument.spot("BTC", "CHF");
  private static final Instrument BTC_USD = Instrument.spot("BTC", "USD");

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  private <T extends AutoCloseable> T opened(T c) {
    open.add(c);
    return c;
  }

  private static String resource(String name) {
    try (InputStream in = KrakenStreamWireTest.class.getResourceAsStream("/kraken-ws-v2/"
        + name)) {
      Objects.requireNonNull(in, () -> "no test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(String name) {
    return resource(name).lines().filter(l -> !l.isBlank()).toList();
  }

  private MarketSource kraken(ScriptedWsServer ws, @Nullable VirtualTimeScheduler clock) {
    var builder = Venues.kraken().baseUrl("http://127.0.0.1:11").streamUrl(ws.uri().toString());
    return opened((clock == null ? builder : builder.clock(clock)).build());
  }

  private static boolean subscribes(String frame, String channel) {
    return frame.contains("\"method\":\"subscribe\"")
        && frame.contains("\"channel\":\"" + channel + "\"");
  }

  @Test
  void followsTheRecordedSessionByItsChecksums() {
    List<String> book = lines("book-1000-BTC-CHF.jsonl");
    List<String> ticker = lines("ticker-BTC-CHF.jsonl");
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (subscribes(text, "book")) {
        book.forEach(conn::send);
      } else if (subscribes(text, "ticker")) {
        ticker.forEach(conn::send);
      }
    });
    StreamProbe p = opened(StreamProbe.connect(kraken(ws, null).stream().orElseThrow(),
        new StreamRequest(List.of(BTC_CHF), 1000, true, true), StreamContext.direct()));

    // The first line is the subscription's answer; each of the others is a book.
    p.await("every recorded book and the ticker", q -> q.books(BTC_CHF).size() == book.size() - 1
        && q.tickers(BTC_CHF).size() == 1, PATIENCE);

    assertThat(ws.received()).filteredOn(f -> subscribes(f, "book")).singleElement()
        .satisfies(f -> assertThat(f).contains("\"symbol\":[\"BTC/CHF\"]", "\"depth\":1000"));
    assertThat(p.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(p.events(StreamEvent.Rejected.class)).isEmpty();
    BookSnapshot first = p.books(BTC_CHF).get(0);
    assertThat(first.bidLevels()).isEqualTo(502);
    assertThat(first.askLevels()).isEqualTo(316);
    // The top of book after the last update, as replayed from the recording in Python.
    BookSnapshot last = p.books(BTC_CHF).get(book.size() - 2);
    assertThat(last.bestBid()).isEqualTo(56060.3);
    assertThat(last.bidSize(0)).isEqualTo(0.05804973);
    assertThat(last.bestAsk()).isEqualTo(56194.2);
    assertThat(last.askSize(0)).isEqualTo(0.017);
    assertThat(last.bidLevels()).isEqualTo(500);
    assertThat(last.askLevels()).isEqualTo(315);
    TickerSnapshot t = p.tickers(BTC_CHF).get(0);
    assertThat(t.bid()).isEqualTo(56119.1);
    assertThat(t.ask()).isEqualTo(56218.3);
    assertThat(t.last()).isEqualTo(56218.3);
    assertThat(t.baseVolume24h()).isEqualTo(37.46739855);
    assertThat(t.change24h()).isCloseTo(-0.0153, within(1e-12));
  }

  @Test
  void theDocumentedSnapshotMatchesItsChecksumAndAChangedQuantityDoesNot() {
    String snapshot = resource("book-snapshot-BTC-USD-docs.json").strip();
    // One quantity's last digit changed, its checksum not: a book Kraken never had.
    String changed = snapshot.replace("\"qty\":0.07990000", "\"qty\":0.07990001");
    assertThat(changed).isNotEqualTo(snapshot);
    List<String> answers = List.of(changed, snapshot);
    AtomicInteger subscriptions = new AtomicInteger();
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (subscribes(text, "book")) {
        conn.send(answers.get(Math.min(subscriptions.getAndIncrement(), answers.size() - 1)));
      }
    });
    StreamProbe p = opened(StreamProbe.connect(kraken(ws, null).stream().orElseThrow(), 10,
        BTC_USD));

    p.await("a book after the resubscription", q -> !q.books(BTC_USD).isEmpty(), PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class)).singleElement().satisfies(r -> {
      assertThat(r.cause()).isEqualTo(ResyncCause.CHECKSUM_MISMATCH);
      assertThat(r.detail()).startsWith("Kraken's checksum 3310070434, the book's ");
    });
    BookSnapshot b = p.books(BTC_USD).get(0);
    assertThat(b.bestBid()).isEqualTo(45283.5);
    assertThat(b.bidSize(0)).isEqualTo(0.1);
    assertThat(b.bestAsk()).isEqualTo(45285.2);
    assertThat(b.askSize(0)).isEqualTo(0.001);
    assertThat(b.bidLevels()).isEqualTo(10);
    assertThat(b.exchangeTime()).isEqualTo(Instant.parse("2023-10-06T17:35:55.440295Z"));
    assertThat(ws.received()).filteredOn(f -> f.contains("\"method\":\"unsubscribe\""))
        .hasSize(1);
  }

  @Test
  void aLostUpdateOfTheRecordedSessionIsAChecksumResync() {
    List<String> book = lines("book-1000-BTC-CHF.jsonl");
    AtomicInteger subscriptions = new AtomicInteger();
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (subscribes(text, "book") && subscriptions.getAndIncrement() == 0) {
        // The answer, the snapshot and the first update; the second update is lost.
        book.subList(0, 3).forEach(conn::send);
        conn.send(book.get(4));
      }
    });
    StreamProbe p = opened(StreamProbe.connect(kraken(ws, null).stream().orElseThrow(),
        new StreamRequest(List.of(BTC_CHF), 1000, true, false), StreamContext.direct()));

    p.await(StreamEvent.Resync.class, 1, PATIENCE);

    assertThat(p.events(StreamEvent.Resync.class).get(0).cause())
        .isEqualTo(ResyncCause.CHECKSUM_MISMATCH);
    assertThat(p.books(BTC_CHF)).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void booksThatKeepFailingAreResubscribedWithABackoff() {
    List<String> book = lines("book-1000-BTC-CHF.jsonl");
    // On every subscription: the snapshot, then the third update, a gap its checksum catches.
    ScriptedWsServer ws = opened(new ScriptedWsServer()).onMessage((conn, text) -> {
      if (subscribes(text, "book")) {
        conn.send(book.get(1));
        conn.send(book.get(4));
      }
    });
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    StreamProbe p = opened(StreamProbe.connect(kraken(ws, clock).stream().orElseThrow(),
        new StreamRequest(List.of(BTC_CHF), 1000, true, false), StreamContext.direct()));

    // The first resync resubscribes at once; the second waits a second.
    p.await("two resyncs", q -> q.events(StreamEvent.Resync.class).size() >= 2, PATIENCE);
    assertThat(bookSubscriptions(ws)).isEqualTo(2);
    clock.advanceTimeBy(Duration.ofMillis(999));
    assertThat(bookSubscriptions(ws)).isEqualTo(2);
    clock.advanceTimeBy(Duration.ofMillis(1));
    p.await("the third resync", q -> q.events(StreamEvent.Resync.class).size() >= 3, PATIENCE);
    assertThat(bookSubscriptions(ws)).isEqualTo(3);
    // The third waits two seconds.
    clock.advanceTimeBy(Duration.ofMillis(1999));
    assertThat(bookSubscriptions(ws)).isEqualTo(3);
    clock.advanceTimeBy(Duration.ofMillis(1));
    p.await("the fourth resync", q -> q.events(StreamEvent.Resync.class).size() >= 4, PATIENCE);
    assertThat(p.events(StreamEvent.Resync.class)).allSatisfy(r ->
        assertThat(r.cause()).isEqualTo(ResyncCause.CHECKSUM_MISMATCH));
  }

  private static long bookSubscriptions(ScriptedWsServer ws) {
    return ws.received().stream().filter(f -> subscribes(f, "book")).count();
  }
}
