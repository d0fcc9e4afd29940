/**
 * Strategies and their tests: a {@link dev.scanflux.core.strategy.Strategy} turns the stream of
 * scans into a stream of {@link dev.scanflux.core.strategy.Signal}s, and the {@link
 * dev.scanflux.core.strategy.StrategyTester} kit checks one against recorded data in virtual
 * time.
 *
 * <p>{@code StrategyTester} needs {@code io.projectreactor:reactor-test} on the class path, an
 * optional dependency of scanner-core; the other types do not.
 */
@NullMarked
package dev.scanflux.core.strategy;

import org.jspecify.annotations.NullMarked;
