/**
 * The embedded venue simulator: a loopback HTTP server per simulated venue that speaks the
 * venue's real wire format over a synthetic market, with the venue's rate limit, latency and
 * faults, and a log of every request it served.
 *
 * <pre>{@code
 * try (VenueSimulator sim = VenueSimulator.builder(SimulatedVenue.BINANCE_SPOT)
 *     .latency(Duration.ofMillis(20)).faultRate(Fault.SERVER_ERROR, 0.01).build()) {
 *   String url = sim.start();                 // http://127.0.0.1:PORT
 *   MarketSource binance = Venues.binance().baseUrl(url).build();
 *   ...
 *   sim.requestLog();                         // what was served, in order
 * }
 * }</pre>
 */
@NullMarked
package dev.scanflux.simulator;

import org.jspecify.annotations.NullMarked;
