/**
 * The recording format's implementation: line splitting, JSON encoding, pacing and scan windows.
 * Not API: do not import from outside Scanflux.
 */
@NullMarked
package dev.scanflux.core.replay.internal;

import org.jspecify.annotations.NullMarked;
