/**
 * Example strategies, each a {@link dev.scanflux.core.strategy.Strategy} of {@link
 * dev.scanflux.core.strategy.Signal}s with a replay-based test next to it.
 */
@NullMarked
package dev.scanflux.examples.strategies;

import org.jspecify.annotations.NullMarked;
