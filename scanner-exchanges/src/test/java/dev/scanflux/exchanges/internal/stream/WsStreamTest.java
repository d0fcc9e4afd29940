package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.spi.StreamContext;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.StreamRequest;
import dev.scanflux.exchanges.internal.SourceSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.scheduler.VirtualTimeScheduler;

class WsStreamTest {

  /** A stream that opens nothing, to reach the base class's helpers. */
  private static class Idle extends WsStream {
    Idle(VirtualTimeScheduler clock) {
      super(new SourceSettings("idle", "http://127.0.0.1:1", RateLimitSpec.of(1,
              Duration.ofSeconds(1)), 1, Duration.ofSeconds(1), clock, "ws://127.0.0.1:1/ws"),
          WsSpec.of("idle", URI.create("ws://127.0.0.1:1/ws")), WsClient.ownThreads("idle"));
    }

    @Override
    protected Flux<StreamEvent> open(StreamRequest request, StreamContext context) {
      return Flux.empty();
    }
  }

  /** One that shows 10 characters. */
  private static final class Terse extends Idle {
    Terse(VirtualTimeScheduler clock) {
      super(clock);
    }

    @Override
    protected int shownChars() {
      return 10;
    }
  }

  @Test
  void coveringIsTheSmallestDepthHoldingTheRequestElseTheDeepest() {
    int[] depths = {10, 25, 100};
    assertThat(List.of(1, 10, 11, 100, 101, 5000))
        .extracting(d -> WsStream.covering(depths, d))
        .containsExactly(10, 10, 25, 100, 100, 100);
  }

  @Test
  void chunksCutAListIntoRunsOfAtMostTheSizeInOrder() {
    assertThat(WsStream.chunks(List.of(1, 2, 3, 4, 5), 2))
        .containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
    assertThat(WsStream.chunks(List.of(1, 2), 2)).containsExactly(List.of(1, 2));
    assertThat(WsStream.chunks(List.of(), 3)).isEmpty();
    assertThatThrownBy(() -> WsStream.chunks(List.of(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
  }

  @Test
  void abbreviateKeepsShownCharsThenAnEllipsis() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    try (Idle idle = new Idle(clock); Terse terse = new Terse(clock)) {
      String long121 = "x".repeat(121);
      assertThat(idle.abbreviate("x".repeat(120))).isEqualTo("x".repeat(120));
      assertThat(idle.abbreviate(long121)).isEqualTo("x".repeat(120) + "...");
      assertThat(terse.abbreviate("0123456789")).isEqualTo("0123456789");
      assertThat(terse.abbreviate("0123456789A")).isEqualTo("0123456789...");
    }
  }

  @Test
  void nowIsTheSettingsClock() {
    VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    try (Idle idle = new Idle(clock)) {
      clock.advanceTimeBy(Duration.ofMillis(1234));
      assertThat(idle.nowMillis()).isEqualTo(1234);
      assertThat(idle.now()).isEqualTo(Instant.ofEpochMilli(1234));
    }
  }
}
