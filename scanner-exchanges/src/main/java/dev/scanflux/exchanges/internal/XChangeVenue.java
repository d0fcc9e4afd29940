package dev.scanflux.exchanges.internal;

import dev.scanflux.core.model.Instrument;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;
import org.knowm.xchange.Exchange;
import org.knowm.xchange.ExchangeSpecification;
import org.knowm.xchange.currency.CurrencyPair;
import org.knowm.xchange.derivative.FuturesContract;
import org.knowm.xchange.service.marketdata.params.Params;

/**
 * How one venue is served through XChange: its {@code Exchange} class, which market-data
 * overload it implements, its symbol mapping and its book arguments.
 *
 * @param exchangeClass  the XChange exchange
 * @param configure      last touches to the specification (exchange type, extra URIs)
 * @param kind           the kind of instrument the source serves; others are not discovered
 * @param overload       which {@code MarketDataService} overload to call
 * @param perpPrompt     the {@code FuturesContract} prompt of a perpetual, e.g. {@code PERP}
 * @param bookArgs       from the requested depth to the venue's {@code getOrderBook} arguments
 * @param bulkTickers    the {@code getTickers} parameters, or null when there is no bulk call
 * @param bookTimestamps whether the venue's order books carry its own timestamp
 */
public record XChangeVenue(Class<? extends Exchange> exchangeClass,
    Consumer<ExchangeSpecification> configure, Instrument.Kind kind, Overload overload,
    String perpPrompt, IntFunction<Object[]> bookArgs, @Nullable Params bulkTickers,
    boolean bookTimestamps) {

  /** Which {@code MarketDataService} overload a venue implements. */
  public enum Overload {
    /** {@code getTicker(Instrument)} and {@code getOrderBook(Instrument)}. */
    INSTRUMENT,
    /** {@code getTicker(CurrencyPair)} and {@code getOrderBook(CurrencyPair)}. */
    CURRENCY_PAIR,
    /** The {@code Instrument} overload, then the {@code CurrencyPair} one if not implemented. */
    AUTO
  }

  /** The XChange instrument for ours. */
  public org.knowm.xchange.instrument.Instrument toXChange(Instrument instrument) {
    CurrencyPair pair = new CurrencyPair(instrument.base(), instrument.quote());
    return instrument.isSpot() ? pair : new FuturesContract(pair, perpPrompt);
  }

  /**
   * Ours for an XChange instrument, or null when it has no equivalent; currency aliases the
   * XChange module left in place ({@code XBT}, {@code XDG}) become our codes through
   * {@link Aliases}.
   */
  public static @Nullable Instrument fromXChange(
      org.knowm.xchange.instrument.@Nullable Instrument instrument) {
    try {
      if (instrument instanceof CurrencyPair pair) {
        return Instrument.spot(Aliases.canonical(pair.getBase().getCurrencyCode()),
            Aliases.canonical(pair.getCounter().getCurrencyCode()));
      }
      if (instrument instanceof FuturesContract f && f.isPerpetual()) {
        CurrencyPair pair = f.getCurrencyPair();
        return Instrument.perpetual(Aliases.canonical(pair.getBase().getCurrencyCode()),
            Aliases.canonical(pair.getCounter().getCurrencyCode()));
      }
    } catch (IllegalArgumentException codeWeCannotName) {
      // Codes such as "USDT.E" are outside Scanflux's symbol language: not an instrument of ours.
      return null;
    }
    return null;
  }
}
