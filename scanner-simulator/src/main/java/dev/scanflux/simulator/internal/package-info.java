/**
 * Implementation of the venue simulator: the HTTP server, the synthetic market, the sliding
 * window limiter and one wire format per venue. Not part of the API; do not import.
 */
@NullMarked
package dev.scanflux.simulator.internal;

import org.jspecify.annotations.NullMarked;
