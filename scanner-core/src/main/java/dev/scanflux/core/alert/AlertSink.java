package dev.scanflux.core.alert;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Where alert events go: the console, a Telegram chat, a webhook. {@link Alerts} hands every
 * event to every sink it was built with; a sink picks the types it delivers.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #offer} returns at once and never throws: a sink queues the event in a bounded
 *       outbox and delivers it on its own time, so a slow or failing destination never slows
 *       scanning. What it cannot deliver it counts in its {@link #stats()}.
 *   <li>{@link #close} stops accepting events, delivers what is queued within the time given,
 *       counts the rest as abandoned, releases the sink's resources and completes; it never
 *       errors.
 *   <li>A secret it holds never appears in its {@code toString}, its stats, its logs or its
 *       errors.
 * </ul>
 */
public interface AlertSink {

  /** A short name for reports, e.g. {@code telegram} or {@code webhook}; never a secret. */
  String name();

  /**
   * Hands an event over for delivery, if this sink delivers its type.
   *
   * @param event the event
   */
  void offer(AlertEvent event);

  /** What this sink has delivered, retried, dropped, and the last failure, so far. */
  SinkStats stats();

  /**
   * Stops accepting events and delivers what is queued within {@code timeout}.
   *
   * @param timeout the most time to spend delivering
   * @return completes when everything was delivered or the time ran out
   */
  Mono<Void> close(Duration timeout);
}
