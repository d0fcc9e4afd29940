/** The {@code scanflux} command-line app: options, live terminal view, reports. */
@NullMarked
package dev.scanflux.examples.app;

import org.jspecify.annotations.NullMarked;
