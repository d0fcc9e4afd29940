package dev.scanflux.core.replay;

import dev.scanflux.core.replay.RecordingFormatException.Defect;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Raised when one record in the {@link RecordFormat} cannot be decoded: the message names the
 * defect and the specifics, e.g. {@code invalid snapshot: okx BTC/USDT: crossed book: best bid
 * 101.0 >= best ask 100.0}. Where the record came from (a topic, a partition, an offset) is for
 * the caller to add.
 */
public final class InvalidRecordException extends Exception {

  private static final long serialVersionUID = 1L;

  private final Defect defect;

  /**
   * @param defect what was wrong: {@link Defect#MALFORMED_LINE}, {@link Defect#INVALID_SNAPSHOT}
   *               or {@link Defect#UNSUPPORTED_VERSION}
   * @param detail the specifics
   * @param cause  the underlying exception, if any
   */
  public InvalidRecordException(Defect defect, String detail, @Nullable Throwable cause) {
    super(Objects.requireNonNull(defect, "defect").name().toLowerCase(java.util.Locale.ROOT)
        .replace('_', ' ') + ": " + detail, cause);
    this.defect = defect;
  }

  /** What was wrong with the record. */
  public Defect defect() {
    return defect;
  }
}
