/**
 * Alerts: the layer between strategies and people. {@link dev.scanflux.core.alert.Alerts} turns
 * a stream of {@link dev.scanflux.core.strategy.Signal}s into alert lifetimes (an alert is
 * {@linkplain dev.scanflux.core.alert.AlertEvent.Type#OPENED opened} when its condition first
 * holds, {@linkplain dev.scanflux.core.alert.AlertEvent.Type#UPDATED updated} while it persists
 * and {@linkplain dev.scanflux.core.alert.AlertEvent.Type#CLOSED closed} when it stops), holds
 * back a re-opened alert within its cooldown, and hands each event to its
 * {@link dev.scanflux.core.alert.AlertSink}s: the console, Telegram, a webhook.
 *
 * <p>Configuration in {@link dev.scanflux.core.alert.AlertConfig} and
 * {@link dev.scanflux.core.alert.DeliveryConfig}; secrets in
 * {@link dev.scanflux.core.alert.Secret}. Every time comes from the Reactor
 * {@link reactor.core.scheduler.Scheduler} given, so alert rules replay deterministically in
 * virtual time ({@link dev.scanflux.core.alert.Alerts#over}). Implementation in
 * {@code dev.scanflux.core.alert.internal}, which users must not import.
 */
@NullMarked
package dev.scanflux.core.alert;

import org.jspecify.annotations.NullMarked;
