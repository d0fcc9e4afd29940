package dev.scanflux.core.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.BookSnapshot;
import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.InvalidSnapshotException;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.model.TickerSnapshot;
import dev.scanflux.core.replay.RecordingFormatException.Defect;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class RecordingReaderTest {

  private static final String HEADER =
      "{\"format\":\"scanflux-recording\",\"version\":1,\"venues\":[\"binance\"],"
          + "\"createdAt\":\"2025-01-31T12:00:00Z\"}";
  private static final Instant T0 = Instant.parse("2025-01-31T12:00:00Z");
  private static final Instrument BTC = Instrument.spot("BTC", "USDT");

  @TempDir
  Path dir;

  @Test
  void readsLinesInAnyFieldOrderIgnoringUnknownFieldsAndCrLf() throws IOException {
    Path file = dir.resolve("crlf.jsonl");
    Files.writeString(file, HEADER + "\r\n"
        + "{\"bid\":1.5,\"ask\":2,\"last\":1.75,\"extra\":{\"nested\":[1,2]},\"receivedAt\":5,"
        + "\"exchangeTime\":4,\"instrument\":\"btc/usdt\",\"venue\":\"binance\",\"type\":\"ticker\","
        + "\"baseVolume24h\":null}\r\n");

    StepVerifier.create(RecordingReader.of(file).snapshots())
        .expectNext(new TickerSnapshot("binance", BTC, 1.5, 2, 1.75, Double.NaN, Double.NaN,
            Double.NaN, Instant.ofEpochSecond(0, 4), Instant.ofEpochSecond(0, 5)))
        .verifyComplete();
  }

  @Test
  void aGzipOfBlankLinesEndsAfterTheBadLineBoundNotAtTheEndOfTheFile() throws IOException {
    // 200 MB of blank lines in about 200 KB of gzip; read to the end, line by line, it would
    // cost minutes (a 8.7 MB one, about 9 billion lines, took hours)
    Path file = dir.resolve("blank.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      byte[] blank = new byte[1 << 20];
      Arrays.fill(blank, (byte) '\n');
      for (int i = 0; i < 200; i++) {
        out.write(blank);
      }
    }
    AtomicInteger skipped = new AtomicInteger();

    RecordingFormatException e = failure(RecordingReader.builder(file)
        .skipBadLines(bad -> skipped.incrementAndGet()).maxBadLines(50_000).build()
        .snapshots(), 0);

    assertThat(e.defect()).isEqualTo(Defect.TOO_MANY_BAD_LINES);
    assertThat(e.defect().isLineDefect()).isFalse();
    assertThat(skipped).hasValue(50_000);
    assertThat(e.line()).isEqualTo(50_002); // the header, 50,000 skipped, this one
    assertThat(e).hasMessageContaining("more than 50000 bad lines skipped");
    assertThat(RecordingReader.DEFAULT_MAX_BAD_LINES).isEqualTo(100_000);
  }

  @Test
  void aBookWithMoreLevelsThanTheBoundIsAMalformedLineNotAHeapOfDoubles() throws IOException {
    String levels = "[1.0,1.0],".repeat(100_001);
    Path file = write("deep.jsonl", HEADER, "{\"type\":\"book\",\"venue\":\"binance\","
        + "\"instrument\":\"BTC/USDT\",\"exchangeTime\":1,\"receivedAt\":1,\"bids\":["
        + levels.substring(0, levels.length() - 1) + "],\"asks\":[[2.0,1.0]]}", ticker(2));
    List<RecordingFormatException> bad = new ArrayList<>();

    StepVerifier.create(RecordingReader.builder(file).skipBadLines(bad::add).build().snapshots())
        .expectNextCount(1)
        .verifyComplete();
    assertThat(bad).singleElement().satisfies(b -> {
      assertThat(b.defect()).isEqualTo(Defect.MALFORMED_LINE);
      assertThat(b).hasMessageContaining("more than 100000 levels");
    });
  }

  @Test
  void corruptLineNamesFileAndLine() throws IOException {
    Path file = write("corrupt.jsonl", HEADER, ticker(0), "{\"type\":\"ticker\",\"venue\":", ticker(2));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 1);

    assertThat(e.defect()).isEqualTo(Defect.MALFORMED_LINE);
    assertThat(e.path()).isEqualTo(file);
    assertThat(e.line()).isEqualTo(3);
    assertThat(e).hasMessageStartingWith(file + " line 3: malformed line: not valid JSON");
  }

  @Test
  void missingFieldAndWrongTypeAndUnknownTypeAreMalformed() throws IOException {
    assertLineDefect("{\"type\":\"ticker\",\"venue\":\"binance\",\"instrument\":\"BTC/USDT\","
        + "\"exchangeTime\":1,\"receivedAt\":1,\"bid\":1,\"last\":1}", Defect.MALFORMED_LINE,
        "required field \"ask\" is missing");
    assertLineDefect("{\"type\":\"ticker\",\"venue\":\"binance\",\"instrument\":\"BTC/USDT\","
        + "\"exchangeTime\":\"yesterday\",\"receivedAt\":1}", Defect.MALFORMED_LINE,
        "\"exchangeTime\" must be an integer count of nanoseconds");
    assertLineDefect("{\"type\":\"trade\",\"venue\":\"binance\",\"instrument\":\"BTC/USDT\","
        + "\"exchangeTime\":1,\"receivedAt\":1}", Defect.MALFORMED_LINE, "unknown \"type\"");
    assertLineDefect("[1,2]", Defect.MALFORMED_LINE, "not a JSON object");
    assertLineDefect("", Defect.MALFORMED_LINE, "the line is empty");
    assertLineDefect(ticker(1) + " {}", Defect.MALFORMED_LINE, "unexpected content");
    assertLineDefect("{\"type\":\"book\",\"venue\":\"binance\",\"instrument\":\"BTC-USDT\","
        + "\"exchangeTime\":1,\"receivedAt\":1,\"bids\":[],\"asks\":[]}", Defect.MALFORMED_LINE,
        "\"instrument\": symbol must look like BASE/QUOTE");
  }

  @Test
  void invalidSnapshotKeepsTheModelsReason() throws IOException {
    Path file = write("crossed.jsonl", HEADER, "{\"type\":\"book\",\"venue\":\"binance\","
        + "\"instrument\":\"BTC/USDT\",\"exchangeTime\":1,\"receivedAt\":1,\"bids\":[[101,1]],"
        + "\"asks\":[[100,1]]}");

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 0);

    assertThat(e.defect()).isEqualTo(Defect.INVALID_SNAPSHOT);
    assertThat(e.line()).isEqualTo(2);
    assertThat(e).hasCauseInstanceOf(InvalidSnapshotException.class)
        .hasMessageContaining("crossed book");
  }

  @Test
  void outOfOrderSnapshotIsNamed() throws IOException {
    Path file = write("order.jsonl", HEADER, ticker(5), ticker(5), ticker(3));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 2);

    assertThat(e.defect()).isEqualTo(Defect.OUT_OF_ORDER);
    assertThat(e.line()).isEqualTo(4);
    assertThat(e).hasMessageContaining("before the snapshot above it");
  }

  @Test
  void truncatedPlainFileIsNamed() throws IOException {
    String full = String.join("\n", HEADER, ticker(1), ticker(2));
    Path file = dir.resolve("cut.jsonl");
    Files.writeString(file, full.substring(0, full.length() - 10));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 1);

    assertThat(e.defect()).isEqualTo(Defect.TRUNCATED);
    assertThat(e.line()).isEqualTo(3);
    assertThat(e).hasMessageContaining("the last line is incomplete");
  }

  @Test
  void lastLineWithoutNewlineIsFineWhenComplete() throws IOException {
    Path file = dir.resolve("no-newline.jsonl");
    Files.writeString(file, HEADER + "\n" + ticker(1));

    StepVerifier.create(RecordingReader.of(file).snapshots()).expectNextCount(1).verifyComplete();
  }

  @Test
  void truncatedGzipIsNamed() throws IOException {
    Path file = gzipRecording("cut.jsonl.gz", 2000);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), -1);

    assertThat(e.defect()).isEqualTo(Defect.TRUNCATED);
    assertThat(e.line()).isBetween(3L, 2001L);
    assertThat(e).hasMessageContaining("the gzip data ends in the middle of a line");
  }

  @Test
  void damagedGzipTrailerIsNamed() throws IOException {
    Path file = gzipRecording("crc.jsonl.gz", 10);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 8] ^= 0x55;
    Files.write(file, bytes);

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), -1);

    assertThat(e.defect()).isEqualTo(Defect.DAMAGED_GZIP);
    assertThat(e).hasMessageContaining("gzip data is damaged");
  }

  @Test
  void plainFileNamedGzIsNotGzip() throws IOException {
    Path file = write("plain.jsonl.gz", HEADER, ticker(1));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 0);

    assertThat(e.defect()).isEqualTo(Defect.NOT_GZIP);
    assertThat(e.line()).isEqualTo(1);
    assertThat(e).hasMessageContaining("gzip was expected").hasMessageContaining("gzip(false)");
    StepVerifier.create(RecordingReader.builder(file).gzip(false).build().snapshots())
        .expectNextCount(1).verifyComplete();
  }

  @Test
  void emptyFileNamedGzIsNotGzip() throws IOException {
    Path file = write("empty.jsonl.gz");

    assertThat(failure(RecordingReader.of(file).snapshots(), 0).getMessage())
        .contains("the file is empty");
  }

  @Test
  void gzipReadAsPlainGetsAHint() throws IOException {
    Path gz = gzipRecording("data.jsonl.gz", 3);
    Path misnamed = Files.copy(gz, dir.resolve("data.jsonl"));

    RecordingFormatException e = failure(RecordingReader.of(misnamed).snapshots(), 0);

    assertThat(e.defect()).isEqualTo(Defect.BAD_HEADER);
    assertThat(e).hasMessageContaining("looks gzip-compressed");
    StepVerifier.create(RecordingReader.builder(misnamed).gzip(true).build().snapshots())
        .expectNextCount(3).verifyComplete();
  }

  @Test
  void emptyOrHeaderlessFileHasBadHeader() throws IOException {
    assertThat(failure(RecordingReader.of(write("empty.jsonl")).snapshots(), 0))
        .hasMessageContaining("line 1: bad header: the file is empty");
    assertThat(failure(RecordingReader.of(write("headless.jsonl", ticker(1))).snapshots(), 0))
        .hasMessageContaining("line 1: bad header")
        .hasMessageContaining("no \"format\":\"scanflux-recording\"");
  }

  @Test
  void unknownVersionIsNamed() throws IOException {
    Path file = write("v2.jsonl", HEADER.replace("\"version\":1", "\"version\":2"), ticker(1));

    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 0);

    assertThat(e.defect()).isEqualTo(Defect.UNSUPPORTED_VERSION);
    assertThat(e).hasMessageContaining("line 1: unsupported version: format version 2");
    StepVerifier.create(RecordingReader.of(file).header())
        .expectErrorSatisfies(h -> assertThat(h).isInstanceOf(RecordingFormatException.class))
        .verify();
  }

  @Test
  void missingFileNamesThePath() {
    Path file = dir.resolve("nowhere.jsonl");

    StepVerifier.create(RecordingReader.of(file).snapshots())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(NoSuchFileException.class)
            .hasMessageContaining(file.toString()).hasMessageContaining("no such recording file"))
        .verify();
  }

  @Test
  void skipBadLinesCountsAndContinues() throws IOException {
    Path file = write("bad.jsonl", HEADER, ticker(1), "garbage", ticker(2),
        "{\"type\":\"book\",\"venue\":\"binance\",\"instrument\":\"BTC/USDT\",\"exchangeTime\":3,"
            + "\"receivedAt\":3,\"bids\":[[1,-1]],\"asks\":[]}",
        ticker(4), ticker(3), ticker(5));
    List<RecordingFormatException> skipped = new ArrayList<>();

    List<MarketSnapshot> read = RecordingReader.builder(file).skipBadLines(skipped::add).build()
        .snapshots().collectList().block();

    assertThat(read).extracting(s -> s.receivedAt().getNano()).containsExactly(1, 2, 4, 5);
    assertThat(skipped).extracting(RecordingFormatException::line).containsExactly(3L, 5L, 7L);
    assertThat(skipped).extracting(RecordingFormatException::defect).containsExactly(
        Defect.MALFORMED_LINE, Defect.INVALID_SNAPSHOT, Defect.OUT_OF_ORDER);
  }

  /**
   * Lines are parsed a block at a time and, from the first irregular line of a block, one by
   * one: whatever mix of good and bad lines a file holds, and wherever blocks end, the same lines
   * must come out and the same lines must be reported.
   */
  @ParameterizedTest
  @ValueSource(strings = {"mixed.jsonl", "mixed.jsonl.gz"})
  void everyBadLineIsReportedAndEveryGoodOneReadWhereverItFalls(String name) throws IOException {
    List<MarketSnapshot> good = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      Instant t = T0.plusMillis(i);
      good.add(i % 3 == 0
          ? BookSnapshot.builder("binance", BTC).receivedAt(t).bid(100, 1).ask(101 + i, 2).build()
          : new TickerSnapshot("okx", BTC, 100, 101, 100.5, Double.NaN, 2, 0, t, t));
    }
    Path clean = dir.resolve("clean.jsonl");
    RecordingWriter.of(clean).write(Flux.fromIterable(good)).block();
    List<String> lines = Files.readAllLines(clean);
    String crossed = "{\"type\":\"book\",\"venue\":\"x\",\"instrument\":\"BTC/USDT\","
        + "\"exchangeTime\":1,\"receivedAt\":1,\"bids\":[[101,1]],\"asks\":[[100,1]]}";

    Random random = new Random(42);
    StringBuilder file = new StringBuilder(lines.get(0)).append('\n');
    List<MarketSnapshot> expected = new ArrayList<>();
    List<Long> badLines = new ArrayList<>();
    List<Defect> defects = new ArrayList<>();
    long line = 1;
    for (int i = 0; i < good.size(); i++) {
      String json = lines.get(i + 1);
      int dice = random.nextInt(40);
      if (dice < 10) {
        String bad = switch (dice) {
          case 0 -> "";
          case 1 -> "   ";
          case 2 -> "garbage";
          case 3 -> json + " " + json;
          case 4 -> json.substring(0, json.length() / 2);
          case 5 -> json + " x";
          case 6 -> crossed;
          case 7 -> i > 5 ? lines.get(i - 4) : "[]";
          case 8 -> json.substring(0, 20) + "\n" + json.substring(20);
          default -> "{}";
        };
        for (String part : bad.split("\n", -1)) {
          file.append(part).append('\n');
          badLines.add(++line);
          defects.add(dice == 6 ? Defect.INVALID_SNAPSHOT
              : dice == 7 && i > 5 ? Defect.OUT_OF_ORDER : Defect.MALFORMED_LINE);
        }
      }
      file.append(json).append(random.nextInt(10) == 0 ? "\r\n" : "\n");
      expected.add(good.get(i));
      line++;
    }
    Path mixed = dir.resolve(name);
    byte[] bytes = file.toString().getBytes(StandardCharsets.UTF_8);
    if (name.endsWith(".gz")) {
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (OutputStream out = new GZIPOutputStream(gz)) {
        out.write(bytes);
      }
      bytes = gz.toByteArray();
    }
    Files.write(mixed, bytes);
    List<RecordingFormatException> skipped = new ArrayList<>();

    List<MarketSnapshot> read = RecordingReader.builder(mixed).skipBadLines(skipped::add).build()
        .snapshots().collectList().block();

    assertThat(badLines).hasSizeGreaterThan(1_000);
    assertThat(skipped).extracting(RecordingFormatException::line).containsExactlyElementsOf(badLines);
    assertThat(skipped).extracting(RecordingFormatException::defect).containsExactlyElementsOf(defects);
    assertThat(read).containsExactlyElementsOf(expected);
  }

  @Test
  void skipBadLinesReadsUpToATruncation() throws IOException {
    Path file = gzipRecording("cut.jsonl.gz", 2000);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    List<RecordingFormatException> skipped = new ArrayList<>();

    List<MarketSnapshot> read = RecordingReader.builder(file).skipBadLines(skipped::add).build()
        .snapshots().collectList().block();

    assertThat(skipped).singleElement().extracting(RecordingFormatException::defect)
        .isEqualTo(Defect.TRUNCATED);
    assertThat(read).hasSize((int) skipped.get(0).line() - 2).isNotEmpty();
  }

  @Test
  void skipBadLinesStillFailsOnABadFile() throws IOException {
    Path file = write("v9.jsonl", HEADER.replace("\"version\":1", "\"version\":9"));

    StepVerifier.create(RecordingReader.builder(file).skipBadLines(e -> { }).build().snapshots())
        .expectError(RecordingFormatException.class)
        .verify();
  }

  @Test
  void aThrowingBadLineHandlerFailsTheRead() throws IOException {
    Path file = write("bad.jsonl", HEADER, "garbage", ticker(1));
    IllegalStateException boom = new IllegalStateException("boom");

    StepVerifier.create(RecordingReader.builder(file).skipBadLines(e -> {
          throw boom;
        }).build().snapshots())
        .expectErrorMatches(e -> e == boom)
        .verify();
  }

  @Test
  void readsLazilyAndStopsOnCancel() throws IOException {
    Path file = gzipRecording("big.jsonl.gz", 50_000);
    AtomicInteger requested = new AtomicInteger();

    StepVerifier.create(RecordingReader.builder(file).scheduler(Schedulers.immediate()).build()
            .snapshots().doOnRequest(n -> requested.addAndGet((int) Math.min(n, 1 << 20))), 0)
        .thenRequest(3)
        .expectNextCount(3)
        .thenCancel()
        .verify();
    assertThat(requested).hasValue(3);
  }

  @Test
  void readsOnTheGivenScheduler() throws IOException {
    Path file = write("t.jsonl", HEADER, ticker(1));
    List<String> threads = new ArrayList<>();

    Scheduler io = Schedulers.newSingle("recording-io");
    try {
      RecordingReader.builder(file).scheduler(io).build()
          .snapshots().doOnNext(s -> threads.add(Thread.currentThread().getName()))
          .blockLast();
    } finally {
      io.dispose();
    }

    assertThat(threads).singleElement().asString().startsWith("recording-io");
  }

  @Test
  void headerIsReadAlone() throws IOException {
    Path file = write("h.jsonl", HEADER, "garbage");

    StepVerifier.create(RecordingReader.of(file).header())
        .expectNext(new RecordingHeader(1, List.of("binance"), T0))
        .verifyComplete();
  }

  private void assertLineDefect(String line, Defect defect, String detail) throws IOException {
    Path file = write("line-" + Math.abs(line.hashCode()) + ".jsonl", HEADER, line);
    RecordingFormatException e = failure(RecordingReader.of(file).snapshots(), 0);
    assertThat(e.defect()).as(line).isEqualTo(defect);
    assertThat(e.line()).as(line).isEqualTo(2);
    assertThat(e.getMessage()).as(line).contains(detail);
  }

  /** Reads until the error, checking how many snapshots came first (-1: any number). */
  private static RecordingFormatException failure(Flux<MarketSnapshot> snapshots, int before) {
    List<MarketSnapshot> got = new ArrayList<>();
    Throwable[] error = new Throwable[1];
    snapshots.doOnNext(got::add).onErrorResume(e -> {
      error[0] = e;
      return Flux.empty();
    }).blockLast();
    assertThat(error[0]).isInstanceOf(RecordingFormatException.class);
    if (before >= 0) {
      assertThat(got).hasSize(before);
    }
    return (RecordingFormatException) error[0];
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
    return file;
  }

  private Path gzipRecording(String name, int snapshots) throws IOException {
    String text = HEADER + "\n" + IntStream.range(0, snapshots).mapToObj(RecordingReaderTest::ticker)
        .collect(Collectors.joining("\n")) + "\n";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    Path file = dir.resolve(name);
    Files.write(file, bytes.toByteArray());
    return file;
  }

  private static String ticker(int nanos) {
    return "{\"type\":\"ticker\",\"venue\":\"binance\",\"instrument\":\"BTC/USDT\",\"exchangeTime\":"
        + (T0.getEpochSecond() * 1_000_000_000L + nanos) + ",\"receivedAt\":"
        + (T0.getEpochSecond() * 1_000_000_000L + nanos) + ",\"bid\":" + (100 + nanos)
        + ",\"ask\":" + (101 + nanos) + ",\"last\":100.5,\"baseVolume24h\":12.5,"
        + "\"quoteVolume24h\":null,\"change24h\":-0.01}";
  }
}
