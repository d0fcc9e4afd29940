/**
 * Implementation of {@code dev.scanflux.core.alert}: the lifetime tracker, the bounded outbox
 * with retries, the HTTP poster, and the Telegram and webhook wire formats. Not an API.
 */
@NullMarked
package dev.scanflux.core.alert.internal;

import org.jspecify.annotations.NullMarked;
