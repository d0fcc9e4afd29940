package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Every XChange module on the class path carries the version pinned in the parent POM (passed
 * in by Surefire as {@code xchange.version}): mixed module versions fail at run time. The one
 * exception is {@code xchange-stream-kraken}, at its own pin ({@code xchange-stream-kraken
 * .version}) because no release has it at the core's version; that it links and runs against
 * the pinned core is proven here by loading its classes and in {@link KrakenStreamTest} by
 * running it against the simulator.
 */
class XChangeVersionTest {

  private static final String PINNED = System.getProperty("xchange.version", "unset");
  private static final String KRAKEN_STREAM = "xchange-stream-kraken";
  private static final String KRAKEN_STREAM_PINNED =
      System.getProperty("xchange-stream-kraken.version", "unset");

  @Test
  void everyXChangeJarHasThePinnedVersion() throws IOException {
    assertThat(PINNED).isNotEqualTo("unset");
    List<String> found = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      File file = new File(entry);
      if (!file.getName().startsWith("xchange-") || !file.getName().endsWith(".jar")) {
        continue;
      }
      try (JarFile jar = new JarFile(file)) {
        JarEntry props = jar.stream()
            .filter(e -> e.getName().startsWith("META-INF/maven/org.knowm.xchange/")
                && e.getName().endsWith("/pom.properties"))
            .findFirst().orElseThrow(() -> new AssertionError("no pom.properties in " + file));
        Properties p = new Properties();
        try (InputStream in = jar.getInputStream(props)) {
          p.load(in);
        }
        found.add(p.getProperty("artifactId") + ':' + p.getProperty("version"));
      }
    }
    assertThat(found).contains("xchange-core:" + PINNED, "xchange-binance:" + PINNED,
        "xchange-kraken:" + PINNED, "xchange-stream-core:" + PINNED,
        "xchange-stream-service-core:" + PINNED, "xchange-stream-service-netty:" + PINNED,
        KRAKEN_STREAM + ':' + KRAKEN_STREAM_PINNED);
    assertThat(found).filteredOn(a -> !a.startsWith(KRAKEN_STREAM + ':'))
        .allMatch(a -> a.endsWith(':' + PINNED), "version " + PINNED);
  }

  /**
   * Every class of the Kraken stream module links against the pinned core: loading and
   * initialising each resolves its superclasses, interfaces and static state (a missing class
   * or changed signature of the core would fail here rather than on the first message).
   */
  @Test
  void theKrakenStreamModuleLinksAgainstThePinnedCore() throws Exception {
    assertThat(KRAKEN_STREAM_PINNED).isNotEqualTo("unset");
    File jar = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(File::new).filter(f -> f.getName().equals(
            KRAKEN_STREAM + '-' + KRAKEN_STREAM_PINNED + ".jar"))
        .findFirst().orElseThrow(() -> new AssertionError(KRAKEN_STREAM + " not on the path"));
    List<String> loaded = new ArrayList<>();
    try (JarFile j = new JarFile(jar)) {
      for (JarEntry e : Collections.list(j.entries())) {
        if (e.getName().endsWith(".class") && !e.getName().contains("module-info")) {
          String name = e.getName().replace('/', '.').substring(0, e.getName().length() - 6);
          Class<?> c = Class.forName(name, true, getClass().getClassLoader());
          c.getDeclaredMethods(); // resolves every signature's types
          loaded.add(name);
        }
      }
    }
    assertThat(loaded).contains("info.bitrich.xchangestream.kraken.KrakenStreamingExchange",
        "info.bitrich.xchangestream.kraken.KrakenStreamingMarketDataService",
        "info.bitrich.xchangestream.kraken.KrakenStreamingAdapters");
  }
}
