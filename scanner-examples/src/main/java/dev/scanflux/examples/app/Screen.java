package dev.scanflux.examples.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * Redraws a frame in place on a terminal with plain ANSI sequences: the alternate screen (the
 * scrollback keeps no old frames, and the shell's screen comes back at the end), the cursor
 * hidden, each frame written over the last from the top-left corner, each line erased to its
 * end and the rest of the screen below it; nothing is cleared first, so nothing flickers.
 * The width comes from {@code stty size} on the controlling terminal (re-read each second, so
 * a resized window is followed). A terminal library (JLine) would add the same for a dependency
 * of 1 MB; this is all the app needs.
 */
final class Screen {

  static final String ENTER = "\033[?1049h\033[?25l";
  static final String LEAVE = "\033[?25h\033[?1049l";
  private static final Duration EVERY = Duration.ofMillis(250);

  private static volatile int width = 80;
  private static volatile long widthReadAt;

  private Screen() {}

  /** Shows {@code frame} every 250 ms until disposed; then restores the terminal. */
  static Disposable show(PrintStream out, Scheduler on, Supplier<List<String>> frame) {
    out.print(ENTER);
    out.flush();
    Disposable timer = Flux.interval(Duration.ZERO, EVERY, on)
        .subscribe(t -> out.print(render(frame.get())));
    return () -> {
      timer.dispose();
      out.print(LEAVE);
      out.flush();
    };
  }

  /** One redraw: home, each line erased to its end, the rest of the screen erased. */
  static String render(List<String> lines) {
    StringBuilder b = new StringBuilder("\033[H");
    for (String l : lines) {
      b.append(l).append("\033[K\r\n");
    }
    return b.append("\033[J").toString();
  }

  /** The terminal's width in columns: from {@code stty size}, else $COLUMNS, else 80. */
  static int width() {
    long now = System.nanoTime();
    if (now - widthReadAt > TimeUnit.SECONDS.toNanos(1)) {
      widthReadAt = now;
      width = readWidth();
    }
    return width;
  }

  private static int readWidth() {
    try {
      Process p = new ProcessBuilder("stty", "size")
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length == 2) {
          return Math.max(20, Integer.parseInt(parts[1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no terminal to ask: fall back below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      return Math.max(20, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80")));
    } catch (NumberFormatException e) {
      return 80;
    }
  }
}
