package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.Instrument;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A venue's symbols and Scanflux's instruments, both ways, as learnt at discovery. Thread-safe:
 * discovery writes while requests read.
 */
public final class SymbolTable {

  private final Map<Instrument, String> symbols = new ConcurrentHashMap<>();
  private final Map<String, Instrument> instruments = new ConcurrentHashMap<>();

  /**
   * Learns one listed symbol.
   *
   * @param symbol     the venue's symbol, e.g. {@code BTCUSDT}
   * @param instrument builds the instrument from the listing's codes
   * @return the instrument, or null (nothing learnt) when the codes are outside Scanflux's symbol
   *     language, such as Hyperliquid's {@code @107} spot names
   */
  public @Nullable Instrument learn(String symbol, Supplier<Instrument> instrument) {
    try {
      Instrument i = instrument.get();
      symbols.put(i, symbol);
      instruments.put(symbol, i);
      return i;
    } catch (IllegalArgumentException notOurSymbolLanguage) {
      return null;
    }
  }

  /** The venue's symbol of an instrument; {@code fallback} before discovery has seen it. */
  public String symbol(Instrument instrument, String fallback) {
    return symbols.getOrDefault(instrument, fallback);
  }

  /** True until discovery has learnt a symbol. */
  public boolean isEmpty() {
    return instruments.isEmpty();
  }

  /** The instrument of a venue symbol, if discovery has seen it. */
  public @Nullable Instrument instrument(String symbol) {
    return instruments.get(symbol);
  }

  /**
   * Learns a spot listing given as symbol, base and quote codes (aliases mapped to ours); null,
   * and nothing learnt, if any of the three is empty.
   */
  public @Nullable Instrument learnSpot(String symbol, String base, String quote) {
    if (symbol.isEmpty() || base.isEmpty() || quote.isEmpty()) {
      return null;
    }
    return learn(symbol, () -> Instrument.spot(Aliases.canonical(base), Aliases.canonical(quote)));
  }
}
