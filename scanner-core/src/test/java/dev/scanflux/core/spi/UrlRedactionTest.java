package dev.scanflux.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlRedactionTest {

  @Test
  void masksTheUserInfoOfEveryUrlInAText() {
    assertThat(UrlRedaction.redact("http://trader:S3cretPassw0rd@127.0.0.1:8080"))
        .isEqualTo("http://****@127.0.0.1:8080");
    assertThat(UrlRedaction.redact("GET https://u@a.example/x?y=1 failed; wss://k:p%40q@b:1/ws"))
        .isEqualTo("GET https://****@a.example/x?y=1 failed; wss://****@b:1/ws");
  }

  @Test
  void leavesTextsWithoutCredentialsAlone() {
    for (String s : new String[] {"http://127.0.0.1:8080/api/v3/depth?symbol=BTCUSDT",
        "mail me at a@b.c", "ws://host/path@v1", "http://host/?q=a@b"}) {
      assertThat(UrlRedaction.redact(s)).isEqualTo(s);
      assertThat(UrlRedaction.hasUserInfo(s)).as(s).isFalse();
    }
  }

  @Test
  void tellsAUrlWithUserInfo() {
    assertThat(UrlRedaction.hasUserInfo("http://trader:pw@127.0.0.1:11")).isTrue();
    assertThat(UrlRedaction.hasUserInfo("http://trader@127.0.0.1:11")).isTrue();
    assertThat(UrlRedaction.hasUserInfo("http://tr ader:pw@127.0.0.1:11")).isTrue();
  }
}
