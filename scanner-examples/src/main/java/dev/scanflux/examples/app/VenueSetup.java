package dev.scanflux.examples.app;

import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.simulator.VenueSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One {@code --venue NAME[=BASE_URL]}: a source at the given URL, at the real exchange with
 * {@code --live}, or otherwise on an embedded simulator of that venue's wire format, with
 * realistic latency (60 ± 20 ms) and the venue's real rate limit. With streams on, a venue whose
 * preset has a push stream gets it: the simulator's WebSocket side, the exchange's own, or the
 * {@code --stream-url} given beside a base URL. A venue given with a base URL and no stream URL is
 * polled only: its stream would otherwise go to the exchange's production address.
 *
 * @param streamed true if the venue's push stream is to be used
 */
record VenueSetup(String name, MarketSource source, String where, boolean streamed) {

  static final Duration LATENCY = Duration.ofMillis(60);
  static final Duration JITTER = Duration.ofMillis(20);

  /**
   * @param resources where simulators to close at the end are added
   */
  static VenueSetup resolve(String spec, boolean live, int simInstruments, long seed,
      boolean stream, Map<String, String> streamUrls, List<AutoCloseable> resources) {
    int eq = spec.indexOf('=');
    String name = (eq < 0 ? spec : spec.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
    VenueCatalog.Entry entry = VenueCatalog.get(name);
    VenueBuilder preset = entry.preset().get();
    if (eq >= 0) {
      String url = spec.substring(eq + 1).strip();
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException(
            "--venue " + spec + ": the base URL must start with http:// or https://");
      }
      String ws = streamUrl(streamUrls, name);
      if (stream && ws != null && preset.hasStream()) {
        preset.streamUrl(ws);
        return new VenueSetup(name, preset.baseUrl(url).build(), url + ", streaming " + ws, true);
      }
      return new VenueSetup(name, preset.baseUrl(url).build(), url, false);
    }
    if (live) {
      boolean streamed = stream && preset.hasStream();
      return new VenueSetup(name, preset.build(), "the live exchange"
          + (streamed ? ", streaming" : ""), streamed);
    }
    boolean simStream = stream && preset.hasStream() && entry.simulated().hasWebsocket();
    VenueSimulator sim = VenueSimulator.builder(entry.simulated())
        .latency(LATENCY).jitter(JITTER).instruments(simInstruments)
        .websocket(simStream)
        .seed(seed).build(); // one market: the venues quote the same prices, give or take
    resources.add(sim);
    String url = sim.start();
    if (simStream) {
      preset.streamUrl(sim.websocketUrl());
    }
    return new VenueSetup(name, preset.baseUrl(url).build(),
        "simulated at " + url + (simStream ? " and " + sim.websocketUrl() : "") + " ("
            + simInstruments + " instruments, its real rate limit, " + LATENCY.toMillis() + " ± "
            + JITTER.toMillis() + " ms)", simStream);
  }

  private static @Nullable String streamUrl(Map<String, String> streamUrls, String name) {
    for (Map.Entry<String, String> e : streamUrls.entrySet()) {
      if (e.getKey().strip().toLowerCase(Locale.ROOT).equals(name)) {
        return e.getValue().strip();
      }
    }
    return null;
  }
}
