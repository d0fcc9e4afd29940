package dev.scanflux.exchanges;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened (simulators, sources, scanners), last opened first, after each test:
 * {@code @RegisterExtension final Closer closer = new Closer();} then {@code closer.add(x)}.
 */
public final class Closer implements AfterEachCallback {

  private final List<AutoCloseable> open = new ArrayList<>();

  /** Registers {@code c} to be closed after the test; returns it. */
  public synchronized <T extends AutoCloseable> T add(T c) {
    open.add(c);
    return c;
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}
