/** The scan engine's implementation. Not API: do not import from outside Scanflux. */
@NullMarked
package dev.scanflux.core.internal;

import org.jspecify.annotations.NullMarked;
