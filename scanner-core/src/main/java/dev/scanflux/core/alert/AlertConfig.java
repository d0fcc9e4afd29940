package dev.scanflux.core.alert;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How {@link Alerts} turns signals into alerts: when an alert opens, how long it may go unseen
 * before it closes, how often it reports a new peak, and how long its key stays quiet after it.
 *
 * <pre>{@code
 * AlertConfig config = AlertConfig.custom()
 *     .minLifetime(Duration.ofSeconds(10))               // a wall seen once is not news
 *     .grace(Duration.ofSeconds(15))                     // closes after 15 s unseen
 *     .cooldown(Duration.ofMinutes(5))                   // then its key is quiet for 5 min
 *     .cooldown("mover-24h", Duration.ofMinutes(30))     // movers: 30 min
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Setters check their argument at once and name it when it is
 * wrong.
 */
public final class AlertConfig {

  /** Default {@link Builder#cooldown(Duration)}: 5 minutes. */
  public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
  /** Default {@link Builder#minLifetime(Duration)}: 0, an alert opens on its first signal. */
  public static final Duration DEFAULT_MIN_LIFETIME = Duration.ZERO;
  /** Default {@link Builder#grace(Duration)}: 30 seconds. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  /** Default {@link Builder#updateInterval(Duration)}: 1 minute. */
  public static final Duration DEFAULT_UPDATE_INTERVAL = Duration.ofMinutes(1);
  /** Default {@link Builder#maxOpen(int)}: 10,000. */
  public static final int DEFAULT_MAX_OPEN = 10_000;
  /** Default {@link Builder#recent(int)}: 100. */
  public static final int DEFAULT_RECENT = 100;

  private static final Duration MAX_DURATION = Duration.ofDays(7);
  private static final AlertConfig DEFAULTS = custom().build();

  private final Duration cooldown;
  private final Map<String, Duration> cooldowns;
  private final Duration minLifetime;
  private final Duration grace;
  private final Duration updateInterval;
  private final int maxOpen;
  private final int recent;

  private AlertConfig(Builder b) {
    this.cooldown = b.cooldown;
    this.cooldowns = Map.copyOf(b.cooldowns);
    this.minLifetime = b.minLifetime;
    this.grace = b.grace;
    this.updateInterval = b.updateInterval;
    this.maxOpen = b.maxOpen;
    this.recent = b.recent;
  }

  /** The defaults: see each {@code DEFAULT_…} constant. */
  public static AlertConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder custom() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.cooldown = cooldown;
    b.cooldowns.putAll(cooldowns);
    b.minLifetime = minLifetime;
    b.grace = grace;
    b.updateInterval = updateInterval;
    b.maxOpen = maxOpen;
    b.recent = recent;
    return b;
  }

  /** The cooldown of keys whose kind has none of its own. */
  public Duration cooldown() {
    return cooldown;
  }

  /** The cooldown of a kind: its own if set, else {@link #cooldown()}. */
  public Duration cooldown(String kind) {
    return cooldowns.getOrDefault(Objects.requireNonNull(kind, "kind"), cooldown);
  }

  /** How long a condition must hold before its alert opens. */
  public Duration minLifetime() {
    return minLifetime;
  }

  /** How long an alert may go without a signal before it closes. */
  public Duration grace() {
    return grace;
  }

  /** The least time between two update events of one alert. */
  public Duration updateInterval() {
    return updateInterval;
  }

  /** The most alerts tracked at once. */
  public int maxOpen() {
    return maxOpen;
  }

  /** How many closed alerts a snapshot shows. */
  public int recent() {
    return recent;
  }

  @Override
  public String toString() {
    return "AlertConfig{cooldown " + cooldown + (cooldowns.isEmpty() ? "" : " " + new TreeMap<>(
        cooldowns)) + ", min lifetime " + minLifetime + ", grace " + grace + ", update interval "
        + updateInterval + ", max open " + maxOpen + ", recent " + recent + '}';
  }

  /** Builds an {@link AlertConfig}; not thread-safe. */
  public static final class Builder {
    private Duration cooldown = DEFAULT_COOLDOWN;
    private final Map<String, Duration> cooldowns = new HashMap<>();
    private Duration minLifetime = DEFAULT_MIN_LIFETIME;
    private Duration grace = DEFAULT_GRACE;
    private Duration updateInterval = DEFAULT_UPDATE_INTERVAL;
    private int maxOpen = DEFAULT_MAX_OPEN;
    private int recent = DEFAULT_RECENT;

    private Builder() {}

    /**
     * How long a key stays quiet after its last delivered alert closed: an alert of the same key
     * that would open sooner is suppressed (tracked and counted, not delivered). Default
     * {@link #DEFAULT_COOLDOWN}; 0 turns cooldown off.
     *
     * @param cooldown 0 to 7 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder cooldown(Duration cooldown) {
      this.cooldown = check("cooldown", cooldown, true);
      return this;
    }

    /**
     * The cooldown of one signal kind (one strategy), overriding {@link #cooldown(Duration)}.
     *
     * @param kind     the signal kind, e.g. {@code mover-24h}
     * @param cooldown 0 to 7 days
     * @return this builder
     * @throws IllegalArgumentException if the kind is blank or the cooldown out of range
     */
    public Builder cooldown(String kind, Duration cooldown) {
      Objects.requireNonNull(kind, "kind");
      if (kind.isBlank()) {
        throw new IllegalArgumentException("kind must not be blank");
      }
      cooldowns.put(kind, check("cooldown", cooldown, true));
      return this;
    }

    /**
     * How long a condition must hold, from its first to its latest signal, before its alert
     * opens; one that stops sooner is counted as short-lived and never delivered. Default
     * {@link #DEFAULT_MIN_LIFETIME}.
     *
     * @param minLifetime 0 to 7 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder minLifetime(Duration minLifetime) {
      this.minLifetime = check("minLifetime", minLifetime, true);
      return this;
    }

    /**
     * How long an alert may go without a signal before it closes: longer than the time between
     * two scans of its strategy, so that one scan that misses a book does not close it. Default
     * {@link #DEFAULT_GRACE}.
     *
     * @param grace more than 0, at most 7 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder grace(Duration grace) {
      this.grace = check("grace", grace, false);
      return this;
    }

    /**
     * The least time between two {@code UPDATED} events of one alert; an update is sent only
     * for a new peak. Default {@link #DEFAULT_UPDATE_INTERVAL}.
     *
     * @param updateInterval more than 0, at most 7 days
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder updateInterval(Duration updateInterval) {
      this.updateInterval = check("updateInterval", updateInterval, false);
      return this;
    }

    /**
     * The most alerts tracked at once (open, pending or suppressed); signals of new keys beyond
     * it are counted and ignored, so memory stays bounded. Default {@link #DEFAULT_MAX_OPEN}.
     *
     * @param maxOpen at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxOpen(int maxOpen) {
      if (maxOpen < 1) {
        throw new IllegalArgumentException("maxOpen must be at least 1 but was " + maxOpen);
      }
      this.maxOpen = maxOpen;
      return this;
    }

    /**
     * How many closed alerts {@link Alerts#snapshot()} keeps. Default {@link #DEFAULT_RECENT}.
     *
     * @param recent 0 to 100,000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder recent(int recent) {
      if (recent < 0 || recent > 100_000) {
        throw new IllegalArgumentException("recent must be in [0, 100000] but was " + recent);
      }
      this.recent = recent;
      return this;
    }

    /** Builds the immutable configuration. */
    public AlertConfig build() {
      return new AlertConfig(this);
    }

    private static Duration check(String name, Duration d, boolean zeroAllowed) {
      return Arguments.duration(name, d, zeroAllowed, MAX_DURATION);
    }
  }
}
