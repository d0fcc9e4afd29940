package dev.scanflux.kafka;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link MarketFeed} has read so far.
 *
 * @param snapshots snapshots read and put in the view
 * @param scans     scans read
 * @param beacons   node beacons read
 * @param removed   keys removed from the view by a tombstone (a record without a value)
 * @param invalid   records skipped because they could not be decoded, were invalid or declared
 *                  a format version this Scanflux does not read; none reaches a strategy
 * @param lastError the latest skipped record's problem, naming its topic, partition and offset,
 *                  or null if none
 */
public record FeedReport(long snapshots, long scans, long beacons, long removed, long invalid,
    @Nullable String lastError) {}
