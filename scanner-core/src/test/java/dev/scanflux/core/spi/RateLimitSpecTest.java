package dev.scanflux.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitSpecTest {

  @Test
  void parsesWeightPerWindow() {
    RateLimitSpec spec = RateLimitSpec.parse("1200/10s");
    assertThat(spec.budget()).isEqualTo(1200);
    assertThat(spec.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(spec.ratePerSecond()).isEqualTo(120);
    assertThat(RateLimitSpec.parse("6000/1m").window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(RateLimitSpec.parse("1/s").window()).isEqualTo(Duration.ofSeconds(1));
    assertThat(RateLimitSpec.parse("40 / 2S").budget()).isEqualTo(40);
    assertThat(RateLimitSpec.parse("5/500ms").window()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void rejectsMalformedTextAndOutOfRangeValues() {
    assertThatThrownBy(() -> RateLimitSpec.parse("fast"))
        .hasMessage("rate limit must look like WEIGHT/WINDOW, e.g. 1200/10s or 6000/1m, but was "
            + "'fast'");
    assertThatThrownBy(() -> RateLimitSpec.parse("0/1s"))
        .hasMessage("budget must be in [1, 1000000] but was 0");
    assertThatThrownBy(() -> RateLimitSpec.of(10, Duration.ZERO))
        .hasMessage("window must be in [1ms, 24h] but was PT0S");
    assertThatThrownBy(() -> RateLimitSpec.of(10, Duration.ofSeconds(1))
        .withWeight(RequestKind.TICKERS, 11))
        .hasMessage("TICKERS weight must be in [1, 10] but was 11");
  }

  @Test
  void weighsRequestsByKindAndBookDepth() {
    RateLimitSpec binance = RateLimitSpec.of(6000, Duration.ofMinutes(1))
        .withBookWeight(d -> d <= 100 ? 5 : d <= 500 ? 25 : 50)
        .withWeight(RequestKind.TICKERS, 80);
    assertThat(binance.weight(RequestKind.BOOK, 20)).isEqualTo(5);
    assertThat(binance.weight(RequestKind.BOOK, 500)).isEqualTo(25);
    assertThat(binance.weight(RequestKind.TICKERS, 0)).isEqualTo(80);
    assertThat(binance.weight(RequestKind.TICKER, 0)).isEqualTo(1);

    RateLimitSpec slower = binance.withBudget(1200, Duration.ofSeconds(10));
    assertThat(slower.budget()).isEqualTo(1200);
    assertThat(slower.weight(RequestKind.BOOK, 1000)).isEqualTo(50);
    assertThat(slower.weight(RequestKind.TICKERS, 0)).isEqualTo(80);
  }
}
