package dev.scanflux.core.replay.internal;

import dev.scanflux.core.replay.RecordingFormatException.Defect;
import org.jspecify.annotations.Nullable;

/**
 * A line that could not be decoded, before the file and line number are known. Cheap to create
 * (no stack trace): a lenient reader may meet many.
 */
final class BadLineException extends Exception {

  private static final long serialVersionUID = 1L;

  private final Defect defect;

  BadLineException(Defect defect, String detail, @Nullable Throwable cause) {
    super(detail, cause, false, false);
    this.defect = defect;
  }

  Defect defect() {
    return defect;
  }
}
