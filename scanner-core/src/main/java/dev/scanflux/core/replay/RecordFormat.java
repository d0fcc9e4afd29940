package dev.scanflux.core.replay;

import dev.scanflux.core.Scan;
import dev.scanflux.core.model.MarketSnapshot;
import dev.scanflux.core.replay.internal.RecordCodec;

/**
 * The recording format, one record at a time: encodes a snapshot or a scan to the bytes of one
 * JSON Lines line (without its line terminator) and decodes them back, for transports other than
 * a file, such as a Kafka topic. A snapshot record is exactly a line of a recording written by
 * {@link RecordingWriter}, so records collected from anywhere can be written to a file and played
 * with {@link Replay}.
 *
 * <p>A scan record is one object holding the cycle, its times, its report and its snapshots:
 * {@code {"type":"scan","cycle":7,"startedAt":...,"completedAt":...,"duration":...,
 * "venues":[{"venue":"binance","requests":40,...}],"snapshots":[{"type":"book",...},...]}}.
 * Times are integer nanoseconds since the epoch and durations integer nanoseconds, as in
 * recordings. A snapshot or scan decoded from its record equals the one encoded.
 *
 * <p>Records carry no version of their own: the transport states {@link #VERSION} once (a
 * recording in its header line, a Kafka record in a header), and a reader checks it with {@link
 * #checkVersion}.
 *
 * <p>Not thread-safe: an instance reuses its parse buffers. Use one per thread; creating one is
 * cheap.
 */
public final class RecordFormat {

  /** The version of the format this Scanflux writes, and the only one it reads. */
  public static final int VERSION = RecordingHeader.CURRENT_VERSION;

  private final RecordCodec codec = new RecordCodec();

  private RecordFormat() {}

  /** A new codec with its own buffers; not thread-safe. */
  public static RecordFormat create() {
    return new RecordFormat();
  }

  /**
   * Fails unless a transport's declared version is {@link #VERSION}.
   *
   * @param version the version the transport declared
   * @throws InvalidRecordException with {@link RecordingFormatException.Defect#UNSUPPORTED_VERSION}
   */
  public static void checkVersion(int version) throws InvalidRecordException {
    if (version != VERSION) {
      throw new InvalidRecordException(RecordingFormatException.Defect.UNSUPPORTED_VERSION,
          "format version " + version + " is not supported; this Scanflux reads version "
              + VERSION, null);
    }
  }

  /** The snapshot as one record: a recording's line without its terminator, UTF-8. */
  public byte[] encode(MarketSnapshot snapshot) {
    return codec.encode(snapshot);
  }

  /** The scan as one record: one JSON object on one line, UTF-8. */
  public byte[] encode(Scan scan) {
    return codec.encode(scan);
  }

  /**
   * Decodes a snapshot record, validating it as a recording's line is validated.
   *
   * @throws InvalidRecordException with {@link RecordingFormatException.Defect#MALFORMED_LINE}
   *     or {@link RecordingFormatException.Defect#INVALID_SNAPSHOT} (a crossed book, a negative
   *     size, ...)
   */
  public MarketSnapshot decodeSnapshot(byte[] record) throws InvalidRecordException {
    return codec.decodeSnapshot(record);
  }

  /**
   * Decodes a scan record and every snapshot in it.
   *
   * @throws InvalidRecordException with {@link RecordingFormatException.Defect#MALFORMED_LINE}
   *     or {@link RecordingFormatException.Defect#INVALID_SNAPSHOT}
   */
  public Scan decodeScan(byte[] record) throws InvalidRecordException {
    return codec.decodeScan(record);
  }
}
