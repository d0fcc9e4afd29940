package dev.scanflux.exchanges;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.spi.BadDataException;
import dev.scanflux.core.spi.MarketStream;
import dev.scanflux.core.spi.ResyncCause;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.stream.ScriptedWsServer;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.java_websocket.WebSocket;
import org.junit.jupiter.api.Test;

/**
 * BingX's push stream on real sockets: against the simulator's WebSocket side (GZIP frames,
 * {@code Ping}/{@code Pong}, books equal to the simulator's whatever the order of its levels,
 * tickers, faults, resyncs) and against a scripted server for the wire details (fixtures written
 * from BingX's spot WebSocket documentation, gzipped as BingX sends them).
 */
class BingxStreamTest extends WholeBookStreamContract {

  private static final Instrument BTC = SimulatedVenue.BINGX.instrument("BTC");
  private static final Instrument ETH = SimulatedVenue.BINGX.instrument("ETH");

  @Override
  SimulatedVenue simulatedVenue() {
    return SimulatedVenue.BINGX;
  }

  private MarketStream stream(String restUrl, String wsUrl) {
    return closing(Venues.bingx().baseUrl(restUrl).streamUrl(wsUrl).build()).stream()
        .orElseThrow();
  }

  @Override
  MarketStream stream(VenueSimulator sim) {
    return stream(sim.start(), sim.websocketUrl());
  }

  @Override
  String heartbeatAnswer() {
    return "Pong";
  }

  @Override
  List<String> btcResubscribed() {
    return List.of(request(5, "unsub", "BTC-USDT@depth20"), request(6, "unsub", "BTC-USDT@ticker"),
        request(7, "sub", "BTC-USDT@depth20"), request(8, "sub", "BTC-USDT@ticker"));
  }

  private static String request(int id, String reqType, String dataType) {
    return "{\"id\":\"" + id + "\",\"reqType\":\"" + reqType + "\",\"dataType\":\"" + dataType
        + "\"}";
  }

  @Test
  void subscribesDepthAndTickerAnswersPingsAndKeepsBooksEqualToTheVenues() {
    VenueSimulator sim = sim();
    StreamProbe probe = closing(StreamProbe.connect(stream(sim), 20, BTC, ETH));

    probe.await("books and tickers of both", p -> p.books(BTC).size() >= 10
        && p.books(ETH).size() >= 10 && p.tickers(BTC).size() >= 5, PATIENCE);
    assertThat(probe.events().get(0)).isInstanceOf(StreamEvent.Connected.class);
    assertThat(received(sim)).containsExactly(request(1, "sub", "BTC-USDT@depth20"),
        request(2, "sub", "BTC-USDT@ticker"), request(3, "sub", "ETH-USDT@depth20"),
        request(4, "sub", "ETH-USDT@ticker"));
    assertThat(probe.events(StreamEvent.Resync.class)).isEmpty();
    assertThat(probe.events(StreamEvent.Rejected.class)).isEmpty();
    // the simulator sends asks worst first, as BingX does: the books are best first all the same
    assertThat(probe.books(BTC)).allSatisfy(b -> {
      assertThat(b.venue()).isEqualTo("bingx");
      assertThat(b.bidLevels()).isEqualTo(20);
      assertThat(b.askLevels()).isEqualTo(20);
      assertThat(b.askPrice(1)).isGreaterThan(b.bestAsk());
    });
    probe.awaitInSync(sim, BTC, 20);
    probe.awaitInSync(sim, ETH, 20);

    SimulatedStreams.assertLastTickerIsTheBooks(probe, BTC);

    probe.await("a Pong to the simulator's Ping", p -> sim.wsLog().stream()
        .anyMatch(e -> e.kind() == WsEvent.Kind.RECEIVED && e.text().equals("Pong")), PATIENCE);
    assertThat(probe.error()).isNull();
  }

  @Test
  void subscribesTheSmallestDepthCoveringTheRequest() {
    VenueSimulator sim = sim();
    StreamProbe probe = closing(StreamProbe.connect(stream(sim),
        new StreamRequest(List.of(BTC), 7, true, false), StreamContext.direct()));

    probe.awaitInSync(sim, BTC, 7);
    assertThat(received(sim)).containsExactly(request(1, "sub", "BTC-USDT@depth10"));
    assertThat(probe.books(BTC)).allSatisfy(b -> assertThat(b.bidLevels()).isEqualTo(7));
  }

