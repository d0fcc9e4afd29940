/**
 * Implementation of the venue sources: the generic XChange source, the native HTTP sources,
 * the presets and the error classification. Not part of the API; do not import.
 */
@NullMarked
package dev.scanflux.exchanges.internal;

import org.jspecify.annotations.NullMarked;
