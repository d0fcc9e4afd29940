package dev.scanflux.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LocalKafka} for one test class: {@code @RegisterExtension static final EmbeddedKafka
 * kafka = new EmbeddedKafka();} starts it before the class's tests and closes it after them.
 */
public final class EmbeddedKafka extends LocalKafka implements BeforeAllCallback,
    AfterAllCallback {

  /** An unstarted broker, for {@code @RegisterExtension}. */
  public EmbeddedKafka() {}

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    format();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }
}