  @Test
  void readsBingxsGzippedMessagesAndRejectsWhatIsWrong() {
    ScriptedWsServer ws = closing(new ScriptedWsServer());
    ws.onMessage((conn, m) -> {
      if (!m.contains("BTC-USDT@ticker")) {
        return;
      }
      send(conn, "{\"id\":\"1\",\"code\":0,\"msg\":\"\",\"dataType\":\"\",\"data\":null}");
      send(conn, "Ping");
      send(conn, "{\"ping\":\"2177c68e4d0e45679965f482929b59c2\","
          + "\"time\":\"2023-12-16T17:54:47.674+0800\"}");
      send(conn, depth("BTC-USDT@depth20", 1702720487674L,
          "[[\"42182.22\",\"0.99114\"],[\"42182.19\",\"1.00643\"]]",
          "[[\"42183.23\",\"3.57139\"],[\"42183.22\",\"2.05573\"],[\"42183.17\",\"4.14752\"]]"));
      send(conn, "{\"code\":0,\"timestamp\":1702720823624,\"dataType\":\"BTC-USDT@ticker\","
          + "\"data\":{\"e\":\"24hTicker\",\"E\":1702720823624,\"s\":\"BTC-USDT\","
          + "\"p\":-612.5,\"P\":\"-1.43%\",\"o\":42827.65,\"h\":42893.56,\"l\":41648.71,"
          + "\"c\":42215.15,\"v\":5099.21,\"q\":214948771.34,\"O\":1702634423624,"
          + "\"C\":1702720823624,\"A\":42215.55,\"a\":2.20125,\"B\":42214.65,\"b\":0.8962}}");
      send(conn, depth("BTC-USDT@depth20", 1702720488000L, "[[\"42190.00\",\"1\"]]",
          "[[\"42183.23\",\"1\"]]")); // crossed
      send(conn, depth("BTC-USDT@depth20", 1702720488100L, "[[\"42182.22\",\"-1\"]]",
          "[[\"42183.23\",\"1\"]]")); // a negative size
      send(conn, "{\"code\":0,\"timestamp\":1702720823700,\"dataType\":\"BTC-USDT@ticker\","
          + "\"data\":{\"e\":\"24hTicker\",\"s\":\"BTC-USDT\",\"c\":42215.15}}"); // no bid, ask
      send(conn, depth("DOGE-USDT@depth20", 1702720488200L, "[]", "[]"));
      send(conn, "{\"id\":\"9\",\"code\":100400,\"msg\":\"invalid dataType\","
          + "\"dataType\":\"\",\"data\":null}");
      send(conn, "{\"id\":\"2\",\"code\":100400,\"msg\":\"invalid dataType\","
          + "\"dataType\":\"\",\"data\":null}");
      send(conn, "<html>502</html>");
      conn.send("{\"code\":0,\"timestamp\":1702720488300,\"dataType\":\"BTC-USDT@depth20\","
          + "\"data\":{\"bids\":[[\"42182.50\",\"2\"]],\"asks\":[[\"42183.00\",\"1\"]]}}");
    });
    StreamProbe probe = closing(StreamProbe.connect(stream("http://127.0.0.1:19",
            ws.uri().toString()),
        new StreamRequest(List.of(BTC, Instrument.perpetual("BTC", "USDT")), 20, true, true),
        StreamContext.direct()));

    probe.await("the last book", p -> p.books(BTC).size() == 2, PATIENCE);
    // the answers to the two pings travel back while the later messages are read: awaited
    probe.await("the answers to both pings", p -> ws.received().size() >= 4, PATIENCE);

    assertThat(ws.received()).containsExactly(request(1, "sub", "BTC-USDT@depth20"),
        request(2, "sub", "BTC-USDT@ticker"), "Pong",
        "{\"pong\":\"2177c68e4d0e45679965f482929b59c2\","
            + "\"time\":\"2023-12-16T17:54:47.674+0800\"}");
    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .satisfiesExactly(
            d -> assertThat(d).contains("BTC/USDT:perp", "spot pairs only"),
            d -> assertThat(d).contains("BTC-USDT@ticker", "missing bidPrice"),
            d -> assertThat(d).contains("DOGE-USDT@depth20", "did not subscribe"),
            d -> assertThat(d).isEqualTo("BingX refused a request: code 100400 invalid dataType"),
            d -> assertThat(d).isEqualTo(
                "BingX refused BTC-USDT@ticker: code 100400 invalid dataType"),
            d -> assertThat(d).startsWith("malformed JSON: <html>"));
    assertThat(probe.events(StreamEvent.Resync.class)).satisfiesExactly(
        r -> assertThat(r.detail()).contains("crossed book"),
        r -> assertThat(r.detail()).contains("invalid size"));
    assertThat(probe.events(StreamEvent.Resync.class)).allSatisfy(r ->
        assertThat(r.cause()).isEqualTo(ResyncCause.BAD_DATA));
    // asks worst first, as on BingX's REST depth (wire-samples/bingx): read best first
    BookSnapshot first = probe.books(BTC).get(0);
    assertThat(first).isEqualTo(BookSnapshot.builder("bingx", BTC)
        .bid(42182.22, 0.99114).bid(42182.19, 1.00643)
        .ask(42183.17, 4.14752).ask(42183.22, 2.05573).ask(42183.23, 3.57139)
        .exchangeTime(Instant.ofEpochMilli(1702720487674L)).receivedAt(first.receivedAt())
        .build());
    TickerSnapshot t = probe.tickers(BTC).get(0);
    assertThat(t.bid()).isEqualTo(42214.65);
    assertThat(t.ask()).isEqualTo(42215.55);
    assertThat(t.last()).isEqualTo(42215.15);
    assertThat(t.baseVolume24h()).isEqualTo(5099.21);
    assertThat(t.quoteVolume24h()).isEqualTo(214948771.34);
    assertThat(t.change24h()).isCloseTo(-0.0143, within(1e-12));
    assertThat(t.exchangeTime()).isEqualTo(Instant.ofEpochMilli(1702720823624L));
    // a text frame (BingX sends none) is read as well
    assertThat(probe.books(BTC).get(1).bestBid()).isEqualTo(42182.5);
    assertThat(probe.error()).isNull();
  }

