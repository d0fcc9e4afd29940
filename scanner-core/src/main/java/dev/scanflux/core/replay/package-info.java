/**
 * Recording and replay: write any stream of snapshots to a JSON Lines file ({@link
 * dev.scanflux.core.replay.RecordingWriter}), read it back as a stream ({@link
 * dev.scanflux.core.replay.RecordingReader}), and play recordings back in time order, with their
 * recorded timing on a scheduler or as fast as possible, as snapshots or as scans ({@link
 * dev.scanflux.core.replay.Replay}).
 *
 * <p>Everything streams: a recording of any size is never held in memory whole. Blocking file
 * I/O runs on a scheduler meant for it, never on the caller's thread. Every read problem is a
 * {@link dev.scanflux.core.replay.RecordingFormatException} naming the file and line.
 */
@NullMarked
package dev.scanflux.core.replay;

import org.jspecify.annotations.NullMarked;
