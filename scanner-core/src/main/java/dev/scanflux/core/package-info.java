/**
 * Scanflux's public API: build a {@link dev.scanflux.core.Scanner}, read its hot outputs.
 *
 * <p>Types in {@code dev.scanflux.core.internal} are implementation details and may change in
 * any release; do not import them.
 */
@NullMarked
package dev.scanflux.core;

import org.jspecify.annotations.NullMarked;
