package dev.scanflux.core.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    AlertConfig c = AlertConfig.ofDefaults();
    assertThat(c.cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.minLifetime()).isZero();
    assertThat(c.grace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.updateInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.maxOpen()).isEqualTo(10_000);
    assertThat(c.recent()).isEqualTo(100);
  }

  @Test
  void aKindsCooldownOverridesTheDefaultOnlyForThatKind() {
    AlertConfig c = AlertConfig.custom().cooldown("mover-24h", Duration.ofMinutes(30)).build();
    assertThat(c.cooldown("mover-24h")).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.cooldown("order-book-wall")).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.toBuilder().build().cooldown("mover-24h")).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void settersNameTheBadArgument() {
    AlertConfig.Builder b = AlertConfig.custom();
    assertThatThrownBy(() -> b.cooldown(Duration.ofSeconds(-1)))
        .hasMessage("cooldown must be in [PT0S, PT168H] but was PT-1S");
    assertThatThrownBy(() -> b.grace(Duration.ZERO))
        .hasMessage("grace must be in (PT0S, PT168H] but was PT0S");
    assertThatThrownBy(() -> b.minLifetime(Duration.ofDays(8))).hasMessageStartingWith(
        "minLifetime must be");
    assertThatThrownBy(() -> b.updateInterval(Duration.ZERO)).hasMessageStartingWith(
        "updateInterval must be");
    assertThatThrownBy(() -> b.maxOpen(0)).hasMessage("maxOpen must be at least 1 but was 0");
    assertThatThrownBy(() -> b.recent(-1)).hasMessageStartingWith("recent must be");
    assertThatThrownBy(() -> b.cooldown(" ", Duration.ZERO)).hasMessage(
        "kind must not be blank");
  }

  @Test
  void deliveryConfigBacksOffByDoublingUpToTheMaximum() {
    DeliveryConfig d = DeliveryConfig.custom()
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(5)).build();
    assertThat(d.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.backoff(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(d.backoff(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.backoff(60)).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> DeliveryConfig.custom().backoff(Duration.ofSeconds(2),
        Duration.ofSeconds(1))).hasMessage("maxBackoff must be at least minBackoff PT2S but "
        + "was PT1S");
    assertThatThrownBy(() -> DeliveryConfig.custom().outbox(0)).hasMessageStartingWith(
        "outbox must be");
    assertThatThrownBy(() -> DeliveryConfig.custom().maxAttempts(0)).hasMessageStartingWith(
        "maxAttempts must be");
  }

  @Test
  void aSecretNeverShowsItself() throws Exception {
    Secret s = Secret.of(" 123:abc/def ");
    assertThat(s.reveal()).isEqualTo("123:abc/def");
    assertThat(s).hasToString("****");
    assertThat(s.redact("GET /bot123:abc/def/x and /bot123%3Aabc%2Fdef/x"))
        .isEqualTo("GET /bot****/x and /bot****/x");
    assertThat(Secret.fromEnv(java.util.Map.of("T", "  "), "T")).isEmpty();
    assertThat(Secret.fromEnv(java.util.Map.of("T", "x"), "T")).contains(Secret.of("x"));
    java.nio.file.Path f = java.nio.file.Files.createTempFile("secret", ".txt");
    try {
      java.nio.file.Files.writeString(f, "tok\n");
      assertThat(Secret.fromFile(f).reveal()).isEqualTo("tok");
    } finally {
      java.nio.file.Files.delete(f);
    }
    assertThatThrownBy(() -> Secret.fromFile(f)).hasMessageContaining("cannot read the secret")
        .hasMessageNotContaining("tok");
  }

  @Test
  void durationsReadLikePeopleWriteThem() {
    assertThat(AlertText.duration(Duration.ZERO)).isEqualTo("0 s");
    assertThat(AlertText.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(AlertText.duration(Duration.ofSeconds(45))).isEqualTo("45 s");
    assertThat(AlertText.duration(Duration.ofSeconds(252))).isEqualTo("4 min 12 s");
    assertThat(AlertText.duration(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
    assertThat(AlertText.duration(Duration.ofHours(76))).isEqualTo("3 d 4 h");
  }
}
