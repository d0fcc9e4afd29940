/**
 * One venue's wire format as the simulator serves it, written from the venue's documentation and
 * its real answers, never from Scanflux's client code. Not part of the API; do not import.
 */
@NullMarked
package dev.scanflux.simulator.internal.bingx;

import org.jspecify.annotations.NullMarked;
