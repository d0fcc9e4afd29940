package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class LocalBookTest {

  private static final Instrument BTC = Instrument.spot("BTC", "USDT");
  private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);

  @Test
  void keepsEachSideBestFirstWhateverTheOrderLevelsArrive() {
    LocalBook book = new LocalBook();
    book.bid("99.5", "1");
    book.bid("100", "2");
    book.bid("98", "3");
    book.ask("102", "4");
    book.ask("101", "5");

    assertThat(book.bidLevels()).isEqualTo(3);
    assertThat(new double[] {book.bidPrice(0), book.bidPrice(1), book.bidPrice(2)})
        .containsExactly(100, 99.5, 98);
    assertThat(new double[] {book.askPrice(0), book.askPrice(1)}).containsExactly(101, 102);
    assertThat(book.askSize(0)).isEqualTo(5);
  }

  @Test
  void aDeltaReplacesTheSizeAndKeepsTheVenuesText() {
    LocalBook book = new LocalBook();
    book.bid("100.10", "1.000");
    book.bid("100.1", "2.50");

    assertThat(book.bidLevels()).isEqualTo(1);
    assertThat(book.bidSize(0)).isEqualTo(2.5);
    assertThat(book.bidPriceText(0)).isEqualTo("100.1");
    assertThat(book.bidSizeText(0)).isEqualTo("2.50");
  }

  @Test
  void sizeZeroRemovesALevelAndAnUnknownOneIsIgnored() {
    LocalBook book = new LocalBook();
    book.ask("101", "1");
    book.ask("102", "1");
    book.ask("103", "1");

    book.ask("102", "0");
    book.ask("104", "0.000");

    assertThat(book.askLevels()).isEqualTo(2);
    assertThat(book.askPriceText(1)).isEqualTo("103");
  }

  @Test
  void jsonLevelsAreSetAsSentAndTrimmingAfterAMessageKeepsWhatItsDeletionsLetIn() {
    LocalBook book = new LocalBook();
    ObjectMapper json = new ObjectMapper();
    book.set(json.createArrayNode().add(json.createArrayNode().add("100").add("1"))
        .add(json.createArrayNode().add("99").add("2")),
        json.createArrayNode().add(json.createArrayNode().add("101").add("3")));
    assertThat(book.bidLevels()).isEqualTo(2);
    assertThat(book.askSizeText(0)).isEqualTo("3");
    // A depth-2 venue inserts 100.5 and deletes 100 in one message: 99 stays in the depth.
    book.bid("100.5", "1");
    book.bid("100", "0");
    book.trim(2);
    assertThat(book.bidPrice(0)).isEqualTo(100.5);
    assertThat(book.bidPrice(1)).isEqualTo(99);
    book.bid("100.7", "1");
    book.trim(2);
    assertThat(book.bidLevels()).isEqualTo(2);
    assertThat(book.bidPrice(1)).isEqualTo(100.5);
    assertThatThrownBy(() -> book.set(json.createObjectNode(), json.createArrayNode()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void snapshotHoldsTheTopLevelsWithTheContractSize() {
    LocalBook book = new LocalBook();
    for (int i = 0; i < 10; i++) {
      book.bid(Integer.toString(100 - i), "10");
      book.ask(Integer.toString(101 + i), "20");
    }

    BookSnapshot s = book.snapshot("okx", BTC, 3, 0.01, T, T.plusMillis(40));

    assertThat(s.bidLevels()).isEqualTo(3);
    assertThat(s.askLevels()).isEqualTo(3);
    assertThat(s.bidPrice(2)).isEqualTo(98);
    assertThat(s.askPrice(2)).isEqualTo(103);
    assertThat(s.exchangeTime()).isEqualTo(T);
    assertThat(s.receivedAt()).isEqualTo(T.plusMillis(40));
    assertThat(s.bidContracts(0)).isEqualTo(10);
    assertThat(s.bidSize(0)).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(s.exchangeTime()).isEqualTo(T);
    assertThat(book.snapshot("okx", BTC, 50, 1, T, T).bidLevels()).isEqualTo(10);
  }

  @Test
  void detectsACrossedOrLockedBook() {
    LocalBook book = new LocalBook();
    book.bid("100", "1");
    book.ask("101", "1");
    assertThat(book.crossed()).isFalse();

    book.bid("101", "1");
    assertThat(book.crossed()).isTrue();
    assertThatThrownBy(() -> book.snapshot("okx", BTC, 5, 1, T, T))
        .isInstanceOf(InvalidSnapshotException.class);

    book.bid("101", "0");
    assertThat(book.crossed()).isFalse();
  }

  @Test
  void levelsBeyondTheLimitAreDropped() {
    LocalBook book = new LocalBook(2);
    book.bid("100", "1");
    book.bid("99", "1");
    book.bid("98", "1");
    book.bid("101", "1");

    assertThat(book.bidLevels()).isEqualTo(2);
    assertThat(book.bidPriceText(0)).isEqualTo("101");
    assertThat(book.bidPriceText(1)).isEqualTo("100");
  }

  @Test
  void growsPastItsInitialCapacity() {
    LocalBook book = new LocalBook();
    for (int i = 1; i <= 500; i++) {
      book.ask(Integer.toString(i), "1");
    }
    for (int i = 1; i <= 500; i += 2) {
      book.ask(Integer.toString(i), "0");
    }
    assertThat(book.askLevels()).isEqualTo(250);
    assertThat(book.askPrice(0)).isEqualTo(2);
    assertThat(book.askPrice(249)).isEqualTo(500);
  }

  @Test
  void rejectsValuesThatAreNotLevels() {
    LocalBook book = new LocalBook();
    assertThatThrownBy(() -> book.bid("abc", "1")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> book.bid("0", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> book.bid("1", "-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> book.bid("NaN", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThat(book.bidLevels()).isZero();
  }

  @Test
  void clearEmptiesTheBookAndForgetsTheSequence() {
    LocalBook book = new LocalBook();
    book.bid("100", "1");
    book.sequence(42);
    book.clear();
    assertThat(book.bidLevels()).isZero();
    assertThat(book.sequence()).isEqualTo(-1);
  }

  /*
   * OKX's documentation explains the checksum with a two-level book: best bid 3366.1 for 7,
   * then 3366 for 6; best ask 3366.8 for 9, then 3368 for 8. The levels are interleaved bid,
   * ask, bid, ask, each as price:size, giving "3366.1:7:3366.8:9:3366:6:3368:8"; the checksum is
   * that string's CRC32 read as a signed int. The expected value was computed outside Java
   * (Python's zlib.crc32, 2413953002, minus 2^32).
   */
  @Test
  void okxChecksumOfTheDocumentedExample() {
    LocalBook book = new LocalBook();
    book.bid("3366.1", "7");
    book.bid("3366", "6");
    book.ask("3366.8", "9");
    book.ask("3368", "8");

    assertThat(book.okxChecksum()).isEqualTo(-1881014294);
    assertThat(book.okxChecksum()).isEqualTo(crc("3366.1:7:3366.8:9:3366:6:3368:8"));
  }

  /* The second documented case: one bid, three asks; the surplus asks follow on their own. */
  @Test
  void okxChecksumWithUnevenSides() {
    LocalBook book = new LocalBook();
    book.bid("3366.1", "7");
    book.ask("3366.8", "9");
    book.ask("3368", "8");
    book.ask("3372", "8");

    assertThat(book.okxChecksum()).isEqualTo(831078360);
  }

  @Test
  void okxChecksumCoversOnlyTheTop25LevelsAndUsesTheTextAsSent() {
    LocalBook book = new LocalBook();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      String bid = (1000 - i) + ".0";
      String ask = (1001 + i) + ".50";
      book.bid(bid, "1.10");
      book.ask(ask, "2");
      if (i < 25) {
        expected.append(i == 0 ? "" : ":").append(bid).append(":1.10:").append(ask)
            .append(":2");
      }
    }
    assertThat(book.okxChecksum()).isEqualTo(crc(expected.toString()));
  }

  @Test
  void okxChecksumOfAnEmptyBookIsThatOfTheEmptyString() {
    assertThat(new LocalBook().okxChecksum()).isEqualTo(crc(""));
  }

  private static int crc(String s) {
    CRC32 c = new CRC32();
    c.update(s.getBytes(StandardCharsets.US_ASCII));
    return (int) c.getValue();
  }
}
