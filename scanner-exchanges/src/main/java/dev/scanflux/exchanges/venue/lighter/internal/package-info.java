/**
 * Everything about one venue family in one place: its descriptors and presets
 * ({@code *Venues}), its sources and its streams. Not part of the API; do not import.
 */
@NullMarked
package dev.scanflux.exchanges.venue.lighter.internal;

import org.jspecify.annotations.NullMarked;
