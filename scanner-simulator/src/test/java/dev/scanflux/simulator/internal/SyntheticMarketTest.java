package dev.scanflux.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One market for every venue: markets of one seed for different venues list each coin at the
 * same price and keep it within a few basis points of each other however long they run, while
 * the price itself moves.
 */
class SyntheticMarketTest {

  @Test
  void venuesOfOneSeedQuoteEachCoinNearOnePriceAsItMoves() {
    AtomicLong millis = new AtomicLong();
    SyntheticMarket okx = new SyntheticMarket(42, 30, "USDT", false, false, "OKX", millis::get);
    SyntheticMarket bybit = new SyntheticMarket(42, 30, "USDT", true, true, "BYBIT_LINEAR",
        millis::get);
    List<SimInstrument> a = okx.instruments();
    List<SimInstrument> b = bybit.instruments();
    double btcAtStart = a.get(0).mid();
    double widest = 0;
    double btcMoved = 0;
    for (int step = 0; step < 20_000; step++) {
      millis.addAndGet(50);
      for (int i = 0; i < a.size(); i++) {
        a.get(i).book(1, false);
        b.get(i).book(1, false);
        double perCoin = b.get(i).mid() / (b.get(i).base().startsWith("1000") ? 1000 : 1);
        widest = Math.max(widest, Math.abs(a.get(i).mid() / perCoin - 1));
      }
      btcMoved = Math.max(btcMoved, Math.abs(a.get(0).mid() / btcAtStart - 1));
    }
    // 1000PEPE on the linear venue is a thousand PEPE: compared per coin.
    assertThat(b.get(27).base()).isEqualTo("1000PEPE");
    assertThat(a.get(27).base()).isEqualTo("PEPE");
    assertThat(widest).as("widest gap between the venues").isLessThan(0.005);
    assertThat(btcMoved).as("BTC's move over 1,000 s").isGreaterThan(0.002);
  }
}
