package dev.scanflux.core.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineInputTest {

  @Test
  void blocksHoldWholeLinesAndTogetherTheWholeInput() throws IOException {
    Random random = new Random(3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append("line ").append(i).append(" ".repeat(random.nextInt(30))).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    LineInput input = new LineInput(new TrickleInputStream(bytes, random), 1 << 20);

    StringBuilder joined = new StringBuilder();
    int blocks = 0;
    while (input.next()) {
      assertThat(input.terminated()).isTrue();
      assertThat(input.tooLong()).isFalse();
      String block = block(input);
      assertThat(block).endsWith("\n");
      joined.append(block);
      blocks++;
    }

    assertThat(joined.toString()).isEqualTo(text.toString());
    assertThat(blocks).isGreaterThan(1);
  }

  @Test
  void aLastLineWithoutNewlineComesAlone() throws IOException {
    LineInput input = input("a\nb\nc", 100);

    assertThat(input.next()).isTrue();
    assertThat(block(input)).isEqualTo("a\nb\n");
    assertThat(input.next()).isTrue();
    assertThat(block(input)).isEqualTo("c");
    assertThat(input.terminated()).isFalse();
    assertThat(input.next()).isFalse();
  }

  @Test
  void aTooLongLineIsSkippedToItsEndAndFlagged() throws IOException {
    String longLine = "x".repeat(100_000);
    LineInput input = input("short\n" + longLine + "\nafter\n" + longLine, 1_000);

    List<String> seen = new ArrayList<>();
    while (input.next()) {
      seen.add(input.tooLong() ? "<too long, terminated " + input.terminated() + ">"
          : block(input));
    }

    assertThat(seen).containsExactly("short\n", "<too long, terminated true>", "after\n",
        "<too long, terminated false>");
  }

  private static LineInput input(String text, int maxLineBytes) {
    return new LineInput(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        maxLineBytes);
  }

  private static String block(LineInput input) {
    return new String(input.buffer(), input.blockStart(), input.blockEnd() - input.blockStart(),
        StandardCharsets.UTF_8);
  }

  /** Returns few bytes per read, as a slow or compressed stream may. */
  private static final class TrickleInputStream extends InputStream {
    private final ByteArrayInputStream in;
    private final Random random;

    TrickleInputStream(byte[] bytes, Random random) {
      this.in = new ByteArrayInputStream(bytes);
      this.random = random;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, 1 + random.nextInt(5_000)));
    }
  }
}
