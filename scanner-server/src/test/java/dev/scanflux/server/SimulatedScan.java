package dev.scanflux.server;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * A running scanner over embedded venue simulators (loopback, a few instruments, low latency),
 * with a tap, and a server over it on 127.0.0.1 port 0: the fixture of the server's tests.
 * Closes everything it started.
 */
final class SimulatedScan implements AutoCloseable {

  static final int INSTRUMENTS = 6;

  final Map<String, VenueSimulator> sims = new LinkedHashMap<>();
  final ScanTap tap = ScanTap.create();
  final Scanner scanner;
  final ScanServer server;
  private final List<VenueSimulator> oneOffSims = new ArrayList<>();

  /**
   * @param venues    the running scanner's simulated venues
   * @param configure adds to the server's builder
   */
  SimulatedScan(List<SimulatedVenue> venues,
      BiFunction<SimulatedScan, ScanServer.Builder, ScanServer.Builder> configure) {
    this(venues, null, configure);
  }

  /**
   * @param streamEvery with a value, each venue streams its books over its simulated WebSocket,
   *                    updating every instrument this often (a fast, heavy flow of snapshots)
   */
  SimulatedScan(List<SimulatedVenue> venues, @Nullable Duration streamEvery,
      BiFunction<SimulatedScan, ScanServer.Builder, ScanServer.Builder> configure) {
    Scanner.Builder b = Scanner.builder().interval(Duration.ofMillis(200)).listener(tap)
        .priority("BTC", "ETH");
    Map<String, RateLimitSpec> limits = new LinkedHashMap<>();
    for (SimulatedVenue v : venues) {
      VenueSimulator.Builder sb = VenueSimulator.builder(v).instruments(INSTRUMENTS)
          .latency(Duration.ofMillis(5)).jitter(Duration.ofMillis(2)).seed(7);
      if (streamEvery != null) {
        sb.websocket(true).streamInterval(streamEvery);
      }
      VenueSimulator sim = sb.build();
      String url = sim.start();
      var preset = preset(v).baseUrl(url);
      if (streamEvery != null) {
        preset.streamUrl(sim.websocketUrl());
      }
      MarketSource source = preset.build();
      sims.put(source.venue(), sim);
      limits.put(source.venue(), source.rateLimit());
      b.venue(source, VenueOptions.custom().depth(10).stream(streamEvery != null).build());
    }
    scanner = b.build().start();
    server = configure.apply(this, ScanServer.builder(scanner).port(0).tap(tap).limits(limits)
        .priority(List.of("BTC", "ETH"))).build().start();
  }

  /** A one-off scanner over a fresh simulator of each venue, closed with this fixture. */
  OneOffScanner oneOffSims(Map<String, SimulatedVenue> venues) {
    return OneOffScanner.of(name -> {
      VenueSimulator sim = VenueSimulator.builder(venues.get(name)).instruments(INSTRUMENTS)
          .latency(Duration.ofMillis(5)).seed(7).build();
      synchronized (oneOffSims) {
        oneOffSims.add(sim);
      }
      return preset(venues.get(name)).baseUrl(sim.start()).build();
    });
  }

  String url() {
    return server.url();
  }

  /** The preset that speaks a simulated venue's wire format (the simulator knows no client). */
  static VenueBuilder preset(SimulatedVenue v) {
    return switch (v) {
      case BINANCE_SPOT -> Venues.binance();
      case OKX -> Venues.okx();
      case BYBIT -> Venues.bybit();
      case KRAKEN -> Venues.kraken();
      default -> throw new IllegalArgumentException("no preset mapped for " + v);
    };
  }

  @Override
  public void close() {
    server.close();
    scanner.close();
    for (VenueSimulator s : sims.values()) {
      s.close();
    }
    synchronized (oneOffSims) {
      for (VenueSimulator s : oneOffSims) {
        s.close();
      }
    }
  }
}
