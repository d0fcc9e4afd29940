package dev.scanflux.exchanges.venue.okx.internal;

import dev.scanflux.exchanges.SimulatedPresets;
import dev.scanflux.exchanges.internal.SourceSettings;
import dev.scanflux.exchanges.internal.StreamingSource;

import static dev.scanflux.exchanges.StreamProbe.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.StreamEvent;
import dev.scanflux.core.spi.TransientSourceException;
import dev.scanflux.exchanges.StreamProbe;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import dev.scanflux.simulator.WsEvent;
import dev.scanflux.simulator.WsFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.scheduler.Schedulers;

/**
 * The OKX stream's heartbeat, made short: {@code ping} goes out while the connection is open
 * (OKX's answer {@code pong} is swallowed), and a dropped connection errors the stream. A
 * connection that dies without a FIN shows nothing until the next send; the heartbeat's failed
 * send is what then ends it, as in production every 20 s (the scanner's idle timeout backs it up).
 */
class OkxStreamHeartbeatTest {

  private static final Duration PING = Duration.ofMillis(100);

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T opened(T c) {
    open.add(c);
    return c;
  }

  private StreamProbe connect(SimulatedVenue venue, VenueSimulator sim) {
    MarketSource built = opened(SimulatedPresets.of(venue).baseUrl(sim.baseUrl())
        .streamUrl(sim.websocketUrl()).build());
    MarketSource rest = ((StreamingSource) built).rest();
    SourceSettings settings = new SourceSettings(rest.venue(), sim.baseUrl(), rest.rateLimit(),
        4, Duration.ofSeconds(5), Schedulers.parallel(), sim.websocketUrl());
    OkxStream stream = opened(venue == SimulatedVenue.OKX ? OkxStream.spot(settings, rest, PING)
        : OkxStream.swap(settings, rest, PING));
    Instrument btc = venue.instrument("BTC");
    return opened(StreamProbe.connect(stream, 5, btc))
        .await("a BTC book", p -> !p.books(btc).isEmpty(), PATIENCE);
  }

  @ParameterizedTest
  @EnumSource(names = {"OKX", "OKX_SWAP"})
  void pingsGoOutAndADroppedConnectionErrorsTheStream(SimulatedVenue venue) {
    VenueSimulator sim = opened(VenueSimulator.builder(venue).instruments(5).websocket(true)
        .streamInterval(Duration.ofMillis(20)).build());
    sim.start();
    StreamProbe probe = connect(venue, sim);

    probe.await("two pings", p -> sim.wsLog().stream().filter(e -> e.kind()
        == WsEvent.Kind.RECEIVED && e.text().equals("ping")).count() >= 2, PATIENCE);
    assertThat(probe.events(StreamEvent.Rejected.class)).as("pongs are not messages").isEmpty();

    sim.wsFault(WsFault.DROP);
    probe.awaitError(PATIENCE);
    assertThat(probe.error()).isInstanceOf(TransientSourceException.class);
    assertThat(probe.completed()).isFalse();
  }
}
