package dev.scanflux.core;

import dev.scanflux.core.model.Instrument;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which discovered instruments a venue scans: quote currencies, instrument kinds, a blacklist,
 * test and leveraged tokens, and a minimum 24 h quote volume.
 *
 * <p>Applied when a venue's instruments are discovered (a fixed instrument list is scanned as
 * given). Defaults ({@link #ofDefaults()}): every quote and kind, no blacklist, test and
 * leveraged tokens excluded, no minimum volume.
 *
 * <ul>
 *   <li><b>Test tokens</b>: a base containing {@code TEST}.
 *   <li><b>Leveraged tokens</b>: a base that is another base of the same venue followed by
 *       {@code UP}, {@code DOWN}, {@code BULL}, {@code BEAR} or a leverage such as {@code 3L},
 *       {@code 5S} ({@code BTCUP}, {@code ETH3L} when {@code BTC} and {@code ETH} are listed), so
 *       that {@code JUP} or {@code SETUP} stay in unless {@code J} or {@code SET} are listed too.
 *   <li><b>Blacklist</b>: bases ({@code LUNA}) or symbols ({@code BTC/TRY}, {@code
 *       ETH/USDT:perp}), case-insensitive.
 *   <li><b>Minimum volume</b>: needs the venue's 24 h quote volume, read from its bulk tickers
 *       at discovery; instruments whose volume the venue does not report are kept, and a venue
 *       without bulk tickers is not filtered by volume (the scanner logs both).
 * </ul>
 *
 * <p>Immutable; build with {@link #custom()}.
 */
public final class UniverseFilter {

  private static final Pattern LEVERAGED =
      Pattern.compile("(.+?)(UP|DOWN|BULL|BEAR|[0-9]+[LS])");
  private static final UniverseFilter DEFAULTS = custom().build();
  private static final UniverseFilter NONE = custom().excludeLeveragedAndTest(false).build();

  private final Set<String> quotes;
  private final Set<Instrument.Kind> kinds;
  private final Set<String> blacklist;
  private final boolean excludeLeveragedAndTest;
  private final double minQuoteVolume24h;

  private UniverseFilter(Builder b) {
    this.quotes = Set.copyOf(b.quotes);
    this.kinds = Set.copyOf(b.kinds);
    this.blacklist = Set.copyOf(b.blacklist);
    this.excludeLeveragedAndTest = b.excludeLeveragedAndTest;
    if (!(b.minQuoteVolume24h >= 0) || Double.isInfinite(b.minQuoteVolume24h)) {
      throw new IllegalArgumentException(
          "minQuoteVolume24h must be finite and at least 0 but was " + b.minQuoteVolume24h);
    }
    this.minQuoteVolume24h = b.minQuoteVolume24h;
  }

  /** Every quote and kind, no blacklist, test and leveraged tokens excluded, no minimum volume. */
  public static UniverseFilter ofDefaults() {
    return DEFAULTS;
  }

  /** Keeps everything. */
  public static UniverseFilter none() {
    return NONE;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /**
   * The instruments of one venue's discovery that pass every rule but the volume rule, in their
   * order.
   */
  public List<Instrument> apply(Collection<Instrument> discovered) {
    Set<String> bases = new HashSet<>();
    for (Instrument i : discovered) {
      bases.add(i.base());
    }
    List<Instrument> kept = new ArrayList<>(discovered.size());
    for (Instrument i : discovered) {
      if (accepts(i, bases)) {
        kept.add(i);
      }
    }
    return kept;
  }

  /** The minimum 24 h quote volume, 0 for none. */
  public double minQuoteVolume24h() {
    return minQuoteVolume24h;
  }

  /** Whether an instrument with this 24 h quote volume (NaN: not reported) passes. */
  public boolean acceptsVolume(double quoteVolume24h) {
    return Double.isNaN(quoteVolume24h) || quoteVolume24h >= minQuoteVolume24h;
  }

  private boolean accepts(Instrument i, Set<String> bases) {
    if (!quotes.isEmpty() && !quotes.contains(i.quote())) {
      return false;
    }
    if (!kinds.isEmpty() && !kinds.contains(i.kind())) {
      return false;
    }
    if (blacklist.contains(i.base()) || blacklist.contains(i.toString())) {
      return false;
    }
    return !excludeLeveragedAndTest || !(i.base().contains("TEST") || leveraged(i.base(), bases));
  }

  private static boolean leveraged(String base, Set<String> bases) {
    Matcher m = LEVERAGED.matcher(base);
    return m.matches() && bases.contains(m.group(1));
  }

  @Override
  public String toString() {
    return "UniverseFilter{quotes " + (quotes.isEmpty() ? "any" : quotes) + ", kinds "
        + (kinds.isEmpty() ? "any" : kinds) + ", blacklist " + blacklist
        + ", excludeLeveragedAndTest " + excludeLeveragedAndTest + ", minQuoteVolume24h "
        + minQuoteVolume24h + '}';
  }

  /** Builds a {@link UniverseFilter}. Not thread-safe. */
  public static final class Builder {
    private final Set<String> quotes = new HashSet<>();
    private final Set<Instrument.Kind> kinds = EnumSet.noneOf(Instrument.Kind.class);
    private final Set<String> blacklist = new HashSet<>();
    private boolean excludeLeveragedAndTest = true;
    private double minQuoteVolume24h;

    private Builder() {}

    /** Only these quote currencies, e.g. {@code USDT, USDC} (default: any). */
    public Builder quotes(String... quotes) {
      for (String q : quotes) {
        this.quotes.add(code(q, "quote"));
      }
      return this;
    }

    /** Only these kinds (default: any). */
    public Builder kinds(Instrument.Kind... kinds) {
      for (Instrument.Kind k : kinds) {
        this.kinds.add(Objects.requireNonNull(k, "kind"));
      }
      return this;
    }

    /** Never these bases ({@code LUNA}) or symbols ({@code BTC/TRY}, {@code ETH/USDT:perp}). */
    public Builder exclude(String... basesOrSymbols) {
      for (String s : basesOrSymbols) {
        String entry = Objects.requireNonNull(s, "exclude").strip();
        blacklist.add(entry.contains("/") ? Instrument.parse(entry).toString()
            : code(entry, "exclude"));
      }
      return this;
    }

    /** Whether test and leveraged tokens are excluded (default true). */
    public Builder excludeLeveragedAndTest(boolean exclude) {
      this.excludeLeveragedAndTest = exclude;
      return this;
    }

    /** The minimum 24 h volume in quote units, e.g. 1,000,000 (default 0: none). */
    public Builder minQuoteVolume24h(double volume) {
      this.minQuoteVolume24h = volume;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming a bad argument
     */
    public UniverseFilter build() {
      return new UniverseFilter(this);
    }

    private static String code(String value, String name) {
      return Instrument.spot(Objects.requireNonNull(value, name), "X").base()
          .toUpperCase(Locale.ROOT);
    }
  }
}
