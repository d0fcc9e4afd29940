package dev.scanflux.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scanflux.simulator.SimulatedVenue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a server owns it frees, and a closed server stays closed. */
class ScanServerLifecycleTest {

  @Test
  void closeFreesTheServersThreadsAndConnections() throws Exception {
    int port;
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.OKX), (self, b) -> b);
        Http http = new Http(f.url())) {
      port = f.server.port();
      assertThat(http.get("/health").status()).isEqualTo(200);
      assertThat(http.get("/api/venues").status()).isEqualTo(200);
      assertThat(serverThreads()).isPositive();
      ScanServerEventsTest.sse(http, "/api/events/dashboard").take(1).blockLast(Http.WAIT);
    }
    Awaits.until(() -> serverThreads() == 0);
    try (java.net.Socket s = new java.net.Socket()) {
      assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000))
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void aClosedServerCannotStartAgain() {
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.OKX), (self, b) -> b)) {
      f.server.close();
      f.server.close(); // idempotent
      assertThatThrownBy(f.server::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThatThrownBy(f.server::port).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void builderArgumentsAreCheckedAndNamed() {
    try (SimulatedScan f = new SimulatedScan(List.of(SimulatedVenue.OKX), (self, b) -> b)) {
      ScanServer.Builder b = ScanServer.builder(f.scanner);
      assertThatThrownBy(() -> b.port(70000)).hasMessageContaining("port must be in [0, 65535]");
      assertThatThrownBy(() -> b.token("short")).hasMessageContaining("token must be at least 16");
      assertThatThrownBy(() -> b.maxOneOffScans(0)).hasMessageContaining("maxOneOffScans");
      assertThatThrownBy(() -> b.threshold("x", 5, 0, 1)).hasMessageContaining("threshold 'x'");
      assertThatThrownBy(() -> ScanServer.builder(f.scanner).oneOff(List.of("okx"),
          v -> reactor.core.publisher.Mono.empty()).build())
          .hasMessageContaining("one-off venue 'okx' is scanned by the running scanner");
    }
  }

  private static long serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("scanflux-server")).count();
  }
}
