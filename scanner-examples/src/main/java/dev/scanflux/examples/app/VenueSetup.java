package dev.scanflux.examples.app;

import dev.scanflux.core.spi.MarketSource;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.sim.VenueSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One {@code --venue NAME[=BASE_URL]}: a source at the given URL, at the real exchange with
 * {@code --live}, or otherwise on an embedded simulator of that venue's wire format, with
 * realistic latency (60 ± 20 ms) and the venue's real rate limit.
 */
record VenueSetup(String name, MarketSource source, String where) {

  static final Duration LATENCY = Duration.ofMillis(60);
  static final Duration JITTER = Duration.ofMillis(20);

  /**
   * @param resources where simulators to close at the end are added
   */
  static VenueSetup resolve(String spec, boolean live, int simInstruments, long seed,
      List<AutoCloseable> resources) {
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
      return new VenueSetup(name, preset.baseUrl(url).build(), url);
    }
    if (live) {
      return new VenueSetup(name, preset.build(), "the live exchange");
    }
    VenueSimulator sim = VenueSimulator.builder(entry.simulated())
        .latency(LATENCY).jitter(JITTER).instruments(simInstruments)
        .seed(seed).build(); // one market: the venues quote the same prices, give or take
    resources.add(sim);
    String url = sim.start();
    return new VenueSetup(name, preset.baseUrl(url).build(),
        "simulated at " + url + " (" + simInstruments + " instruments, its real rate limit, "
            + LATENCY.toMillis() + " ± " + JITTER.toMillis() + " ms)");
  }
}
