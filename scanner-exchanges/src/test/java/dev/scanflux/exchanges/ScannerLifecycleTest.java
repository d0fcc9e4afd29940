package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.StreamTransition;
import dev.scanflux.core.VenueOptions;
import dev.scanflux.exchanges.internal.Threads;
import dev.scanflux.simulator.SimulatedVenue;
import dev.scanflux.simulator.VenueSimulator;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nothing leaks on close: a scanner with every natively streamed venue (the preset's REST source
 * and its WebSocket stream, against the simulator on loopback) is started and closed 50 times;
 * live threads and open file descriptors come back to where they were after the first cycle.
 * Every other cycle waits until every stream is connected before closing; the others close at
 * once, while discovery requests and WebSocket connections are still opening. Kraken is in:
 * its stream is native since issue 16 (XChange's netty leaked 17 threads over 50 cycles).
 */
class ScannerLifecycleTest {

  private static final Logger LOG = LoggerFactory.getLogger(ScannerLifecycleTest.class);
  private static final int CYCLES = 50;
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  /*
   * Allowance for what moves on its own: the JVM's and libraries' shared threads (the JDK's
   * Keep-Alive-Timer), the simulators' side of connections the clients closed, which they close
   * a moment later, and the idle connections of XChange's HttpURLConnection (Binance and OKX
   * spot REST), kept up to 5 per address for 5 s by the JDK (seen: -7 to +10 descriptors). A leak
   * of one thread or socket per cycle would show as 50.
   */
  private static final int THREAD_SLACK = 5;
  private static final int FD_SLACK = 24;

  private final List<VenueSimulator> sims = new ArrayList<>();

  static List<SimulatedVenue> streamed() {
    return Arrays.stream(SimulatedVenue.values())
        .filter(v -> v.hasWebsocket() && SimulatedPresets.of(v).hasStream())
        .toList();
  }

  @AfterEach
  void stopSimulators() {
    sims.forEach(VenueSimulator::close);
  }

  @Test
  void startingAndClosingAScannerFiftyTimesLeavesNoThreadOrDescriptorBehind() {
    List<SimulatedVenue> venues = streamed();
    assertThat(venues).hasSizeGreaterThanOrEqualTo(5);
    for (SimulatedVenue v : venues) {
      VenueSimulator sim = VenueSimulator.builder(v).instruments(3).websocket(true)
          .streamInterval(Duration.ofMillis(50)).build();
      sim.start();
      sims.add(sim);
    }

    cycle(venues, true); // warms up what the JVM and the libraries start once, shared
    Threads.await(() -> scanfluxThreads().isEmpty(), PATIENCE,
        () -> "after the first cycle: " + scanfluxThreads());
    int threads = Thread.activeCount();
    int fds = openFds();
    LOG.info("after the warm-up cycle: {} threads, {} descriptors", threads, fds);
    LOG.debug("descriptors: {}", fdTargets());

    for (int i = 1; i <= CYCLES; i++) {
      cycle(venues, i % 2 == 0);
    }

    Threads.await(() -> scanfluxThreads().isEmpty(), PATIENCE,
        () -> "threads of closed sources: " + scanfluxThreads());
    Threads.await(() -> Thread.activeCount() <= threads + THREAD_SLACK
            && openFds() <= fds + FD_SLACK, PATIENCE,
        () -> "threads " + threads + " -> " + Thread.activeCount() + ", descriptors " + fds
            + " -> " + openFds() + "; threads now: " + threadNames() + "; descriptors now: "
            + fdTargets());
    LOG.info("after {} more cycles: {} threads, {} descriptors", CYCLES,
        Thread.activeCount(), openFds());
    LOG.debug("descriptors: {}", fdTargets());
  }

  private void cycle(List<SimulatedVenue> venues, boolean awaitConnected) {
    TransitionLog transitions = new TransitionLog();
    Scanner.Builder builder = Scanner.builder().interval(Duration.ofMillis(200))
        .listener(transitions);
    for (int k = 0; k < venues.size(); k++) {
      VenueSimulator sim = sims.get(k);
      builder.venue(SimulatedPresets.of(venues.get(k)).baseUrl(sim.baseUrl())
              .streamUrl(sim.websocketUrl()).build(),
          VenueOptions.custom().stream(true).build());
    }
    try (Scanner scanner = builder.build()) {
      scanner.start();
      if (awaitConnected) {
        Threads.await(() -> transitions.stream()
                .filter(t -> t.type() == StreamTransition.Type.CONNECTED)
                .map(StreamTransition::venue).collect(Collectors.toSet()).size()
                == venues.size(), PATIENCE,
            () -> "every stream connected: " + transitions);
      }
    }
  }

  /* The threads the sources and their transports start (not the simulators'). */
  private static List<String> scanfluxThreads() {
    return Threads.named("scanflux-").stream().filter(n -> !n.startsWith("scanflux-sim-"))
        .toList();
  }

  private static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /* What each open descriptor is: a socket, a pipe, a jar... */
  private static Map<String, Long> fdTargets() {
    File[] open = new File("/proc/self/fd").listFiles();
    if (open == null) {
      return Map.of();
    }
    return Arrays.stream(open).map(f -> {
      try {
        String target = Files.readSymbolicLink(f.toPath()).toString();
        return target.startsWith("socket:") ? "socket" : target;
      } catch (IOException gone) {
        return "(closed)";
      }
    }).collect(Collectors.groupingBy(t -> t, java.util.TreeMap::new, Collectors.counting()));
  }

  private static int openFds() {
    String[] open = new File("/proc/self/fd").list();
    return open == null ? -1 : open.length;
  }
}
