package dev.scanflux.exchanges.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.venue.bybit.internal.BybitSource;
import dev.scanflux.exchanges.venue.bybit.internal.BybitSource.Category;
import dev.scanflux.exchanges.venue.okx.internal.OkxSwapSource;
import org.junit.jupiter.api.Test;
import org.knowm.xchange.currency.CurrencyPair;
import org.knowm.xchange.derivative.FuturesContract;

/** The venue-symbol mapping functions on tricky real names. */
class SymbolMappingTest {

  @Test
  void okxSwapIdsHaveTwoDashes() {
    assertThat(OkxSwapSource.instrument("BTC-USDT-SWAP"))
        .isEqualTo(Instrument.perpetual("BTC", "USDT"));
    assertThat(OkxSwapSource.instrument("ETH-USD-SWAP"))
        .isEqualTo(Instrument.perpetual("ETH", "USD"));
    assertThat(OkxSwapSource.instrument("1000SATS-USDT-SWAP"))
        .isEqualTo(Instrument.perpetual("1000SATS", "USDT"));
    assertThat(OkxSwapSource.instId(Instrument.perpetual("BTC", "USDT")))
        .isEqualTo("BTC-USDT-SWAP");
    assertThat(OkxSwapSource.instId(Instrument.perpetual("ETH", "USD")))
        .isEqualTo("ETH-USD-SWAP");
    for (String id : new String[] {"BTC-USDT-SWAP", "ETH-USD-SWAP", "1000SATS-USDT-SWAP"}) {
      assertThat(OkxSwapSource.instId(OkxSwapSource.instrument(id))).isEqualTo(id);
    }
  }

  @Test
  void okxIdsThatAreNotSwapsAreNotOurs() {
    assertThat(OkxSwapSource.instrument("BTC-USDT")).isNull();
    assertThat(OkxSwapSource.instrument("BTC-USDT-240628")).isNull();
    assertThat(OkxSwapSource.instrument("BTC-USD-240628-60000-C")).isNull();
    assertThat(OkxSwapSource.instrument("BTC--SWAP")).isNull();
    assertThat(OkxSwapSource.instrument("USDT.E-USDT-SWAP")).isNull();
  }

  @Test
  void bybitNumericPrefixesStayPartOfTheBase() {
    Instrument pepe = BybitSource.instrument(Category.LINEAR, "1000PEPE", "USDT");
    assertThat(pepe).isEqualTo(Instrument.parse("1000PEPE/USDT:perp"));
    assertThat(BybitSource.symbol(pepe)).isEqualTo("1000PEPEUSDT");
    Instrument sats = BybitSource.instrument(Category.LINEAR, "1000SATS", "USDT");
    assertThat(sats.base()).isEqualTo("1000SATS");
    assertThat(BybitSource.symbol(sats)).isEqualTo("1000SATSUSDT");
    assertThat(BybitSource.instrument(Category.SPOT, "BTC", "USDT"))
        .isEqualTo(Instrument.spot("BTC", "USDT"));
    assertThat(BybitSource.instrument(Category.LINEAR, "BTC", "USDT"))
        .isEqualTo(Instrument.perpetual("BTC", "USDT"));
  }

  @Test
  void xchangeAliasesBecomeOurCodes() {
    assertThat(XChangeVenue.fromXChange(new CurrencyPair("XBT", "USD")))
        .isEqualTo(Instrument.spot("BTC", "USD"));
    assertThat(XChangeVenue.fromXChange(new CurrencyPair("XXBT", "ZUSD")))
        .isEqualTo(Instrument.spot("BTC", "USD"));
    assertThat(XChangeVenue.fromXChange(new CurrencyPair("XDG", "ZEUR")))
        .isEqualTo(Instrument.spot("DOGE", "EUR"));
    assertThat(XChangeVenue.fromXChange(
        new FuturesContract(new CurrencyPair("XBT", "USDT"), "PERP")))
        .isEqualTo(Instrument.perpetual("BTC", "USDT"));
  }
}
