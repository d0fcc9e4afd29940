/**
 * The Kafka bridge's implementation: the publisher's send loop, the feed's poll loop, keys,
 * node beacons and topic setup. Not API: do not import from outside Scanflux.
 */
@NullMarked
package dev.scanflux.kafka.internal;

import org.jspecify.annotations.NullMarked;
