package dev.scanflux.exchanges.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of venue currency aliases: venue codes to Scanflux's codes ({@code XBT} and
 * Kraken's {@code XXBT} are {@code BTC}, {@code ZUSD} is {@code USD}, {@code XDG} is
 * {@code DOGE}), and back to the venue's codes where a venue needs them (Kraken's asset keys and
 * alternative names). Every source and the simulator map aliases through this class only.
 *
 * <p>The aliases are codes no venue uses for another asset; anything not in the table is its own
 * Scanflux code (upper-cased). Stateless and thread-safe.
 */
public final class Aliases {

  /**
   * Kraken's legacy asset keys: {@code X} for crypto, {@code Z} for fiat, four letters, listed
   * before Kraken stopped prefixing new assets.
   */
  private static final Map<String, String> KRAKEN_ASSETS = Map.ofEntries(
      Map.entry("BTC", "XXBT"), Map.entry("ETH", "XETH"), Map.entry("LTC", "XLTC"),
      Map.entry("XRP", "XXRP"), Map.entry("XLM", "XXLM"), Map.entry("XMR", "XXMR"),
      Map.entry("ZEC", "XZEC"), Map.entry("ETC", "XETC"), Map.entry("MLN", "XMLN"),
      Map.entry("REP", "XREP"), Map.entry("DOGE", "XXDG"), Map.entry("USD", "ZUSD"),
      Map.entry("EUR", "ZEUR"), Map.entry("GBP", "ZGBP"), Map.entry("JPY", "ZJPY"),
      Map.entry("CAD", "ZCAD"), Map.entry("AUD", "ZAUD"));

  /** Kraken's alternative names, where they differ from ours: {@code XBT}, {@code XDG}. */
  private static final Map<String, String> KRAKEN_ALT_NAMES = Map.of("BTC", "XBT", "DOGE", "XDG");

  /** KuCoin futures' names, where they differ from ours: {@code XBT} ({@code XBTUSDTM}). */
  private static final Map<String, String> KUCOIN_FUTURES = Map.of("BTC", "XBT");

  /** Venue code to ours. */
  private static final Map<String, String> CANONICAL = canonical();

  private Aliases() {}

  private static Map<String, String> canonical() {
    Map<String, String> m = new HashMap<>();
    KRAKEN_ASSETS.forEach((ours, venue) -> m.put(venue, ours));
    KRAKEN_ALT_NAMES.forEach((ours, venue) -> m.put(venue, ours));
    KUCOIN_FUTURES.forEach((ours, venue) -> m.put(venue, ours));
    return Map.copyOf(m);
  }

  /**
   * Scanflux's code of a venue's currency code, e.g. {@code BTC} for {@code XBT} or
   * {@code XXBT}, {@code USD} for {@code ZUSD}; other codes upper-cased and otherwise unchanged.
   */
  public static String canonical(String venueCode) {
    String code = venueCode.strip().toUpperCase(Locale.ROOT);
    return CANONICAL.getOrDefault(code, code);
  }

  /** Kraken's asset key of one of our codes: {@code XXBT} for {@code BTC}, else the code. */
  public static String krakenAsset(String code) {
    return KRAKEN_ASSETS.getOrDefault(code, code);
  }

  /** Whether Kraken names the asset with a legacy prefixed key ({@code XXBT}, {@code ZUSD}). */
  public static boolean krakenLegacy(String code) {
    return KRAKEN_ASSETS.containsKey(code);
  }

  /** KuCoin futures' code of one of ours: {@code XBT} for {@code BTC}, else the code. */
  public static String kucoinFutures(String code) {
    return KUCOIN_FUTURES.getOrDefault(code, code);
  }

  /** Kraken's alternative name of one of our codes: {@code XBT} for {@code BTC}, else the code. */
  public static String krakenAltName(String code) {
    return KRAKEN_ALT_NAMES.getOrDefault(code, code);
  }
}
