package dev.scanflux.exchanges.venue.kucoin.internal;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RequestKind;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.SourceException;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.core.spi.ThrottledException;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.exchanges.internal.LoopbackServer;
import dev.scanflux.exchanges.internal.NativeHttp;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.stream.ResyncBackoff;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@link KucoinStream} against a scripted KuCoin (a token endpoint and a WebSocket server), for
 * what the simulator never sends: crossed and unreadable books, stale futures snapshots, error
 * answers, a first message that is no welcome; and the token, admission and redaction rules on
 * their own. The messages follow KuCoin's documented shapes.
 */
class KucoinStreamScriptedTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instrument XBT = Instrument.perpetual("BTC", "USDT");
  private static final String TOKEN = "2neAiuYvAU61ZDXANAGAsiL4-iAExhsBXZxftpOeh_55i3Ysy2q2LEsEWU64m"
      + "dzUOPusi34M_wGoSf7iNyEWJ4aBZXpWhrmY9jKtqkdWoFa75w3istPvPtiYB9J6i9GjsxUuhPw3Blq6rhZlGykT3Vp1"
      + "Phuo=";

  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicInteger bullets = new AtomicInteger();
  private final List<WebSocket> sockets = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int k = open.size() - 1; k >= 0; k--) {
      open.get(k).close();
    }
  }

  /**
   * A WebSocket server that welcomes its first client, acks each of its requests as KuCoin
   * does, then answers them with script.
   */
  private ScriptedWsServer ws(boolean welcome, BiConsumer<WebSocket, JsonNode> script) {
    return answering(welcome, (socket, m) -> {
      socket.send("{\"id\":\"" + m.path("id").asText() + "\",\"type\":\"ack\"}");
      script.accept(socket, m);
    });
  }

  /** The same where script answers the requests itself. */
  private ScriptedWsServer answering(boolean welcome, BiConsumer<WebSocket, JsonNode> script) {
    ScriptedWsServer s = new ScriptedWsServer().onMessage((socket, m) -> script.accept(socket,
        json(m)));
    s.opened().thenAccept(socket -> {
      sockets.add(socket);
      socket.send(welcome ? "{\"id\":\"hQvf8jkno\",\"type\":\"welcome\"}"
          : "{\"id\":\"hQvf8jkno\",\"type\":\"error\",\"code\":401,\"data\":\"token is invalid\"}");
    });
    open.add(s);
    return s;
  }

  /** The REST side: the bullet (naming {@code endpoint}) and one futures contract. */
  private LoopbackServer rest(String endpoint) {
    String bullet = "{\"code\":\"200000\",\"data\":{\"token\":\"" + TOKEN + "\","
        + "\"instanceServers\":[{\"endpoint\":\"" + endpoint + "\",\"encrypt\":true,"
        + "\"protocol\":\"websocket\",\"pingInterval\":18000,\"pingTimeout\":10000}]}}";
    String contracts = "{\"code\":\"200000\",\"data\":[{\"symbol\":\"XBTUSDTM\","
        + "\"baseCurrency\":\"XBT\",\"quoteCurrency\":\"USDT\",\"multiplier\":0.001,"
        + "\"status\":\"Open\",\"isInverse\":false}]}";
    LoopbackServer s = new LoopbackServer((req, res) -> {
      String body;
      if (req.uri().startsWith(KucoinStream.BULLET) && req.method().name().equals("POST")) {
        bullets.incrementAndGet();
        body = bullet;
      } else if (req.uri().startsWith("/api/v1/contracts/active")) {
        body = contracts;
      } else {
        return res.status(404).sendString(Mono.just("{\"code\":\"404000\"}")).then();
      }
      return res.header("Content-Type", "application/json")
          .sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    });
    open.add(s);
    return s;
  }

  private KucoinStream stream(boolean futures, String restUrl, String streamUrl) {
    return stream(futures, restUrl, streamUrl, Schedulers.parallel());
  }

  /** The stream with {@code clock} for its waits (answers, backoff) and timestamps. */
  private KucoinStream stream(boolean futures, String restUrl, String streamUrl,
      Scheduler clock) {
    SourceSettings settings = new SourceSettings(futures ? "kucoin-futures" : "kucoin", restUrl,
        futures ? KucoinFuturesSource.LIMIT : KucoinSource.LIMIT, 1, Duration.ofSeconds(5),
        clock, streamUrl);
    MarketSource rest = futures ? new KucoinFuturesSource(settings) : new KucoinSource(settings);
    open.add(rest);
    KucoinStream s = KucoinStream.of(settings, rest);
    open.add(s);
    return s;
  }

  private StreamProbe connect(KucoinStream stream, Instrument i, boolean books,
      boolean tickers) {
    StreamProbe p = StreamProbe.connect(stream, new StreamRequest(List.of(i), 5, books, tickers),
        StreamContext.direct());
    open.add(p);
    return p;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String spotBook(String bids, String asks) {
    return "{\"type\":\"message\",\"topic\":\"/spotMarket/level2Depth50:BTC-USDT\","
        + "\"subject\":\"level2\",\"data\":{\"asks\":" + asks + ",\"bids\":" + bids
        + ",\"timestamp\":1586948108193}}";
  }

  private static String futuresBook(long sequence, String bid, String ask) {
    return "{\"topic\":\"/contractMarket/level2Depth50:XBTUSDTM\",\"type\":\"message\","
        + "\"subject\":\"level2\",\"sn\":1731680249700,\"data\":{\"bids\":[[\"" + bid
        + "\",1534],[\"89778.2\",54]],\"sequence\":" + sequence
        + ",\"timestamp\":1731680249700,\"ts\":1731680249700,\"asks\":[[\"" + ask
        + "\",854],[\"89779.2\",4]]}}";
  }

  @Test
  void theBulletsEndpointAndTokenAreUsedAndTheTopicsGroupSymbols() {
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      if (m.path("topic").asText().startsWith("/spotMarket/level2Depth50:")) {
        socket.send(spotBook("[[\"9988\",\"56\"],[\"9987\",\"15\"]]",
            "[[\"9989\",\"8\"],[\"9990\",\"32\"]]"));
      }
    });
    LoopbackServer rest = rest(ws.uri().toString());
    // the stream URL is KuCoin's production one: the bullet's endpoint is where it connects
    KucoinStream stream = stream(false, rest.url(), KucoinStream.SPOT_URL);
    StreamProbe probe = connect(stream, BTC, true, true);

    probe.await("a book and the three subscriptions", p -> !p.books(BTC).isEmpty()
        && ws.received().size() == 3, PATIENCE);
    BookSnapshot b = probe.books(BTC).get(0);
    assertThat(b.bestBid()).isEqualTo(9988);
    assertThat(b.bestAsk()).isEqualTo(9989);
    assertThat(b.bidLevels()).isEqualTo(2);
    assertThat(bullets.get()).isEqualTo(1);
    assertThat(ws.received()).extracting(f -> json(f).path("topic").asText())
        .containsExactly("/spotMarket/level2Depth50:BTC-USDT", "/market/ticker:BTC-USDT",
            "/market/snapshot:BTC-USDT");
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
  }

  @Test
  void aCrossedOrUnreadableBookIsABadDataResyncAndTheNextSnapshotRestoresIt() {
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      if (m.path("topic").asText().startsWith("/spotMarket/")) {
        socket.send(spotBook("[[\"9990\",\"1\"]]", "[[\"9989\",\"8\"]]")); // crossed
        socket.send(spotBook("[[\"abc\",\"1\"]]", "[[\"9989\",\"8\"]]")); // unreadable
        socket.send(spotBook("[[\"9988\",\"-1\"]]", "[[\"9989\",\"8\"]]")); // negative size
        socket.send(spotBook("[[\"9988\",\"1\"]]", "[[\"9989\",\"8\"]]"));
      }
    });
    StreamProbe probe = connect(stream(false, rest(ws.uri().toString()).url(),
        ws.uri().toString()), BTC, true, false);

    probe.await("a book after the bad ones", p -> !p.books(BTC).isEmpty(), PATIENCE);
    assertThat(probe.events(StreamEvent.Resync.class)).hasSize(3).allSatisfy(r -> {
      assertThat(r.instrument()).isEqualTo(BTC);
      assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA);
    });
    assertThat(probe.events(StreamEvent.Resync.class).get(0).detail()).contains("crosses");
    assertThat(probe.books(BTC)).singleElement().satisfies(b -> {
      assertThat(b.bestBid()).isEqualTo(9988);
      assertThat(b.bestAsk()).isEqualTo(9989);
    });
  }

  @Test
  void aStaleFuturesSnapshotIsRejectedAndSizesAreContractsOfTheMultiplier() {
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      if (m.path("topic").asText().startsWith("/contractMarket/level2Depth50:")) {
        socket.send(futuresBook(10, "89778.6", "89778.7"));
        socket.send(futuresBook(9, "89770.0", "89771.0")); // older than the last applied
        socket.send(futuresBook(11, "89778.5", "89778.7"));
      }
    });
    StreamProbe probe = connect(stream(true, rest(ws.uri().toString()).url(),
        ws.uri().toString()), XBT, true, false);

    probe.await("two books", p -> p.books(XBT).size() == 2, PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class)).singleElement()
        .extracting(StreamEvent.Rejected::detail).asString().contains("stale")
        .contains("sequence 9 after 10");
    assertThat(probe.books(XBT)).extracting(BookSnapshot::bestBid)
        .containsExactly(89778.6, 89778.5);
    assertThat(probe.books(XBT).get(0).contractSize()).isEqualTo(0.001);
    assertThat(probe.books(XBT).get(0).bidLevels()).isEqualTo(2);
  }

  @Test
  void errorAnswersAndMessagesOnUnsubscribedTopicsAreRejectedAndARefusedSymbolIsNotAskedAgain() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    open.add(time::dispose);
    ScriptedWsServer ws = answering(true, (socket, m) -> {
      if (!m.path("topic").asText().startsWith("/spotMarket/")) {
        return;
      }
      if (m.path("id").asText().equals("1")) {
        socket.send("{\"id\":\"1\",\"type\":\"error\",\"code\":404,"
            + "\"data\":\"topic /spotMarket/level2Depth50:BTC-USDT is not found\"}");
        socket.send("{\"type\":\"message\",\"topic\":\"/market/ticker:FOO-BAR\","
            + "\"subject\":\"trade.ticker\",\"data\":{}}");
        socket.send("{\"id\":\"77\",\"type\":\"error\",\"code\":400,\"data\":\"unknown\"}");
      } else {
        socket.send("{\"id\":\"" + m.path("id").asText() + "\",\"type\":\"ack\"}");
        socket.send(spotBook("[[\"9988\",\"1\"]]", "[[\"9989\",\"8\"]]"));
      }
    });
    StreamProbe probe = connect(stream(false, rest(ws.uri().toString()).url(),
        ws.uri().toString(), time), BTC, true, false);

    probe.await("three rejections", p -> p.events(StreamEvent.Rejected.class).size() == 3,
        PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .satisfiesExactly(
            d -> assertThat(d).contains("KuCoin refused request 1 (subscribe"
                + " /spotMarket/level2Depth50:BTC-USDT): code 404 topic").endsWith("; BTC-USDT is"
                + " not streamed on /spotMarket/level2Depth50 (not asked again)"),
            d -> assertThat(d).contains("/market/ticker:FOO-BAR"),
            d -> assertThat(d).isEqualTo("KuCoin refused request 77: code 400 unknown"));
    // a 4xx refusal of a one-symbol topic is final: not asked again, however long
    time.advanceTimeBy(Duration.ofMinutes(5));
    assertThat(ws.received()).extracting(f -> json(f).path("type").asText() + " "
        + json(f).path("topic").asText()).containsExactly(
            "subscribe /spotMarket/level2Depth50:BTC-USDT");
    assertThat(probe.events(StreamEvent.Rejected.class)).hasSize(3);
    assertThat(probe.books(BTC)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void aRefusedListIsSplitOnceARateLimitIsAskedAgainAndARefusedSymbolIsNot() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    open.add(time::dispose);
    Instrument eth = Instrument.spot("ETH", "USDT");
    AtomicInteger btc = new AtomicInteger();
    ScriptedWsServer ws = answering(true, (socket, m) -> {
      String id = m.path("id").asText();
      switch (m.path("topic").asText()) {
        case "/spotMarket/level2Depth50:BTC-USDT,ETH-USDT" -> socket.send("{\"id\":\"" + id
            + "\",\"type\":\"error\",\"code\":400,\"data\":\"invalid symbol ETH-USDT\"}");
        case "/spotMarket/level2Depth50:ETH-USDT" -> socket.send("{\"id\":\"" + id
            + "\",\"type\":\"error\",\"code\":400,\"data\":\"invalid symbol ETH-USDT\"}");
        case "/spotMarket/level2Depth50:BTC-USDT" -> {
          if (btc.incrementAndGet() == 1) {
            socket.send("{\"id\":\"" + id + "\",\"type\":\"error\",\"code\":429,"
                + "\"data\":\"exceed max permits per second\"}");
          } else {
            socket.send("{\"id\":\"" + id + "\",\"type\":\"ack\"}");
            socket.send(spotBook("[[\"9988\",\"1\"]]", "[[\"9989\",\"8\"]]"));
          }
        }
        default -> { }
      }
    });
    KucoinStream stream = stream(false, rest(ws.uri().toString()).url(), ws.uri().toString(),
        time);
    StreamProbe probe = StreamProbe.connect(stream, new StreamRequest(List.of(BTC, eth), 5,
        true, false), StreamContext.direct());
    open.add(probe);

    probe.await("BTC's book", p -> !p.books(BTC).isEmpty(), PATIENCE);
    probe.await("three rejections", p -> p.events(StreamEvent.Rejected.class).size() == 3,
        PATIENCE);
    time.advanceTimeBy(Duration.ofMinutes(5)); // nothing is asked again
    assertThat(ws.received()).extracting(f -> json(f).path("id").asText() + " "
        + json(f).path("topic").asText()).containsExactly(
            "1 /spotMarket/level2Depth50:BTC-USDT,ETH-USDT",
            "2 /spotMarket/level2Depth50:BTC-USDT", "3 /spotMarket/level2Depth50:ETH-USDT",
            "4 /spotMarket/level2Depth50:BTC-USDT");
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactlyInAnyOrder(
            "KuCoin refused request 1 (subscribe /spotMarket/level2Depth50:BTC-USDT,ETH-USDT):"
                + " code 400 invalid symbol ETH-USDT; its 2 symbols are subscribed one a frame",
            "KuCoin refused request 2 (subscribe /spotMarket/level2Depth50:BTC-USDT): code 429"
                + " exceed max permits per second",
            "KuCoin refused request 3 (subscribe /spotMarket/level2Depth50:ETH-USDT): code 400"
                + " invalid symbol ETH-USDT; ETH-USDT is not streamed on"
                + " /spotMarket/level2Depth50 (not asked again)");
    assertThat(probe.books(eth)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void aResubscriptionKucoinRefusesOrNeverAnswersIsRejectedAndSentAgainWithBackoff() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    open.add(time::dispose);
    AtomicInteger subscribes = new AtomicInteger();
    ScriptedWsServer ws = answering(true, (socket, m) -> {
      String id = m.path("id").asText();
      if (m.path("type").asText().equals("ping")) {
        socket.send("{\"id\":\"" + id + "\",\"type\":\"pong\"}");
        return;
      }
      if (m.path("type").asText().equals("unsubscribe")) {
        socket.send("{\"id\":\"" + id + "\",\"type\":\"ack\"}");
        return;
      }
      switch (subscribes.incrementAndGet()) {
        case 2 -> socket.send("{\"id\":\"" + id + "\",\"type\":\"error\",\"code\":500,"
            + "\"data\":\"internal error\"}"); // the resubscription: refused
        case 3 -> { } // sent again at once: never answered
        default -> { // the first subscription, and the one after the backoff
          socket.send("{\"id\":\"" + id + "\",\"type\":\"ack\"}");
          socket.send(spotBook("[[\"9988\",\"1\"]]", "[[\"9989\",\"8\"]]"));
        }
      }
    });
    Sinks.Many<Instrument> rebuilds = Sinks.many().unicast().onBackpressureBuffer();
    KucoinStream stream = stream(false, rest(ws.uri().toString()).url(), ws.uri().toString(),
        time);
    StreamProbe probe = StreamProbe.connect(stream, new StreamRequest(List.of(BTC), 5, true,
        false), StreamContext.direct(rebuilds.asFlux()));
    open.add(probe);
    probe.await("a book", p -> !p.books(BTC).isEmpty(), PATIENCE);

    rebuilds.tryEmitNext(BTC); // the scanner asks for a rebuild
    probe.await("the refusal", p -> !p.events(StreamEvent.Rejected.class).isEmpty(), PATIENCE);
    probe.await("the subscription sent again", p -> subscribes.get() == 3, PATIENCE);
    time.advanceTimeBy(Duration.ofMillis(4_999)); // KuCoin's time to answer: the connect timeout
    assertThat(probe.events(StreamEvent.Rejected.class)).hasSize(1);
    time.advanceTimeBy(Duration.ofMillis(1));
    probe.await("no answer", p -> p.events(StreamEvent.Rejected.class).size() == 2, PATIENCE);
    assertThat(subscribes.get()).as("the second failure in a row waits").isEqualTo(3);
    time.advanceTimeBy(ResyncBackoff.FIRST);
    probe.await("a book after the resubscription", p -> subscribes.get() == 4
        && p.books(BTC).size() >= 2, PATIENCE);

    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactly("KuCoin refused request 3 (subscribe /spotMarket/level2Depth50:BTC-USDT):"
            + " code 500 internal error", "KuCoin did not answer request 4 (subscribe"
            + " /spotMarket/level2Depth50:BTC-USDT) within 5 s (nor before the pong of a later"
            + " ping)");
    // no answer is told by the pong of a ping sent behind the request, once its time passed
    assertThat(ws.received()).extracting(f -> json(f).path("id").asText() + " "
        + json(f).path("type").asText()).containsExactly("1 subscribe", "2 unsubscribe",
            "3 subscribe", "4 subscribe", "barrier-5 ping", "6 subscribe");
    time.advanceTimeBy(Duration.ofMinutes(5)); // answered: nothing more is sent
    assertThat(ws.received()).hasSize(6);
    assertThat(probe.error()).isNull();
  }

  @Test
  void anAnswerThatComesBeforeThePongOfTheBarrierPingIsNoFailureHoweverLate() {
    // KuCoin answers in order: an ack sent before the pong was received before it, though a
    // lagging reader may handle both after the time to answer passed
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    open.add(time::dispose);
    ScriptedWsServer ws = answering(true, (socket, m) -> {
      if (m.path("type").asText().equals("ping")) {
        socket.send("{\"id\":\"1\",\"type\":\"ack\"}"); // the subscription's, late
        socket.send(spotBook("[[\"9988\",\"1\"]]", "[[\"9989\",\"8\"]]"));
        socket.send("{\"id\":\"" + m.path("id").asText() + "\",\"type\":\"pong\"}");
      }
    });
    KucoinStream stream = stream(false, rest(ws.uri().toString()).url(), ws.uri().toString(),
        time);
    StreamProbe probe = connect(stream, BTC, true, false);
    probe.await("the subscription", p -> ws.received().size() == 1, PATIENCE);

    time.advanceTimeBy(Duration.ofSeconds(5)); // the time to answer passed: a ping goes behind
    probe.await("the book after the late ack", p -> !p.books(BTC).isEmpty(), PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    time.advanceTimeBy(Duration.ofMinutes(5));
    assertThat(ws.received()).extracting(f -> json(f).path("id").asText() + " "
        + json(f).path("type").asText()).containsExactly("1 subscribe", "barrier-2 ping");
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    assertThat(probe.error()).isNull();
  }

  @Test
  void withoutTheVenuesTimeTheExchangeTimeIsTheReceiveTimeOneClockReading() {
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      String topic = m.path("topic").asText();
      if (topic.startsWith("/spotMarket/")) {
        socket.send("{\"type\":\"message\",\"topic\":\"/spotMarket/level2Depth50:BTC-USDT\","
            + "\"subject\":\"level2\",\"data\":{\"asks\":[[\"9989\",\"8\"]],"
            + "\"bids\":[[\"9988\",\"1\"]]}}"); // no timestamp
      } else if (topic.startsWith("/market/snapshot:")) { // no Time, no datetime
        socket.send("{\"type\":\"message\",\"topic\":\"/market/ticker:BTC-USDT\","
            + "\"subject\":\"trade.ticker\",\"data\":{\"price\":\"0.08\",\"bestAsk\":"
            + "\"0.081\",\"bestBid\":\"0.079\"}}");
        socket.send("{\"topic\":\"/market/snapshot:BTC-USDT\",\"type\":\"message\","
            + "\"subject\":\"trade.snapshot\",\"data\":{\"data\":{\"vol\":25812.3,"
            + "\"volValue\":238122.6,\"changeRate\":-0.0193,\"symbol\":\"BTC-USDT\"}}}");
        socket.send("{\"type\":\"message\",\"topic\":\"/market/ticker:BTC-USDT\","
            + "\"subject\":\"trade.ticker\",\"data\":{\"price\":\"0.08\",\"bestAsk\":"
            + "\"0.081\",\"bestBid\":\"0.079\"}}");
      }
    });
    StreamProbe probe = connect(stream(false, rest(ws.uri().toString()).url(),
        ws.uri().toString(), new dev.scanflux.exchanges.TickingClock()), BTC, true, true);

    probe.await("a book and two tickers", p -> !p.books(BTC).isEmpty()
        && p.tickers(BTC).size() == 2, PATIENCE);
    BookSnapshot b = probe.books(BTC).get(0);
    assertThat(b.exchangeTime()).isEqualTo(b.receivedAt());
    assertThat(probe.tickers(BTC)).allSatisfy(t -> assertThat(t.exchangeTime())
        .isEqualTo(t.receivedAt()));
  }

  @Test
  void tickersMergeTheirChannelsAndNeedThemAll() {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      String topic = m.path("topic").asText();
      if (topic.startsWith("/market/snapshot:")) { // after /market/ticker's subscription
        socket.send("{\"type\":\"message\",\"topic\":\"/market/ticker:BTC-USDT\","
            + "\"subject\":\"trade.ticker\",\"data\":{\"sequence\":\"1545896668986\","
            + "\"price\":\"0.08\",\"size\":\"0.011\",\"bestAsk\":\"0.081\","
            + "\"bestAskSize\":\"0.18\",\"bestBid\":\"0.079\",\"bestBidSize\":\"0.036\","
            + "\"Time\":1704873323416}}");
        socket.send("{\"topic\":\"/market/snapshot:BTC-USDT\",\"type\":\"message\","
            + "\"subject\":\"trade.snapshot\",\"data\":{\"sequence\":\"1545896669291\","
            + "\"data\":{\"buy\":0.07,\"sell\":0.09,\"lastTradedPrice\":0.08,\"vol\":25812.3,"
            + "\"volValue\":238122.6,\"changeRate\":-0.0193,\"datetime\":1704873324000,"
            + "\"symbol\":\"BTC-USDT\"}}}");
      }
    });
    StreamProbe probe = connect(stream(false, rest(ws.uri().toString()).url(),
        ws.uri().toString()), BTC, false, true);

    probe.await("a ticker", p -> !p.tickers(BTC).isEmpty(), PATIENCE);
    TickerSnapshot t = probe.tickers(BTC).get(0);
    // the real-time best prices, the snapshot's 24 h figures
    assertThat(t.bid()).isEqualTo(0.079);
    assertThat(t.ask()).isEqualTo(0.081);
    assertThat(t.last()).isEqualTo(0.08);
    assertThat(t.baseVolume24h()).isEqualTo(25812.3);
    assertThat(t.quoteVolume24h()).isEqualTo(238122.6);
    assertThat(t.change24h()).isEqualTo(-0.0193);
    assertThat(t.exchangeTime().toEpochMilli()).isEqualTo(1704873324000L); // the stats' time
    assertThat(t.receivedAt()).isAfterOrEqualTo(before); // the local clock's, not KuCoin's
    assertThat(probe.tickers(BTC)).hasSize(1); // the ticker alone, before the stats, made none
  }

  @Test
  void futuresTickersTakeTheNewerBestPricesAndTheLastTrade() {
    Instant before = Instant.ofEpochMilli(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
    ScriptedWsServer ws = ws(true, (socket, m) -> {
      if (m.path("topic").asText().startsWith("/contractMarket/ticker:")) {
        socket.send("{\"type\":\"message\",\"topic\":\"/contractMarket/tickerV2:XBTUSDTM\","
            + "\"subject\":\"tickerV2\",\"data\":{\"symbol\":\"XBTUSDTM\",\"sequence\":20,"
            + "\"bestBidSize\":1608,\"bestBidPrice\":\"20189.0\",\"bestAskPrice\":\"20190.0\","
            + "\"ts\":1663173756137065700,\"bestAskSize\":1608}}");
        socket.send("{\"type\":\"message\",\"topic\":\"/contractMarket/ticker:XBTUSDTM\","
            + "\"subject\":\"ticker\",\"data\":{\"symbol\":\"XBTUSDTM\",\"sequence\":19,"
            + "\"side\":\"buy\",\"size\":1,\"price\":\"20188.0\",\"bestBidSize\":5,"
            + "\"bestBidPrice\":\"20187.0\",\"bestAskPrice\":\"20188.0\",\"tradeId\":\"1\","
            + "\"ts\":1663173756000000000,\"bestAskSize\":7}}");
      }
    });
    StreamProbe probe = connect(stream(true, rest(ws.uri().toString()).url(),
        ws.uri().toString()), XBT, false, true);

    probe.await("a ticker", p -> !p.tickers(XBT).isEmpty(), PATIENCE);
    TickerSnapshot t = probe.tickers(XBT).get(0);
    assertThat(t.bid()).isEqualTo(20189.0); // sequence 20's, not the older trade's
    assertThat(t.ask()).isEqualTo(20190.0);
    assertThat(t.last()).isEqualTo(20188.0);
    assertThat(t.baseVolume24h()).isNaN();
    assertThat(t.exchangeTime().toEpochMilli()).isEqualTo(1663173756000L); // the trade's ts
    assertThat(t.receivedAt()).isAfterOrEqualTo(before); // the local clock's, not KuCoin's
  }

  @Test
  void aFirstMessageThatIsNoWelcomeEndsTheConnectionWithoutShowingTheToken() {
    ScriptedWsServer ws = ws(false, (socket, m) -> {});
    StreamProbe probe = connect(stream(false, rest(ws.uri().toString()).url(),
        ws.uri().toString()), BTC, true, true);

    probe.awaitError(PATIENCE);
    // The connection ends (WsClient may report the close that follows rather than the reason)
    assertThat(probe.error()).isInstanceOf(TransientSourceException.class)
        .hasMessageNotContaining(TOKEN);
    assertThat(ws.received()).isEmpty(); // nothing subscribed
    assertThat(probe.events()).singleElement().isInstanceOf(StreamEvent.Rejected.class)
        .extracting(e -> ((StreamEvent.Rejected) e).detail()).asString()
        .contains("not KuCoin's welcome", "token is invalid").doesNotContain(TOKEN);
  }

  @Test
  void theTokenIsChargedAtKucoinsWeightOrMore() {
    KucoinStream.Admission spot = KucoinStream.tokenAdmission(KucoinSource.LIMIT);
    KucoinStream.Admission futures = KucoinStream.tokenAdmission(KucoinFuturesSource.LIMIT);
    assertThat(spot.kind()).isEqualTo(RequestKind.TICKER); // 15: the lightest of 10 or more
    assertThat(KucoinSource.LIMIT.weight(spot.kind(), spot.depth())).isEqualTo(15);
    assertThat(KucoinFuturesSource.LIMIT.weight(futures.kind(), futures.depth())).isEqualTo(10);
  }

  @Test
  void aBulletWithoutTokenOrServerIsBadDataAndItsTextNeverShowsTheToken() {
    SourceSettings settings = new SourceSettings("kucoin", "http://127.0.0.1:11",
        KucoinSource.LIMIT, 1, Duration.ofSeconds(5), Schedulers.parallel(),
        KucoinStream.SPOT_URL);
    NativeHttp http = new NativeHttp(settings);
    open.add(http);
    assertThatThrownBy(() -> KucoinStream.Bullet.read(http, "stream token",
        json("{\"instanceServers\":[]}"))).isInstanceOf(BadDataException.class)
        .hasMessageContaining("no token");
    assertThatThrownBy(() -> KucoinStream.Bullet.read(http, "stream token",
        json("{\"token\":\"t\",\"instanceServers\":[{\"endpoint\":\"https://x\","
            + "\"pingInterval\":18000}]}"))).isInstanceOf(BadDataException.class)
        .hasMessageContaining("no WebSocket server");
    KucoinStream.Bullet b = KucoinStream.Bullet.read(http, "stream token", json("{\"token\":\""
        + TOKEN + "\",\"instanceServers\":[{\"endpoint\":\"wss://ws-api-spot.kucoin.com/\","
        + "\"protocol\":\"websocket\",\"pingInterval\":18000}]}"));
    assertThat(b.pingInterval()).isEqualTo(Duration.ofSeconds(18));
    assertThat(b.toString()).doesNotContain(TOKEN);

    SourceException e = KucoinStream.redacted(new ThrottledException("kucoin",
        "cannot open wss://x/?token=" + java.net.URLEncoder.encode(TOKEN, StandardCharsets.UTF_8)
            + "&connectId=1: HTTP 429", Duration.ofSeconds(3)), TOKEN);
    assertThat(e).isInstanceOf(ThrottledException.class).hasMessage(
        "kucoin: cannot open wss://x/?token=<token>&connectId=1: HTTP 429");
    assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(3));
  }
  @Test
  void theTokenIsHiddenInEveryCauseAndSuppressedExceptionAtAnyDepth() {
    String encoded = java.net.URLEncoder.encode(TOKEN, StandardCharsets.UTF_8);
    RuntimeException deep = new RuntimeException("handshake with wss://x/?token=" + encoded
        + " refused");
    java.io.IOException middle = new java.io.IOException("connect failed", deep);
    IllegalStateException aside = new IllegalStateException("also " + TOKEN);
    aside.addSuppressed(middle); // seen twice: once under the cause, once here
    middle.addSuppressed(new IllegalArgumentException("clean"));
    TransientSourceException e = new TransientSourceException("kucoin", "connection failed",
        new IllegalStateException("outer", middle));
    e.addSuppressed(aside);

    SourceException clean = KucoinStream.redacted(e, TOKEN);

    assertThat(clean).isInstanceOf(TransientSourceException.class)
        .hasMessage("kucoin: connection failed");
    List<String> texts = new ArrayList<>();
    walk(clean, texts, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContain(TOKEN)
        .doesNotContain(encoded));
    assertThat(texts).anySatisfy(t -> assertThat(t).isEqualTo("java.lang.RuntimeException:"
        + " handshake with wss://x/?token=<token> refused"));
    assertThat(texts).anySatisfy(t -> assertThat(t).isEqualTo(
        "java.lang.IllegalStateException: also <token>"));
    assertThat(texts).anySatisfy(t -> assertThat(t).contains("IllegalArgumentException: clean"));
    java.io.StringWriter trace = new java.io.StringWriter();
    clean.printStackTrace(new java.io.PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(TOKEN).doesNotContain(encoded)
        .contains("connect failed", "KucoinStreamScriptedTest"); // frames kept
    // nothing to hide: the same exception
    TransientSourceException plain = new TransientSourceException("kucoin", "closed",
        new IllegalStateException("outer", new RuntimeException("inner")));
    assertThat(KucoinStream.redacted(plain, TOKEN)).isSameAs(plain);
  }

  /** The text of t and of every cause and suppressed exception under it. */
  private static void walk(Throwable t, List<String> texts, java.util.Set<Throwable> seen) {
    if (!seen.add(t)) {
      return;
    }
    texts.add(t.toString());
    texts.add(String.valueOf(t.getMessage()));
    if (t.getCause() != null) {
      walk(t.getCause(), texts, seen);
    }
    for (Throwable s : t.getSuppressed()) {
      walk(s, texts, seen);
    }
  }
}
