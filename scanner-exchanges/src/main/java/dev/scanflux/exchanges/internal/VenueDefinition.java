package dev.scanflux.exchanges.internal;

import dev.scanflux.exchanges.VenueDescriptor;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A venue preset whole: its descriptor and how its source and stream are made. Each venue
 * package declares its own ({@code *Venues}); {@link VenueRegistry} lists them all.
 *
 * @param descriptor the venue as data
 * @param source     makes its REST source
 * @param stream     makes its push stream; null if it has none, exactly when the descriptor has
 *                   no stream URL
 */
public record VenueDefinition(VenueDescriptor descriptor, SourceFactory source,
    @Nullable StreamFactory stream) {

  /** Checks that a stream is given exactly when the descriptor names a stream URL. */
  public VenueDefinition {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(source, "source");
    if (descriptor.hasStream() != (stream != null)) {
      throw new IllegalArgumentException(descriptor.name()
          + ": a stream factory is needed exactly when there is a stream URL");
    }
  }

  /** The venue's name. */
  public String name() {
    return descriptor.name();
  }
}
