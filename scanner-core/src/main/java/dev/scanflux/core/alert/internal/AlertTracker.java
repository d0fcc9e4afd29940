package dev.scanflux.core.alert.internal;

import dev.scanflux.core.alert.Alert;
import dev.scanflux.core.alert.AlertConfig;
import dev.scanflux.core.alert.AlertEvent;
import dev.scanflux.core.alert.AlertEvent.Type;
import dev.scanflux.core.alert.AlertKey;
import dev.scanflux.core.alert.AlertSnapshot;
import dev.scanflux.core.alert.AlertStats;
import dev.scanflux.core.strategy.Signal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The alert state machine, without threads or timers: the caller gives each signal and each
 * expiry check its time, and receives the events. Not thread-safe: the caller serializes.
 *
 * <p>A key's first signal starts a <em>pending</em> alert; when its condition has held for the
 * minimum lifetime it opens (or is suppressed, if its key's cooldown runs). Each later signal
 * extends it; a new peak makes an update at most once per update interval. When no signal has
 * come for the grace period it closes, and a delivered alert starts its key's cooldown.
 */
public final class AlertTracker {

  private final AlertConfig config;
  private final Consumer<AlertEvent> out;
  private final Map<AlertKey, Tracked> tracked = new LinkedHashMap<>();
  private final Map<AlertKey, Instant> quietUntil = new HashMap<>();
  private final ArrayDeque<Alert> recent = new ArrayDeque<>();
  private long signals;
  private long opened;
  private long updated;
  private long closed;
  private long suppressed;
  private long shortLived;
  private long overflowed;

  /**
   * @param config how alerts behave
   * @param out    receives every event, in order, on the caller's thread
   */
  public AlertTracker(AlertConfig config, Consumer<AlertEvent> out) {
    this.config = config;
    this.out = out;
  }

  /** Tracks a signal seen at {@code now}. */
  public void signal(Signal signal, Instant now) {
    signals++;
    AlertKey key = AlertKey.of(signal);
    Tracked t = tracked.get(key);
    if (t == null) {
      if (tracked.size() >= config.maxOpen()) {
        overflowed++;
        return;
      }
      t = new Tracked(key, id(key, now), now, signal);
      tracked.put(key, t);
    } else {
      t.see(signal, now);
    }
    if (!t.opened) {
      if (!now.isBefore(t.firstSeen.plus(config.minLifetime()))) {
        open(t, now);
      }
    } else if (!t.suppressed && t.newPeak
        && !now.isBefore(t.lastEventAt.plus(config.updateInterval()))) {
      updated++;
      t.newPeak = false;
      t.lastEventAt = now;
      out.accept(new AlertEvent(Type.UPDATED, ++t.sequence, now, t.alert(null)));
    }
  }

  private void open(Tracked t, Instant now) {
    t.opened = true;
    t.newPeak = false;
    t.lastEventAt = now;
    Instant quiet = quietUntil.get(t.key);
    if (quiet != null && now.isBefore(quiet)) {
      t.suppressed = true;
      suppressed++;
      out.accept(new AlertEvent(Type.SUPPRESSED, 0, now, t.alert(null)));
    } else {
      opened++;
      out.accept(new AlertEvent(Type.OPENED, 0, now, t.alert(null)));
    }
  }

  /** Closes every alert unseen for the grace period as of {@code now}, and forgets old cooldowns. */
  public void expire(Instant now) {
    Instant cutoff = now.minus(config.grace());
    for (Iterator<Tracked> it = tracked.values().iterator(); it.hasNext(); ) {
      Tracked t = it.next();
      if (!t.lastSeen.isAfter(cutoff)) {
        it.remove();
        close(t, now);
      }
    }
    quietUntil.values().removeIf(until -> !until.isAfter(now));
  }

  /** Closes every alert: the signals ended. */
  public void closeAll(Instant now) {
    List<Tracked> all = new ArrayList<>(tracked.values());
    tracked.clear();
    for (Tracked t : all) {
      close(t, now);
    }
  }

  private void close(Tracked t, Instant now) {
    if (!t.opened) {
      shortLived++;
      return;
    }
    Alert alert = t.alert(now);
    recent.addFirst(alert);
    while (recent.size() > config.recent()) {
      recent.removeLast();
    }
    if (t.suppressed) {
      return;
    }
    closed++;
    quietUntil.put(t.key, now.plus(config.cooldown(t.key.kind())));
    out.accept(new AlertEvent(Type.CLOSED, ++t.sequence, now, alert));
  }

  /** When the next alert would close if no signal refreshes it, or null if none is tracked. */
  public @Nullable Instant nextDeadline() {
    Instant first = null;
    for (Tracked t : tracked.values()) {
      if (first == null || t.lastSeen.isBefore(first)) {
        first = t.lastSeen;
      }
    }
    return first == null ? null : first.plus(config.grace());
  }

  /** The counts so far. */
  public AlertStats stats() {
    return new AlertStats(signals, opened, updated, closed, suppressed, shortLived, overflowed,
        tracked.values().stream().filter(t -> t.opened).count());
  }

  /** Open alerts oldest first, recent closed ones newest first, and the counts. */
  public AlertSnapshot snapshot(Instant now) {
    List<Alert> open = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (t.opened) {
        open.add(t.alert(null));
      }
    }
    return new AlertSnapshot(now, open, new ArrayList<>(recent), stats());
  }

  /** A stable id: the first 16 hex digits of SHA-256 of the key and the first-seen time. */
  static String id(AlertKey key, Instant firstSeen) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] hash = sha.digest((key + "@" + firstSeen).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** One tracked condition. */
  private static final class Tracked {
    final AlertKey key;
    final String id;
    final Instant firstSeen;
    Instant lastSeen;
    Instant lastEventAt;
    Signal latest;
    Signal peak;
    long signals = 1;
    long sequence;
    boolean opened;
    boolean suppressed;
    boolean newPeak;

    Tracked(AlertKey key, String id, Instant now, Signal first) {
      this.key = key;
      this.id = id;
      this.firstSeen = now;
      this.lastSeen = now;
      this.lastEventAt = now;
      this.latest = first;
      this.peak = first;
    }

    void see(Signal s, Instant now) {
      signals++;
      lastSeen = now;
      latest = s;
      if (s.strength() > peak.strength()) {
        peak = s;
        newPeak = true;
      }
    }

    Alert alert(@Nullable Instant closedAt) {
      return new Alert(id, key, firstSeen, lastSeen, closedAt, signals, latest, peak, suppressed);
    }
  }
}