  @Test
  void aMessageThatIsNotValidGzipIsRejectedAndTheConnectionGoesOn() {
    byte[] gzip = gzip("{\"code\":0,\"timestamp\":1702720488300,\"dataType\":"
        + "\"BTC-USDT@depth20\",\"data\":{\"bids\":[[\"42182.50\",\"2\"]],"
        + "\"asks\":[[\"42183.00\",\"1\"]]}}");
    byte[] badTrailer = gzip.clone();
    badTrailer[badTrailer.length - 8] ^= 1; // its CRC32 no longer matches the text
    ScriptedWsServer ws = closing(new ScriptedWsServer());
    ws.onMessage((conn, m) -> {
      conn.send(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}); // GZIP's magic, no deflate method
      conn.send(Arrays.copyOf(gzip, gzip.length / 2)); // cut short
      conn.send(badTrailer);
      conn.send(gzip);
    });
    StreamProbe probe = closing(StreamProbe.connect(stream("http://127.0.0.1:19",
        ws.uri().toString()), new StreamRequest(List.of(BTC), 20, true, false),
        StreamContext.direct()));

    probe.await("the book after them", p -> !p.books(BTC).isEmpty(), PATIENCE);

    assertThat(probe.events(StreamEvent.Rejected.class)).extracting(StreamEvent.Rejected::detail)
        .containsExactly(
            "a binary message that is not valid GZIP: Unsupported compression method",
            "a binary message that is not valid GZIP: Unexpected end of ZLIB input stream",
            "a binary message that is not valid GZIP: Corrupt GZIP trailer");
    assertThat(probe.books(BTC)).singleElement()
        .satisfies(b -> assertThat(b.bestBid()).isEqualTo(42182.5));
    assertThat(probe.error()).isNull();
  }

  @Test
  void aMessageThatInflatesBeyondTheCapEndsTheConnectionAsBadData() {
    ScriptedWsServer bomb = closing(new ScriptedWsServer());
    char[] spaces = new char[2 << 20]; // 2 MiB of text in a few KiB: over the 1 MiB cap
    Arrays.fill(spaces, ' ');
    bomb.onMessage((conn, m) -> send(conn, "{\"pad\":\"" + new String(spaces) + "\"}"));
    StreamProbe bombed = closing(StreamProbe.connect(stream("http://127.0.0.1:19",
        bomb.uri().toString()), new StreamRequest(List.of(BTC), 20, true, false),
        StreamContext.direct()));
    assertThat(bombed.awaitError(PATIENCE).error()).isInstanceOf(BadDataException.class)
        .hasMessageContaining("inflates to more than " + (1 << 20) + " bytes");
    assertThat(bombed.events(StreamEvent.Rejected.class)).isEmpty();
  }

  private static String depth(String dataType, long time, String bids, String asks) {
    return "{\"code\":0,\"timestamp\":" + time + ",\"dataType\":\"" + dataType
        + "\",\"data\":{\"bids\":" + bids + ",\"asks\":" + asks + "}}";
  }

  /** Sends {@code text} as BingX does: GZIP-compressed, in a binary frame. */
  static void send(WebSocket conn, String text) {
    conn.send(gzip(text));
  }

  private static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
