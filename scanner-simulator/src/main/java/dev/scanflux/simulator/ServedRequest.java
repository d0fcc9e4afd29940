package dev.scanflux.simulator;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One request the simulator served, as recorded in its {@linkplain VenueSimulator#requestLog()
 * request log}.
 *
 * @param time     when the request arrived, on the simulator's clock
 * @param method   the HTTP method
 * @param path     the path, e.g. {@code /api/v3/depth}
 * @param query    the raw query string, empty if none
 * @param symbol   the venue symbol the request was about, or null (discovery, bulk tickers)
 * @param weight   the weight the venue counts for it
 * @param status   the HTTP status answered; 0 for a hang or a reset connection
 * @param inFlight requests in flight when it arrived, itself included
 * @param fault    the fault injected, or null
 */
public record ServedRequest(Instant time, String method, String path, String query,
    @Nullable String symbol, int weight, int status, int inFlight, @Nullable Fault fault) {}
