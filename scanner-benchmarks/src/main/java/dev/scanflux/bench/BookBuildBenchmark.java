package dev.scanflux.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.knowm.xchange.currency.CurrencyPair;
import org.knowm.xchange.dto.Order;
import org.knowm.xchange.dto.marketdata.OrderBook;
import org.knowm.xchange.dto.trade.LimitOrder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of turning a venue's answer into a {@link BookSnapshot} of 20 levels per side, from the
 * two kinds of answer the sources get:
 *
 * <ul>
 *   <li>{@code fromNativeJson}: a Binance {@code /api/v3/depth} body (prices and sizes as
 *       strings), parsed with Jackson's streaming parser (its fast double parser on) straight into the
 *       builder. The
 *       benchmark's own parser: scanner-exchanges has no public Binance JSON parser (Binance
 *       goes through XChange; the native Hyperliquid parser is private to its source).
 *   <li>{@code fromXChange}: an XChange {@link OrderBook} of {@link LimitOrder}s with {@link
 *       BigDecimal} prices and sizes, converted the way {@code XChangeSource} converts it (its
 *       converter is private, so the loop is repeated here). XChange's own HTTP and JSON
 *       decoding before that point is not included.
 * </ul>
 *
 * <p>Run alone: {@code java -jar scanner-benchmarks/target/benchmarks.jar jmh BookBuild}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class BookBuildBenchmark {

  static final int LEVELS = 20;
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();

  private String json;
  private OrderBook orderBook;

  @Setup
  public void setUp() {
    StringBuilder sb = new StringBuilder("{\"lastUpdateId\":1027024,\"bids\":[");
    List<LimitOrder> bids = new ArrayList<>();
    List<LimitOrder> asks = new ArrayList<>();
    CurrencyPair pair = CurrencyPair.BTC_USDT;
    for (int side = 0; side < 2; side++) {
      for (int l = 0; l < LEVELS; l++) {
        double price = side == 0 ? 64000.00 - l * 0.01 : 64000.01 + l * 0.01;
        String p = String.format(Locale.ROOT, "%.8f", price);
        String q = String.format(Locale.ROOT, "%.8f", 0.001 + l * 0.137);
        sb.append(l == 0 ? "" : ",").append("[\"").append(p).append("\",\"").append(q)
            .append("\"]");
        LimitOrder o = new LimitOrder(side == 0 ? Order.OrderType.BID : Order.OrderType.ASK,
            new BigDecimal(q), pair, null, null, new BigDecimal(p));
        (side == 0 ? bids : asks).add(o);
      }
      sb.append(side == 0 ? "],\"asks\":[" : "]}");
    }
    json = sb.toString();
    orderBook = new OrderBook(new Date(0), asks, bids);
  }

  @Benchmark
  public BookSnapshot fromNativeJson() throws IOException {
    return parseBinanceDepth(json);
  }

  @Benchmark
  public BookSnapshot fromXChange() {
    BookSnapshot.Builder b = BookSnapshot.builder("binance", BTC).exchangeTime(Instant.EPOCH);
    int n = 0;
    for (LimitOrder o : orderBook.getBids()) {
      if (n++ == LEVELS) {
        break;
      }
      b.bid(o.getLimitPrice().doubleValue(), o.getOriginalAmount().doubleValue());
    }
    n = 0;
    for (LimitOrder o : orderBook.getAsks()) {
      if (n++ == LEVELS) {
        break;
      }
      b.ask(o.getLimitPrice().doubleValue(), o.getOriginalAmount().doubleValue());
    }
    return b.build();
  }

  /** A Binance depth body into a book: {@code {"lastUpdateId":…,"bids":[["p","q"],…],"asks":…}}. */
  static BookSnapshot parseBinanceDepth(String body) throws IOException {
    BookSnapshot.Builder b = BookSnapshot.builder("binance", BTC).exchangeTime(Instant.EPOCH);
    try (JsonParser p = JSON.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        boolean bids = "bids".equals(field);
        if (!bids && !"asks".equals(field)) {
          p.skipChildren();
          continue;
        }
        expect(value, JsonToken.START_ARRAY);
        while (p.nextToken() == JsonToken.START_ARRAY) {
          p.nextToken();
          double price = p.getValueAsDouble(Double.NaN);
          p.nextToken();
          double size = p.getValueAsDouble(Double.NaN);
          expect(p.nextToken(), JsonToken.END_ARRAY);
          if (bids) {
            b.bid(price, size);
          } else {
            b.ask(price, size);
          }
        }
      }
    }
    return b.build();
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " but was " + actual);
    }
  }
}
