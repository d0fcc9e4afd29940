/**
 * Scanflux on Apache Kafka: scanner nodes publish every snapshot and scan to topics ({@link
 * dev.scanflux.kafka.KafkaPublisher}), and strategy processes read them back as a {@link
 * dev.scanflux.core.Scanner} of their own ({@link dev.scanflux.kafka.MarketFeed}). Nodes split
 * the venues between them with a {@link dev.scanflux.kafka.Shard}.
 *
 * <p>Built on the plain Kafka client: the producer and the consumer each run on a thread of
 * their own, and nothing here blocks a scanner or Reactor thread. Records use the recording
 * format ({@link dev.scanflux.core.replay.RecordFormat}). Types in {@code
 * dev.scanflux.kafka.internal} are implementation details; do not import them.
 */
@NullMarked
package dev.scanflux.kafka;

import org.jspecify.annotations.NullMarked;
