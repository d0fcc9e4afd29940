package dev.scanflux.core.spi;

import dev.scanflux.core.model.Instrument;
import dev.scanflux.core.model.MarketSnapshot;
import java.util.Objects;

/** What a {@link MarketStream} connection emits. */
public sealed interface StreamEvent {

  /** The connection is open and every channel of the request was subscribed. */
  static Connected connected() {
    return Connected.INSTANCE;
  }

  /** A full, valid snapshot. */
  static Update update(MarketSnapshot snapshot) {
    return new Update(snapshot);
  }

  /** The instrument's book is being rebuilt; no book for it until it is in sync again. */
  static Resync resync(Instrument instrument, ResyncCause cause, String detail) {
    return new Resync(instrument, cause, detail);
  }

  /** A message that could not be used and could not be tied to an instrument. */
  static Rejected rejected(String detail) {
    return new Rejected(detail);
  }

  /** See {@link StreamEvent#connected()}. */
  final class Connected implements StreamEvent {
    private static final Connected INSTANCE = new Connected();

    private Connected() {}

    @Override
    public String toString() {
      return "Connected";
    }
  }

  /**
   * A book or ticker, complete and valid; its receive time is replaced by the scanner's clock.
   *
   * @param snapshot the snapshot
   */
  record Update(MarketSnapshot snapshot) implements StreamEvent {
    /** Checks the snapshot is present. */
    public Update {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /**
   * The instrument lost sync and the source is rebuilding its book.
   *
   * @param instrument the instrument
   * @param cause      why
   * @param detail     what was seen, for the log, e.g. {@code "expected seq 1042, got 1045"}
   */
  record Resync(Instrument instrument, ResyncCause cause, String detail) implements StreamEvent {
    /** Checks every part is present. */
    public Resync {
      Objects.requireNonNull(instrument, "instrument");
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * A message the source could not use; counted as bad data.
   *
   * @param detail what was wrong, e.g. {@code "unknown symbol FOOBAR"}
   */
  record Rejected(String detail) implements StreamEvent {
    /** Checks the detail is present. */
    public Rejected {
      Objects.requireNonNull(detail, "detail");
    }
  }
}
