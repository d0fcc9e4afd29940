package dev.scanflux.core;

import dev.scanflux.core.spi.ResyncCause;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a venue's push stream did in one scan cycle; {@link #OFF} for a venue that is only
 * polled.
 *
 * @param state       the stream's state when the cycle ended
 * @param liveBooks   instruments whose streamed book was live at the cycle's end (so not polled)
 * @param liveTickers instruments whose streamed ticker was live at the cycle's end
 * @param updates     streamed snapshots accepted during the cycle
 * @param connects    connections opened during the cycle
 * @param disconnects connections that failed, dropped or went idle during the cycle
 * @param resyncs     books rebuilt during the cycle, by cause (every cause present)
 * @param rejected    streamed messages rejected as unreadable or invalid
 * @param polled      fetches the cycle polled over REST because the stream did not cover them
 */
public record StreamReport(State state, int liveBooks, int liveTickers, long updates,
    long connects, long disconnects, Map<ResyncCause, Long> resyncs, long rejected,
    long polled) {

  /** A stream's state. */
  public enum State {
    /** The venue is not streamed. */
    OFF,
    /** Streamed, but no connection is open: everything is polled. */
    DOWN,
    /** A connection is open. */
    CONNECTED
  }

  /** The report of a venue that is not streamed. */
  public static final StreamReport OFF =
      new StreamReport(State.OFF, 0, 0, 0, 0, 0, Map.of(), 0, 0);

  /** Validates and freezes the counts. */
  public StreamReport {
    Objects.requireNonNull(state, "state");
    EnumMap<ResyncCause, Long> all = new EnumMap<>(ResyncCause.class);
    for (ResyncCause c : ResyncCause.values()) {
      all.put(c, Objects.requireNonNull(resyncs, "resyncs").getOrDefault(c, 0L));
    }
    resyncs = Collections.unmodifiableMap(all);
  }

  /** Books rebuilt for one cause. */
  public long resyncs(ResyncCause cause) {
    return resyncs.get(cause);
  }

  /** Books rebuilt for any cause. */
  public long resynced() {
    long n = 0;
    for (long v : resyncs.values()) {
      n += v;
    }
    return n;
  }
}
