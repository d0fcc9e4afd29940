package dev.scanflux.exchanges.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class WsSpecTest {

  @Test
  void anAddressIsShownWithoutItsQueryOrCredentials() {
    WsSpec spec = WsSpec.of("kucoin", URI.create(
        "wss://user:pa55@ws-api-spot.kucoin.com:443/endpoint?token=S3cret&connectId=7"));

    assertThat(spec.shown()).isEqualTo("wss://ws-api-spot.kucoin.com:443/endpoint");
    assertThat(spec.toString()).contains("wss://ws-api-spot.kucoin.com:443/endpoint")
        .doesNotContain("S3cret", "pa55", "connectId");
  }

  @Test
  void aHostNameUriCannotParseIsShownFromItsAuthorityWithoutTheUserPart() {
    URI odd = URI.create("ws://me:pa55@my_proxy.local:8080/ws?token=S3cret");
    assertThat(odd.getHost()).isNull(); // the underscore: a registry-based authority

    assertThat(WsSpec.shown(odd)).isEqualTo("ws://my_proxy.local:8080/ws");
  }

  @Test
  void aWrongSchemeIsRefusedWithoutShowingTheQuery() {
    assertThatThrownBy(() -> WsSpec.of("x", URI.create("https://host/ws?token=S3cret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri must be ws:// or wss:// but was https://host/ws");
  }
}
