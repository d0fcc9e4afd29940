package dev.scanflux.core.alert;

import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/** Argument checks shared by the alert builders; messages name the argument and the range. */
final class Arguments {

  private Arguments() {}

  /** A duration in [0, max] (or (0, max] when zero is not allowed). */
  static Duration duration(String name, Duration d, boolean zeroAllowed, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || (!zeroAllowed && d.isZero()) || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be in " + (zeroAllowed ? "[" : "(")
          + Duration.ZERO + ", " + max + "] but was " + d);
    }
    return d;
  }

  /** At least one event type. */
  static Set<AlertEvent.Type> types(AlertEvent.Type... types) {
    if (types.length == 0) {
      throw new IllegalArgumentException("types must hold at least 1 type but was empty");
    }
    return EnumSet.of(types[0], types);
  }

  /** Whether a URL is http or https with a host. */
  static boolean isHttp(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null;
  }
}
