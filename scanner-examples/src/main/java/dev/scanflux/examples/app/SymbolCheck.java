package dev.scanflux.examples.app;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.spi.MarketSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which of the {@code --symbols} a venue lists, with a warning naming the venue for the rest. */
final class SymbolCheck {

  /** How long a venue may take to list its instruments before the symbols are taken as given. */
  static final Duration LISTING_TIMEOUT = Duration.ofSeconds(30);

  private SymbolCheck() {}

  /**
   * The wanted instruments the venue lists, in the order given. Adds one warning naming
   * the venue and the symbols it does not list; if the venue cannot say what it lists, warns and
   * keeps them all (the scan then reports what fails).
   */
  static List<Instrument> listed(String venue, MarketSource source, List<Instrument> wanted,
      List<String> warnings) {
    List<Instrument> all;
    try {
      all = source.instruments().block(LISTING_TIMEOUT);
    } catch (RuntimeException e) {
      warnings.add(venue + " did not say which instruments it lists ("
          + ScanfluxApp.failure(e) + "); scanning " + names(wanted) + " there anyway");
      return wanted;
    }
    Set<Instrument> known = new HashSet<>(all == null ? List.of() : all);
    List<Instrument> present = new ArrayList<>();
    List<Instrument> missing = new ArrayList<>();
    for (Instrument i : wanted) {
      (known.contains(i) ? present : missing).add(i);
    }
    if (!missing.isEmpty()) {
      warnings.add(venue + " does not list " + names(missing)
          + (present.isEmpty() ? "; " + venue + " is left out of the scan"
              : "; scanning " + names(present) + " there"));
    }
    return present;
  }

  private static String names(List<Instrument> instruments) {
    return String.join(", ", instruments.stream().map(Instrument::toString).toList());
  }
}
