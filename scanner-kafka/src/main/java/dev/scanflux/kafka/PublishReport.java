package dev.scanflux.kafka;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link KafkaPublisher} did with the snapshots and scans it was given, so far.
 *
 * <p>Every snapshot offered ends in exactly one place: {@code offered == published + superseded
 * + dropped + pending + inFlight}. A send that fails with a retriable error (the broker away, a
 * timeout) is not an end: the snapshot goes back to the buffer (unless a newer one of its key is
 * already there or in flight, which supersedes it) and is sent again when the broker is back.
 *
 * @param offered        snapshots the publisher was given
 * @param published      snapshots the broker acknowledged
 * @param superseded     snapshots replaced by a newer one of the same venue, instrument and kind
 *                       before they could be acknowledged: the compacted topic, like the view,
 *                       keeps only the latest per key, so nothing it promises is lost
 * @param dropped        snapshots lost: the buffer was full of other keys, one could not be
 *                       encoded, the broker refused it for good (a non-retriable error such as
 *                       a record too large or an authorization failure), or the publisher
 *                       closed before the broker took it
 * @param failed         send attempts the broker did not acknowledge (each one retried or
 *                       superseded)
 * @param pending        snapshots buffered now, one per key at most
 * @param inFlight       snapshots handed to the Kafka producer and not yet acknowledged
 * @param scansPublished scans the broker acknowledged
 * @param scansLost      scans lost: the scan buffer was full, the send failed, or the scan
 *                       could not be encoded (scans are not retried: the next one follows)
 * @param alertsPublished alert events the broker acknowledged
 * @param alertsLost     alert events lost: the alert buffer was full, the send failed, or the
 *                       publisher was closed
 * @param lastError      the latest failure, {@code ExceptionClass: message}, or null if none
 */
public record PublishReport(long offered, long published, long superseded, long dropped,
    long failed, int pending, int inFlight, long scansPublished, long scansLost,
    long alertsPublished, long alertsLost, @Nullable String lastError) {}
