package dev.scanflux.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;

/** Argument checks shared by the builders, each naming the argument and its allowed range. */
public final class Args {

  private static final Duration MIN = Duration.ofMillis(10);
  private static final Duration MAX = Duration.ofHours(1);

  private Args() {}

  /** A non-blank {@code host:port[,host:port...]}. */
  public static String bootstrap(String servers) {
    Objects.requireNonNull(servers, "bootstrapServers");
    if (servers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must not be blank");
    }
    return servers;
  }

  /** A duration from 10 ms to 1 h. */
  public static Duration duration(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(MIN) < 0 || value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(name + " must be in [" + MIN + ", " + MAX + "] but was "
          + value);
    }
    return value;
  }

  /** An int in {@code [min, max]}. */
  public static int range(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max
          + "] but was " + value);
    }
    return value;
  }

  /** A Kafka client setting the caller may set: not null, and not one of {@code owned}. */
  public static String property(String name, Object value, Collection<String> owned,
      String owner) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (owned.contains(name)) {
      throw new IllegalArgumentException("property '" + name + "' is set by the " + owner);
    }
    return name;
  }
}
