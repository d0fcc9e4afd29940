package dev.scanflux.exchanges.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.exchanges.VenueBuilder;
import dev.scanflux.exchanges.Venues;
import org.junit.jupiter.api.Test;

/**
 * {@link Venues#okxSwap()} on OKX's real answers: the 2022 swap list and the 2025 one (today's
 * field set). No swap book or ticker was recorded: OKX serves every instrument type's books and
 * tickers in one shape, so the spot book fixture and the channel's ticker stand in (see
 * {@link OkxWireTest}).
 */
class OkxSwapWireTest extends WireConformance {

  private static final Instrument BTC = Instrument.perpetual("BTC", "USDT");
  private static final Instrument ETH = Instrument.perpetual("ETH", "USDT");

  @Override
  VenueBuilder preset() {
    return Venues.okxSwap();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v5/public/instruments", "instType=SWAP", "okx-swap/instruments-SWAP.json")
        .get("/api/v5/market/books", "instId=BTC-USDT-SWAP", "okx/books-fixture.json")
        .getJson("/api/v5/market/ticker", "instId=BTC-USDT-SWAP",
            OkxWireTest.restTicker("SWAP", "BTC-USDT-SWAP"))
        .getJson("/api/v5/market/tickers", "instType=SWAP",
            OkxWireTest.restTicker("SWAP", "BTC-USDT-SWAP"));
  }

  @Test
  void instrumentsKeepLiveLinearSwaps() {
    assertThat(fetchInstruments()).hasSize(126).contains(BTC, ETH)
        .allMatch(i -> i.kind() == Instrument.Kind.PERPETUAL);
  }

  @Test
  void booksAreInContractsOfCtVal() {
    fetchInstruments();
    var book = fetchBook(BTC, 20);
    assertBook(book, BTC, 41006.7, 0.487921 * 0.01, 41006.8, 0.60038921 * 0.01, 3, 3);
    assertThat(book.contractSize()).isEqualTo(0.01);
    assertThat(book.bidContracts(0)).isEqualTo(0.487921);
  }

  @Test
  void ticker() {
    assertTicker(fetchTicker(BTC), BTC, 30228.6, 30228.7, 30236.0);
  }

  @Test
  void tickers() {
    fetchInstruments();
    assertThat(fetchTickers()).singleElement()
        .satisfies(t -> assertTicker(t, BTC, 30228.6, 30228.7, 30236.0));
  }
}

/** {@link Venues#okxSwap()}'s discovery on OKX's 2025 swap list (current field set). */
class OkxSwap2025WireTest extends WireConformance {

  @Override
  VenueBuilder preset() {
    return Venues.okxSwap();
  }

  @Override
  void routes(WireSampleServer s) {
    s.get("/api/v5/public/instruments", "instType=SWAP", "okx-swap/instruments-SWAP-2025.json");
  }

  @Test
  void instrumentsKeepLinearSwapsOnly() {
    assertThat(fetchInstruments()).containsExactlyInAnyOrder(Instrument.perpetual("BTC", "USDT"),
        Instrument.perpetual("ETH", "USDT"));
  }
}
