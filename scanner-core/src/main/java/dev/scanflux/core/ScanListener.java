package dev.scanflux.core;

import dev.scanflux.core.model.MarketSnapshot;

/**
 * Observes a scanner as it works: every completed request, every accepted snapshot, every
 * completed scan. For metrics, timelines and audit logs; strategies should use the hot outputs.
 *
 * <p>Callbacks run synchronously on the scanner's threads, possibly concurrently for different
 * venues: they must be quick and must never block. An exception thrown by a callback is logged
 * and otherwise ignored; it never disturbs scanning. Every method does nothing by default.
 */
public interface ScanListener {

  /** A request completed, successfully or not. */
  default void onRequest(RequestEvent event) {}

  /** A valid snapshot arrived and is about to be published. */
  default void onSnapshot(MarketSnapshot snapshot) {}

  /** A venue's push stream connected, dropped, resynced an instrument or rejected a message. */
  default void onStreamTransition(StreamTransition transition) {}

  /**
   * A venue completed a pass over its universe. Venues run at their own pace, so fast ones
   * report many passes per scan.
   */
  default void onPass(PassEvent pass) {}

  /** A scan completed: every venue finished a pass since the previous one. */
  default void onScan(Scan scan) {}
}
