/**
 * Optional Micrometer binding. Only this package needs {@code io.micrometer:micrometer-core} on
 * the classpath; the rest of Scanflux works without it.
 */
@NullMarked
package dev.scanflux.core.metrics;

import org.jspecify.annotations.NullMarked;
