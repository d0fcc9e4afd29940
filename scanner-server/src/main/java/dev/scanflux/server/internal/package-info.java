/** The scan service's implementation; not for users. */
@NullMarked
package dev.scanflux.server.internal;

import org.jspecify.annotations.NullMarked;
