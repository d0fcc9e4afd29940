package dev.scanflux.core.replay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void yieldsExactlyTheSourceBytesAcrossChunkBoundaries() throws IOException {
    for (int size : new int[] {0, 1, 999, 1000, 1001, 123_457}) {
      byte[] data = random(size);
      try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data), 1000, 3)) {
        assertThat(in.readAllBytes()).as("%d bytes", size).isEqualTo(data);
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void deliversEveryByteBeforeTheSourcesOwnException() throws IOException {
    byte[] data = random(5000);
    InputStream failing = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new EOFException("Unexpected end of ZLIB input stream");
      }
    };
    try (InputStream in = new ReadAheadInputStream(
        new SequenceInputStream(new ByteArrayInputStream(data), failing), 1024, 2)) {
      byte[] got = in.readNBytes(5000);
      assertThat(got).isEqualTo(data);
      assertThatThrownBy(in::read).isInstanceOf(EOFException.class)
          .hasMessage("Unexpected end of ZLIB input stream");
    }
  }

  @Test
  void closingEarlyStopsTheReadAheadThread() throws Exception {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 7;
      }
    };
    ReadAheadInputStream in = new ReadAheadInputStream(endless, 64, 2);
    assertThat(in.read()).isEqualTo(7);
    in.close();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("scanflux-read-ahead")) {
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
      }
    }
  }
}
