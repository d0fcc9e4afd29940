package dev.scanflux.server.internal;

import dev.scanflux.core.Scanner;
import dev.scanflux.core.alert.Alerts;
import dev.scanflux.core.spi.RateLimitSpec;
import dev.scanflux.core.strategy.Signal;
import dev.scanflux.core.strategy.Strategy;
import dev.scanflux.server.OneOffScanner;
import dev.scanflux.server.Thresholds;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Everything a server was built with, checked by the builder.
 *
 * @param scanner       the running scanner served
 * @param activity      what its listener saw, or null without a tap
 * @param registry      where the server's and the tap's meters are
 * @param limits        each venue's rate limit, for the "of limit" figures
 * @param priority      bases whose books the dashboard shows first
 * @param oneOffVenues  venues a one-off scan can reach
 * @param oneOff        the one-off scanner, or null
 * @param maxOneOff     one-off scans at once
 * @param oneOffTimeout how long a one-off scan may take
 * @param thresholds    the declared thresholds by name
 * @param signals       the strategy for a request's thresholds, or null
 * @param alerts        the alerts to serve, or null
 * @param maxBodyBytes  the largest request body accepted
 * @param staleAfter    a book older than this is stale
 * @param token         the bearer token, or null when none is needed
 */
public record Settings(Scanner scanner, @Nullable Activity activity,
    PrometheusMeterRegistry registry, Map<String, RateLimitSpec> limits, List<String> priority,
    Set<String> oneOffVenues, @Nullable OneOffScanner oneOff, int maxOneOff,
    Duration oneOffTimeout, Map<String, ThresholdSpec> thresholds,
    @Nullable Function<Thresholds, Strategy<Signal>> signals,
    @Nullable Alerts alerts, int maxBodyBytes, Duration staleAfter,
    @Nullable String token) {}
