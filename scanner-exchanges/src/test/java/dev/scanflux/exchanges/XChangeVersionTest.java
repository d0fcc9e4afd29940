package dev.scanflux.exchanges;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Every XChange module on the class path carries the version pinned in the parent POM (passed
 * in by Surefire as {@code xchange.version}): mixed module versions fail at run time. No
 * XChange stream module is left (Kraken streams natively on WebSocket v2), so one XChange
 * version is on the path, with neither its netty service nor RxJava.
 */
class XChangeVersionTest {

  private static final String PINNED = System.getProperty("xchange.version", "unset");

  @Test
  void everyXChangeJarHasThePinnedVersion() throws IOException {
    assertThat(PINNED).isNotEqualTo("unset");
    List<String> found = new ArrayList<>();
    for (File file : classPath()) {
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
        "xchange-okex:" + PINNED, "xchange-kraken:" + PINNED, "xchange-coinbasepro:" + PINNED,
        "xchange-bitstamp:" + PINNED);
    assertThat(found).allMatch(a -> a.endsWith(':' + PINNED), "version " + PINNED);
  }

  @Test
  void noXChangeStreamModuleNorItsRxJavaIsOnThePath() {
    assertThat(classPath()).extracting(File::getName)
        .noneMatch(n -> n.startsWith("xchange-stream-"))
        .noneMatch(n -> n.startsWith("rxjava-"));
  }

  private static List<File> classPath() {
    List<File> files = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      files.add(new File(entry));
    }
    return files;
  }
}
