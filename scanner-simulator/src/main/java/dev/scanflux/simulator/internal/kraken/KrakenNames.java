package dev.scanflux.simulator.internal.kraken;

import java.util.Map;

/**
 * Kraken's own names of assets, as its public API writes them (AssetPairs, Ticker, the
 * WebSocket's {@code XBT/USD} pairs): the legacy four-letter asset keys ({@code XXBT},
 * {@code ZUSD}) of the assets listed before Kraken stopped prefixing, and the alternative names
 * {@code XBT} and {@code XDG}. Kept here, from Kraken's wire format, rather than taken from the
 * client: the simulator is an independent oracle.
 */
final class KrakenNames {

  /** Legacy asset keys: {@code X} for crypto, {@code Z} for fiat. */
  private static final Map<String, String> ASSETS = Map.ofEntries(
      Map.entry("BTC", "XXBT"), Map.entry("ETH", "XETH"), Map.entry("LTC", "XLTC"),
      Map.entry("XRP", "XXRP"), Map.entry("XLM", "XXLM"), Map.entry("XMR", "XXMR"),
      Map.entry("ZEC", "XZEC"), Map.entry("ETC", "XETC"), Map.entry("MLN", "XMLN"),
      Map.entry("REP", "XREP"), Map.entry("DOGE", "XXDG"), Map.entry("USD", "ZUSD"),
      Map.entry("EUR", "ZEUR"), Map.entry("GBP", "ZGBP"), Map.entry("JPY", "ZJPY"),
      Map.entry("CAD", "ZCAD"), Map.entry("AUD", "ZAUD"));

  /** Alternative names where they differ from the common code. */
  private static final Map<String, String> ALT_NAMES = Map.of("BTC", "XBT", "DOGE", "XDG");

  private KrakenNames() {}

  /** Kraken's asset key of a common code: {@code XXBT} for {@code BTC}, else the code. */
  static String asset(String code) {
    return ASSETS.getOrDefault(code, code);
  }

  /** Whether Kraken keys the asset with a legacy prefixed key. */
  static boolean legacy(String code) {
    return ASSETS.containsKey(code);
  }

  /** Kraken's alternative name of a common code: {@code XBT} for {@code BTC}, else the code. */
  static String altName(String code) {
    return ALT_NAMES.getOrDefault(code, code);
  }
}
