package dev.scanflux.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first {@code java} block under {@code ## Embedding}, exactly as written: it
 * compiles with nothing added, runs against the embedded simulator and ends by itself within a
 * minute, printing what it found.
 */
class ReadmeExampleTest {

  @TempDir
  Path dir;

  static String example() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    String embedding = readme.substring(readme.indexOf("\n## Embedding"));
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(embedding);
    assertThat(m.find()).as("a java block under ## Embedding").isTrue();
    return m.group(1);
  }

  @Test
  void theEmbeddingExampleCompilesAsWrittenAndRunsToItsEnd() throws Exception {
    String source = example();
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertThat(name.find()).as("the example declares its class").isTrue();
    Path file = dir.resolve(name.group(1) + ".java");
    Files.writeString(file, source);

    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int compiled = javac.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror",
        "-classpath", classpath, "-d", dir.toString(), file.toString());
    assertThat(compiled).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    ExecutorService runner = Executors.newSingleThreadExecutor();
    long started = System.nanoTime();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      Future<?> run = runner.submit(() -> {
        main.invoke(null, (Object) new String[0]);
        return null;
      });
      run.get(90, TimeUnit.SECONDS);
    } finally {
      System.setOut(original);
      runner.shutdownNow();
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    String printed = out.toString(StandardCharsets.UTF_8);
    original.println(printed);
    assertThat(seconds).as("ends by itself within a minute").isLessThan(60);
    List<String> lines = printed.lines().toList();
    assertThat(lines.get(0)).startsWith("first scan after ").endsWith(" snapshots");
    assertThat(printed).contains("binance BTC/USDT bid ", "okx BTC/USDT bid ")
        .contains("scan 3: binance ", "scan 3: okx ");
    assertThat(new File(dir.toFile(), name.group(1) + ".class")).exists();
  }
}
