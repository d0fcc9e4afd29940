package dev.scanflux.exchanges.internal;

import dev.scanflux.core.spi.RateLimitSpec;
import java.time.Duration;
import reactor.core.scheduler.Scheduler;

/**
 * What a user chose for one venue source.
 *
 * @param venue       the venue's name in reports
 * @param baseUrl     the REST base URL, e.g. {@code https://api.binance.com}
 * @param rateLimit   the rate limit the source declares
 * @param concurrency requests in flight the source declares, and its thread count if blocking
 * @param httpTimeout connect and read timeout of one HTTP call
 * @param clock       the clock for receive times
 * @param streamUrl   the push stream's URL, e.g. {@code wss://ws.okx.com:8443/ws/v5/public};
 *                    empty for a venue without a stream
 */
public record SourceSettings(String venue, String baseUrl, RateLimitSpec rateLimit,
    int concurrency, Duration httpTimeout, Scheduler clock, String streamUrl) {}
